"""Event and plan comparison: renames, overrides, SchemaVer advice, fingerprints and plan parts."""

from __future__ import annotations

from trackplan.diffing.events import Differ, diff_plans
from trackplan.diffing.rules import RULES
from trackplan.model import Event, Plan, Property


def _event(**props: Property) -> Event:
    return Event(name="Checkout Completed", id="e1", version="1-0-0", properties=tuple(props.values()))


BASE = _event(
    channel=Property.build("channel", required=True, type="string", enum=["web", "app", "store"]),
    plan=Property.build("plan", required=True, type="string"),
    amount=Property.build("amount", type="number", minimum=0),
)


def test_reordering_set_like_lists_is_no_change() -> None:
    shuffled = BASE.with_property(Property.build("channel", required=True, type="string", enum=["store", "web", "app"]))
    assert Differ().events(BASE, shuffled) == []


def test_a_rename_is_one_record_and_removal_and_addition_are_not_mixed_up() -> None:
    old = Plan(events=(BASE,))
    new = Plan(events=(BASE.replace(name="Order Completed", version="2-0-0"),))
    changes = diff_plans(old, new).changes
    assert [(c.op, c.rule) for c in changes] == [("update", "TP003")]


def test_overrides_from_settings_and_unknown_severities_fall_back() -> None:
    new = BASE.with_property(Property.build("channel", required=True, type="string", enum=["web", "app"]))
    for overrides, severity in (({"TP022": "warning"}, "warning"), ({"TP022": "fatal"}, "breaking")):
        [change] = [c for c in Differ(overrides=overrides).events(BASE, new) if c.rule == "TP022"]
        assert change.severity == severity


def test_schemaver_advice_and_too_small_bump() -> None:
    narrowed = BASE.with_property(Property.build("channel", required=True, type="string", enum=["web"]))
    result = diff_plans(Plan(events=(BASE,)), Plan(events=(narrowed.replace(version="1-0-1"),)))
    [advice] = result.versions
    assert (advice.needed, advice.expected, advice.too_small) == ("model", "2-0-0", True)
    assert any(c.rule == "TP060" and "expected 2-0-0" in c.message for c in result.changes)
    added = BASE.with_property(Property.build("coupon", type="string")).replace(version="1-0-1")
    [advice] = diff_plans(Plan(events=(BASE,)), Plan(events=(added,))).versions
    assert (advice.needed, advice.expected, advice.too_small) == ("addition", "1-0-1", False)


def test_fingerprints_are_stable_and_distinct() -> None:
    a = BASE.with_property(Property.build("channel", required=True, type="string", enum=["web"]))
    first = [c.fingerprint for c in Differ().events(BASE, a)]
    assert first == [c.fingerprint for c in Differ().events(BASE, a)]
    assert len(set(first)) == len(first)


def test_plan_level_rules() -> None:
    from trackplan.model import Settings

    with_id = BASE.with_property(Property.build("amount", type="number", minimum=0, x_id="p1"))
    renamed = with_id.without_property("amount").with_property(
        Property.build("total", type="number", minimum=0, x_id="p1")
    )
    old = Plan(
        settings=Settings.from_json({"sources": ["web"]}),
        events=(with_id.replace(sources=("web",)), Event("Gone")),
        identify=Event("Identify Properties"),
    )
    new = Plan(
        settings=Settings.from_json({"sources": ["web", "ios"]}),
        events=(renamed, Event("New")),
        identify=Event("Identify Properties", properties=(Property.build("email", type="string"),)),
    )
    rules = {c.rule for c in diff_plans(old, new).changes}
    assert {"TP001", "TP002", "TP014", "TP041", "TP051", "TP010"} <= rules
    [trait] = [c for c in diff_plans(old, new).changes if c.subject == "identify"]
    assert trait.rule == "TP010"
    assert RULES["TP050"].severity("validation") == "info"
    added = diff_plans(Plan(), Plan(identify=Event("Identify Properties"))).changes
    assert [(c.subject, c.rule) for c in added] == [("identify", "TP050")]


def test_version_advice_message_reads_as_a_sentence() -> None:
    from trackplan.diffing.records import VersionAdvice

    assert (
        VersionAdvice("Signed Up", "addition", "1-0-0", "1-0-0", "1-0-1").message
        == "Signed Up: x-version 1-0-0 is too small for an addition change; expected 1-0-1"
    )
    assert (
        VersionAdvice("Signed Up", "revision", "1-0-0", None, "1-1-0").message
        == "Signed Up: no x-version; a revision change needs 1-1-0"
    )

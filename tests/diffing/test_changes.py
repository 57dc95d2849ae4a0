"""The change classifier, on the Sentry json-schema-diff fixtures and on plan events."""

from __future__ import annotations

import itertools
import json

import pytest

from tests.helpers import ROOT, corpus
from trackplan.diffing.changes import Differ, diff_plans, resolve_local_refs
from trackplan.diffing.rules import RULES
from trackplan.model import Event, Plan, Property

# Expected worst severity under the validation profile ("none": no change), with the reason.
SENTRY_EXPECTED = {
    "additional_properties/extend": "info",  # more payloads accepted
    "additional_properties/restrict": "breaking",  # unknown keys now fail
    "any_of/any_of_with_constraint_to_type_1": "info",  # integer>=1 -> integer|string
    # Conservative: new top-level minimum 1 is not matched against old branch minimums (1, 2).
    "any_of/any_of_with_constraint_to_type_2": "breaking",
    "any_of/number_1": "warning",  # branch ranges reshuffled: cannot be proven either way
    "any_of/objects_1": "warning",
    "any_of/objects_2": "warning",
    "any_of/objects_3": "warning",
    "any_of/order_change": "none",  # branch order is not a change
    "any_of/to_equivalent_type": "none",
    "any_of/to_less_strict_type": "info",
    "any_of/to_more_strict_type": "breaking",  # integers now fail
    "any_of/type_to_any_of_within_array": "breaking",  # item 1 gains minimum 1
    "any_of/type_to_equivalent_any_of": "none",
    "any_of/type_to_less_strict_any_of": "info",  # minimum dropped
    "any_of/type_to_more_strict_any_of": "info",  # strings now accepted too
    "const/const_in_any_of_1": "breaking",
    "const/const_in_any_of_2": "breaking",
    "const/const_in_any_of_3": "info",  # objects and strings remain accepted types
    "const/const_in_properties": "info",
    "const/const_string_to_const_number": "breaking",
    "const/const_string_to_other_const_string": "breaking",
    "const/integer_to_const_string": "breaking",
    "const/number_to_const_string": "breaking",
    "const/object_to_const_object": "breaking",
    "const/string_to_const_number": "breaking",
    "enum/add": "info",
    "enum/add_and_remove": "breaking",
    "enum/add_constraint": "breaking",
    "enum/mixed_types": "info",
    "enum/number_values": "info",
    "enum/real_world_event_type": "info",
    "enum/remove": "breaking",
    "enum/remove_constraint": "info",
    "enum/unchanged": "none",
    "format/format_add": "breaking",
    "format/format_change": "breaking",
    "format/format_remove": "info",
    "format/format_unchanged": "none",
    "max_length/max_length_add": "breaking",
    "max_length/max_length_decrease": "breaking",
    "max_length/max_length_increase": "info",
    "max_length/max_length_remove": "info",
    "max_length/max_length_unchanged": "none",
    "min_length/min_length_add": "breaking",
    "min_length/min_length_decrease": "info",
    "min_length/min_length_increase": "breaking",
    "min_length/min_length_remove": "info",
    "min_length/min_length_unchanged": "none",
    "pattern/pattern_add": "breaking",
    "pattern/pattern_change": "breaking",
    "pattern/pattern_remove": "info",
    "pattern/pattern_unchanged": "none",
    "properties/add": "info",  # optional property
    "properties/add_property_in_array": "info",
    "properties/add_property_in_array_of_any_of": "info",  # one-branch anyOf: an optional property
    "properties/change": "breaking",  # string -> number
    "properties/remove": "info",  # open schema: old payloads still valid
    "properties/remove_property_while_allowing_additional_properties": "info",
    "range/add_maximum": "breaking",
    "range/add_minimum": "breaking",
    "range/add_minimum_in_array": "breaking",
    "range/all": "breaking",
    "range/change_minimum": "breaking",
    "range/change_minimum_and_maximum": "breaking",
    "range/minimum_to_exclusive_maximum": "breaking",
    "range/redundant_minimum_1": "info",
    "range/redundant_minimum_2": "info",
    "range/redundant_minimum_3": "info",
    "range/remove_maximum": "info",
    "range/remove_minimum": "info",
    "range/to_exclusive_maximum": "breaking",
    "range/to_exclusive_minimum": "breaking",
    "range/unchanged_minimum": "none",
    "ref/factor_out_definitions": "none",  # same schema, refs factored out
    "ref/factor_out_definitions_and_change": "breaking",
    "required/add": "breaking",
    "required/drop": "warning",  # valid data stays valid; consumers may see it missing
    "type/basic": "breaking",
    "type/extend_from_const": "info",
    "type/extend_type": "info",
    "type/integer_to_number": "info",
    "type/nothing": "none",
    "type/number_to_integer": "breaking",
    "type/restrict_to_const": "breaking",
}
RANK = {"none": 0, "info": 1, "warning": 2, "breaking": 3}


@pytest.mark.corpus
def test_every_sentry_fixture_is_classified_as_expected() -> None:
    fixtures = corpus("json-schema-diff", "fixtures")
    found = {f"{p.parent.name}/{p.stem}": p for p in fixtures.glob("*/*.json")}
    assert set(found) == set(SENTRY_EXPECTED), "fixtures changed: update the expectations"
    differ = Differ()
    wrong = {}
    for name, path in sorted(found.items()):
        doc = json.loads(path.read_text())
        changes = differ.schema(resolve_local_refs(doc["lhs"]), resolve_local_refs(doc["rhs"]), {"prop": "x"}, "x")
        worst = max((c.severity for c in changes), key=RANK.__getitem__, default="none")
        if worst != SENTRY_EXPECTED[name]:
            wrong[name] = (worst, [c.rule for c in changes])
    assert wrong == {}


def _event(**props: Property) -> Event:
    return Event(name="Checkout Completed", id="e1", version="1-0-0", properties=tuple(props.values()))


BASE = _event(
    channel=Property.build("channel", required=True, type="string", enum=["web", "app", "store"]),
    plan=Property.build("plan", required=True, type="string"),
    amount=Property.build("amount", type="number", minimum=0),
)


@pytest.mark.parametrize(
    ("change", "rule", "validation", "consumer"),
    [
        (
            lambda e: e.with_property(Property.build("channel", required=True, type="string", enum=["web", "app"])),
            "TP022",
            "breaking",
            "warning",
        ),
        (
            lambda e: e.with_property(
                Property.build("channel", required=True, type="string", enum=["web", "app", "store", "kiosk"])
            ),
            "TP023",
            "info",
            "info",
        ),
        (
            lambda e: e.with_property(Property.build("plan", required=False, type="string")),
            "TP027",
            "warning",
            "breaking",
        ),
        (
            lambda e: e.with_property(Property.build("amount", required=True, type="number", minimum=0)),
            "TP026",
            "breaking",
            "info",
        ),
        (
            lambda e: e.with_property(Property.build("coupon", required=True, type="string")),
            "TP011",
            "breaking",
            "info",
        ),
        (lambda e: e.with_property(Property.build("coupon", type="string")), "TP010", "info", "info"),
        (lambda e: e.without_property("amount"), "TP012", "info", "breaking"),
        (
            lambda e: e.without_property("amount").replace(additional_properties=False),
            "TP013",
            "breaking",
            "breaking",
        ),
        (lambda e: e.replace(additional_properties=False), "TP036", "breaking", "info"),
        (
            lambda e: e.with_property(Property.build("amount", type="integer", minimum=0)),
            "TP020",
            "breaking",
            "breaking",
        ),
        (
            lambda e: e.with_property(Property.build("amount", type="number", minimum=5)),
            "TP032",
            "breaking",
            "info",
        ),
        (
            lambda e: e.with_property(Property.build("amount", type="number", minimum=0, pattern="x")),
            "TP028",
            "breaking",
            "info",
        ),
        (lambda e: e.replace(name="Order Completed"), "TP003", "breaking", "breaking"),
        (lambda e: e.replace(description="New words"), "TP040", "info", "info"),
        (lambda e: e.replace(sources=("web",)), "TP042", "info", "info"),
    ],
)
def test_each_rule_on_an_event(change: object, rule: str, validation: str, consumer: str) -> None:
    new = change(BASE)  # type: ignore[operator]
    for profile, expected in (("validation", validation), ("consumer", consumer)):
        found = [c for c in Differ(profile).events(BASE, new) if c.rule == rule]
        assert len(found) == 1, (profile, [c.rule for c in Differ(profile).events(BASE, new)])
        assert found[0].severity == expected
        assert RULES[rule].severity(profile) == expected


def test_reordering_set_like_lists_is_no_change() -> None:
    shuffled = BASE.with_property(Property.build("channel", required=True, type="string", enum=["store", "web", "app"]))
    assert Differ().events(BASE, shuffled) == []


def test_a_rename_is_one_record_and_removal_and_addition_are_not_mixed_up() -> None:
    old = Plan(events=(BASE,))
    new = Plan(events=(BASE.replace(name="Order Completed", version="2-0-0"),))
    changes = diff_plans(old, new).changes
    assert [(c.op, c.rule) for c in changes] == [("update", "TP003")]


def test_overrides_from_settings() -> None:
    new = BASE.with_property(Property.build("channel", required=True, type="string", enum=["web", "app"]))
    [change] = [c for c in Differ(overrides={"TP022": "warning"}).events(BASE, new) if c.rule == "TP022"]
    assert change.severity == "warning"


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


@pytest.mark.corpus
def test_suggested_bumps_agree_with_iglu_central_history() -> None:
    from trackplan.model import SchemaVer

    schemas = corpus("iglu-central", "schemas")
    differ = Differ()
    agree = total = 0

    def body(path: object) -> dict[str, object]:
        doc = json.loads(path.read_text())  # type: ignore[attr-defined]
        return resolve_local_refs({k: v for k, v in doc.items() if k not in ("self", "$schema", "description")})  # type: ignore[no-any-return]

    for folder in schemas.glob("*/*/jsonschema"):
        versions = sorted(folder.iterdir(), key=lambda p: SchemaVer.parse(p.name))
        for before, after in itertools.pairwise(versions):
            changes = differ.schema(body(before), body(after), {"prop": None}, "schema")
            suggested_model = any(c.severity == "breaking" for c in changes)
            actual_model = SchemaVer.parse(after.name).model > SchemaVer.parse(before.name).model
            total += 1
            agree += suggested_model == actual_model
    assert total > 100
    # MODEL vs not-MODEL agreement with the authors' own bumps: 127 of 141 pairs (90.1%).
    assert agree / total >= 0.9, f"{agree}/{total}"


def test_every_rule_is_documented() -> None:

    docs = (ROOT / "docs" / "diff.md").read_text()
    for rule in RULES.values():
        assert f"{rule.id} | {rule.name} | {rule.validation} | {rule.consumer} |" in docs


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

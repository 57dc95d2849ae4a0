"""Property tests of the import methods."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trackplan.diffing.events import diff_plans
from trackplan.diffing.records import apply_add_only
from trackplan.importing.merge import merge
from trackplan.model import Event, Plan, Property

names = st.sampled_from(["a", "b", "c", "d"])
prop_types = st.sampled_from(["string", "integer", "boolean", None])


@st.composite
def plans(draw: st.DrawFn, drift: bool = False) -> Plan:
    """Properties are plan-wide (as in Avo): one definition per name within a plan. With
    `drift`, each event defines its properties its own way, as a file edited by hand can."""

    def definition() -> dict[str, object]:
        return {
            "type": draw(prop_types),
            "description": draw(st.sampled_from(["", "x", "y"])) or None,
            "pattern": draw(st.sampled_from([None, "^a", "^b"])) if drift else None,
        }

    shared = {name: definition() for name in ["a", "b", "c", "d"]}
    events = []
    for event_name in draw(st.lists(st.sampled_from(["E1", "E2", "E3"]), unique=True, max_size=3)):
        chosen = draw(st.dictionaries(names, st.booleans(), max_size=4))
        events.append(
            Event(
                name=event_name,
                description=draw(st.sampled_from(["", "one", "two"])),
                properties=tuple(
                    Property.build(p, required=r, **(definition() if drift else shared[p])) for p, r in chosen.items()
                ),
            )
        )
    return Plan(events=tuple(events))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(current=plans(), incoming=plans())
def test_import_method_properties(current: Plan, incoming: Plan) -> None:
    # addOnly never changes an existing field.
    added, _ = merge(current, incoming, "addOnly")
    for event in current.events:
        after = added.event(event.name)
        assert after is not None and after.description == event.description
        for prop in event.properties:
            assert after.get_property(prop.name) == prop
    # After addUpdateAndRemove every imported event has exactly the imported properties.
    replaced, _ = merge(current, incoming, "addUpdateAndRemove")
    for event in incoming.events:
        after = replaced.event(event.name)
        assert after is not None and set(after.property_names) == set(event.property_names)


@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove", "sync"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(current=plans(), incoming=plans())
def test_a_second_identical_import_is_a_no_op(method: str, current: Plan, incoming: Plan) -> None:
    once, _ = merge(current, incoming, method)
    twice, result = merge(once, incoming, method)
    assert twice == once
    assert result.new_events == result.updated_events == 0


# -- the diff's change sets in the import vocabulary -------------------------------------------


@st.composite
def plan_pair(draw: st.DrawFn) -> tuple[Plan, Plan]:
    """Two plans sharing property definitions (properties are plan-wide in both)."""
    definitions = {name: draw(prop_types) for name in ["a", "b", "c", "d"]}

    def one() -> Plan:
        events = []
        for event_name in draw(st.lists(st.sampled_from(["E1", "E2", "E3"]), unique=True, max_size=3)):
            chosen = draw(st.dictionaries(names, st.booleans(), max_size=4))
            events.append(
                Event(
                    name=event_name,
                    description=draw(st.sampled_from(["", "one"])),
                    tags=draw(st.lists(st.sampled_from(["t1", "t2", "t3"]), unique=True)),  # type: ignore[arg-type]
                    sources=draw(st.lists(st.sampled_from(["web", "ios"]), unique=True)),  # type: ignore[arg-type]
                    properties=tuple(Property.build(p, required=r, type=definitions[p]) for p, r in chosen.items()),
                )
            )
        return Plan(events=tuple(events))

    return one(), one()


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=plan_pair())
def test_applying_the_add_only_set_equals_an_add_only_import(pair: tuple[Plan, Plan]) -> None:
    a, b = pair
    changes = diff_plans(a, b).changes
    applied = apply_add_only(a, changes)
    imported, _ = merge(a, b, "addOnly")
    assert applied.events == imported.events


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(pair=plan_pair())
def test_remove_and_update_sets(pair: tuple[Plan, Plan]) -> None:
    a, b = pair
    changes = diff_plans(a, b).changes
    # The remove set names exactly the events and event-properties of A that B lacks.
    removed = {(c.event, c.prop) for c in changes if c.change_set == "remove" and c.rule in ("TP002", "TP012", "TP013")}
    expected: set[tuple[str | None, str | None]] = {(e.name, None) for e in a.events if b.event(e.name) is None}
    expected |= {
        (e.name, p.name)
        for e in a.events
        if (f := b.event(e.name))
        for p in e.properties
        if f.get_property(p.name) is None
    }
    assert removed == expected
    # No change is invented or missed: the diff is empty exactly when the events are equal.
    assert (changes == []) == (a.events == b.events)
    # The update set is empty exactly when every common event differs by additions and removals only.
    common = [(e, b.event(e.name)) for e in a.events if b.event(e.name) is not None]
    only_sets = all(
        x.description == y.description and all(y.get_property(p.name) in (None, p) for p in x.properties)
        for x, y in common
        if y is not None
    )
    assert (not any(c.change_set == "update" for c in changes)) == only_sets


@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove", "sync"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(current=plans(), incoming=plans(drift=True))
def test_a_second_identical_import_is_a_no_op_even_when_the_file_drifts(
    method: str, current: Plan, incoming: Plan
) -> None:
    once, _ = merge(current, incoming, method)
    twice, _ = merge(once, incoming, method)
    assert twice == once

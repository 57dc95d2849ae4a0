"""Property tests of the import methods."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from trackplan.importing import merge
from trackplan.model import Event, Plan, Property

names = st.sampled_from(["a", "b", "c", "d"])
prop_types = st.sampled_from(["string", "integer", "boolean", None])


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    # Properties are plan-wide (as in Avo): one definition per name within a plan.
    definitions = {name: (draw(prop_types), draw(st.sampled_from(["", "x", "y"]))) for name in ["a", "b", "c", "d"]}
    events = []
    for event_name in draw(st.lists(st.sampled_from(["E1", "E2", "E3"]), unique=True, max_size=3)):
        chosen = draw(st.dictionaries(names, st.booleans(), max_size=4))
        events.append(
            Event(
                name=event_name,
                description=draw(st.sampled_from(["", "one", "two"])),
                properties=tuple(
                    Property.build(p, required=r, type=definitions[p][0], description=definitions[p][1] or None)
                    for p, r in chosen.items()
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

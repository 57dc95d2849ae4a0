"""The itly export keeps each event's `additionalProperties` as written."""

from __future__ import annotations

from trackplan.formats import itly
from trackplan.model import Event, Plan


def test_additional_properties_are_exported_as_written() -> None:
    plan = Plan(events=(Event(name="Open"), Event(name="Closed", additional_properties=False)))
    schemas = {e["schema"]["title"]: e["schema"] for e in itly.document(plan)["events"]}
    assert "additionalProperties" not in schemas["Open"]
    assert schemas["Closed"]["additionalProperties"] is False

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from trackplan.model import Domain, Event, Plan, Property, SchemaVer, Settings, Source
from trackplan.model.frozen import SetList, freeze, thaw

FULL_EVENT: dict[str, Any] = {
    "title": "Checkout Completed",
    "description": "Sent when the order is placed.",
    "type": "object",
    "x-id": "C3XnUJ3kRq",
    "x-version": "1-1-0",
    "x-status": "live",
    "x-tags": ["revenue", "checkout"],
    "x-categories": ["Purchase funnel"],
    "x-sources": ["web", "ios"],
    "x-owner": "Payments",
    "x-stakeholders": ["Payments", "Growth"],
    "x-name-mapping": [{"name": "order_completed", "destination": "Amplitude"}],
    "x-custom": {"kept": True},
    "$comment": "not interpreted, kept",
    "allOf": [{"properties": {"extra": {"type": "string"}}}],
    "properties": {
        "order_id": {
            "type": "string",
            "description": "Order id.",
            "pattern": "^ord_",
            "x-id": "p91",
        },
        "revenue": {"type": "number", "minimum": 0, "multipleOf": 0.01},
        "plan": {"type": "string", "enum": ["pro", "free"], "x-send-as": "UserProperty"},
        "items": {
            "type": "array",
            "items": {"type": "object", "properties": {"sku": {"type": "string"}}},
        },
    },
    "required": ["order_id"],
    "additionalProperties": False,
}


def test_event_document_round_trips_without_loss() -> None:
    event = Event.from_json(FULL_EVENT)
    again = event.to_json()
    assert Event.from_json(again) == event
    # Every keyword survives, interpreted or not; set-like lists come back sorted.
    assert again["$comment"] == "not interpreted, kept"
    assert again["x-custom"] == {"kept": True}
    assert again["allOf"] == FULL_EVENT["allOf"]
    assert again["properties"]["revenue"]["multipleOf"] == 0.01
    assert again["x-tags"] == ["checkout", "revenue"]
    assert again["properties"]["plan"]["enum"] == ["pro", "free"]  # as written
    assert thaw(freeze(FULL_EVENT))["allOf"] == FULL_EVENT["allOf"]


def test_model_reads_the_keys_it_interprets() -> None:
    event = Event.from_json(FULL_EVENT)
    assert event.name == "Checkout Completed"
    assert event.id == "C3XnUJ3kRq"
    assert event.owner == "Payments"
    assert event.get_property("order_id") == Property(
        "order_id", freeze(FULL_EVENT["properties"]["order_id"]), required=True
    )
    plan = event.get_property("plan")
    assert plan is not None and plan.send_as == "UserProperty" and plan.enum == ("free", "pro")
    assert [m.destination for m in event.name_mapping] == ["Amplitude"]


def test_set_like_lists_compare_as_sets() -> None:
    a = Event.from_json({**FULL_EVENT, "x-tags": ["a", "b", "a"], "required": ["order_id", "revenue"]})
    b = Event.from_json({**FULL_EVENT, "x-tags": ["b", "a"], "required": ["revenue", "order_id"]})
    assert a == b
    assert a.tags == SetList(["a", "b"])
    assert hash(a.extra) == hash(b.extra)


def test_ordered_lists_stay_ordered() -> None:
    a = Event.from_json({**FULL_EVENT, "allOf": [{"a": 1}, {"b": 2}]})
    b = Event.from_json({**FULL_EVENT, "allOf": [{"b": 2}, {"a": 1}]})
    assert a != b


def test_required_names_without_a_property_are_kept() -> None:
    doc = {"title": "E", "type": "object", "properties": {"a": {}}, "required": ["a", "ghost"]}
    assert Event.from_json(doc).to_json()["required"] == ["a", "ghost"]


@pytest.mark.parametrize(
    ("doc", "field"),
    [
        ({"title": ""}, "title"),
        ({"title": 3}, "title"),
        ({"title": "E", "properties": []}, "properties"),
        ({"title": "E", "properties": {"a": 3}}, "properties.a"),
        ({"title": "E", "x-tags": "a"}, "x-tags"),
        ({"title": "E", "required": "a"}, "required"),
    ],
)
def test_bad_documents_name_the_field(doc: dict[str, object], field: str) -> None:
    with pytest.raises(ValueError, match=field.replace(".", r"\.")):
        Event.from_json(doc)


def test_schemaver() -> None:
    assert SchemaVer.parse("1-2-3") == SchemaVer(1, 2, 3)
    assert str(SchemaVer(1, 2, 3).bump("model")) == "2-0-0"
    assert str(SchemaVer(1, 2, 3).bump("revision")) == "1-3-0"
    assert str(SchemaVer(1, 2, 3).bump("addition")) == "1-2-4"
    for bad in ("1.0.0", "01-0-0", "1-0", ""):
        with pytest.raises(ValueError):
            SchemaVer.parse(bad)


def test_settings_round_trip_and_defaults() -> None:
    doc = {
        "name": "Acme",
        "sources": [{"name": "web", "destinations": ["Segment"]}, "ios"],
        "domains": ["Growth"],
        "vendor": "com.acme",
    }
    settings = Settings.from_json(doc)
    assert settings.main_branch == "main"
    assert list(settings.protected_branches) == ["main"]
    assert settings.source_names == ["ios", "web"]
    assert settings.get("vendor") == "com.acme"
    assert Settings.from_json(settings.to_json()) == settings


def test_plan_orders_events_by_name() -> None:
    plan = Plan(events=(Event("b"), Event("a")))
    assert [e.name for e in plan.events] == ["a", "b"]
    assert plan == Plan(events=(Event("a"), Event("b")))


def test_settings_edits_keep_entries_as_written() -> None:
    written = {
        "name": "Shop",
        "sources": [{"name": "web", "destinations": ["Amplitude"]}, "ios", "android"],
        "domains": ["Growth"],
        "vendor": "com.example",
    }
    old = Settings.from_json(written)
    new = replace(
        old,
        sources=tuple(sorted([s for s in old.sources if s.name != "android"] + [Source(name="tv")])),
        domains=(Domain(name="Growth"), Domain(name="Platform")),
        name="Shop 2",
    )
    edited = new.edit(written, old)
    assert edited == {
        "name": "Shop 2",
        "sources": [{"name": "web", "destinations": ["Amplitude"]}, "ios", "tv"],
        "domains": ["Growth", "Platform"],
        "vendor": "com.example",
    }
    assert Settings.from_json(edited) == new

"""Segment's Config API rules object, as typewriter v5 and the terraform provider write it."""

from __future__ import annotations

import json

from trackplan.formats import detect, read_source, segment
from trackplan.formats.base import InputFile, WriteOptions


def _envelope(part: str, schema: dict[str, object]) -> dict[str, object]:
    return {"type": "object", "properties": {"context": {}, part: schema}}


RULES = {
    "global": _envelope("context", {"type": "object", "properties": {"app": {"type": "string"}}}),
    "events": [
        {
            "name": "Page Viewed",
            "description": "A page was shown.",
            "rules": {
                "type": "object",
                "properties": {
                    "context": {},
                    "properties": {"type": "object", "properties": {"url": {"type": ["string", "null"]}}},
                    "required": ["properties"],
                },
            },
        }
    ],
    "identify_traits": _envelope("traits", {"type": "object", "properties": {"email": {"type": "string"}}}),
    "group": _envelope("traits", {"type": "object", "properties": {"plan": {"type": "string"}}}),
}


def test_the_rules_object_is_segment_and_keeps_global_identify_and_group() -> None:
    source = InputFile(json.dumps(RULES).encode(), "rules.json")
    assert detect(source) == "segment"
    incoming = read_source(source)
    plan = incoming.plan
    page = plan.event("Page Viewed")
    assert page is not None and page.description == "A page was shown."
    assert page.get_property("url").type == ("string", "null")  # type: ignore[union-attr]
    assert plan.identify is not None and plan.identify.property_names == ["email"]
    assert plan.group is not None and plan.group.property_names == ["plan"]
    assert [(source, ctx.property_names) for source, ctx in plan.contexts] == [("global", ["app"])]
    assert incoming.warnings == []
    assert page.extra["x-segment-required"] == ("properties",)  # the envelope's own, where the file put it


def test_the_export_writes_the_envelopes_required_back_where_it_was() -> None:
    plan = read_source(InputFile(json.dumps(RULES).encode(), "rules.json")).plan
    rules = json.loads(segment.write(plan, WriteOptions()))["rules"]
    page = next(rule for rule in rules if rule.get("key") == "Page Viewed")
    assert page["jsonSchema"]["properties"]["required"] == ["properties"]
    assert [rule["type"] for rule in rules] == ["TRACK", "GLOBAL", "IDENTIFY", "GROUP"]


def test_rudderstacks_typewriter_fork_with_empty_names_on_identify_page_screen_and_group_imports() -> None:
    def entry(kind: str, name: str, part: str) -> dict[str, object]:
        schema = {"type": "object", "properties": {part: {"type": "object", "properties": {f"{kind} p": {}}}}}
        return {"description": "", "eventType": kind, "name": name, "rules": schema}

    kinds = [("identify", "", "traits"), ("page", "", "properties"), ("screen", "", "properties")]
    doc = {
        "name": "p",
        "rules": {
            "events": [
                *(entry(*k) for k in kinds),
                entry("group", "", "traits"),
                entry("track", "Clicked", "properties"),
            ]
        },
    }
    plan = read_source(InputFile(json.dumps(doc).encode(), "plan.json")).plan
    assert [(e.name, e.event_type, e.property_names) for e in plan.events] == [
        ("Clicked", None, ["track p"]),
        ("Page", "page", ["page p"]),
        ("Screen", "screen", ["screen p"]),
    ]
    assert plan.identify is not None and plan.identify.property_names == ["identify p"]
    assert plan.group is not None and plan.group.property_names == ["group p"]


def test_the_export_keys_a_rule_by_the_events_name_for_segment() -> None:
    from trackplan.formats import segment
    from trackplan.model import Event, NameMapping, Plan
    from trackplan.model.frozen import SetList

    mappings = SetList([NameMapping("Segment", "order_placed"), NameMapping("Amp", "x")])
    mapped = Event(name="Order Placed", name_mapping=mappings)
    plan = Plan(events=(mapped, Event(name="Opened")))
    assert [r["key"] for r in segment.document(plan)["rules"]] == ["Opened", "order_placed"]

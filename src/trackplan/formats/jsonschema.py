"""Standard JSON Schema plan: {"schema": {"events": {"Event Name": {...}}}} (Avo Import API)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import Incoming, InputFile, WriteOptions, json_document, plain_schema, require
from trackplan.model import Plan


def detect(doc: Any) -> bool:
    return (
        isinstance(doc, Mapping)
        and isinstance(doc.get("schema"), Mapping)
        and isinstance(doc["schema"].get("events"), Mapping)
    )


def read(source: InputFile) -> Incoming:
    doc, name = source.json, source.name
    require(detect(doc), name, "schema.events", "expected an object of event schemas")
    reader = SchemaReader(name, avo=True, root=doc, may_have_refs=b'"$ref"' in source.data)
    events = []
    skipped = 0
    for event_name, schema in doc["schema"]["events"].items():
        if not str(event_name).strip():
            skipped += 1
            continue
        events.append(reader.event(str(event_name), schema, f"schema.events.{event_name}"))
    return Incoming(plan=Plan(events=tuple(events)), warnings=reader.warnings, skipped=skipped)


def document(plan: Plan) -> dict[str, Any]:
    """The standard {"schema": {"events": {...}}} that Avo's Import API accepts."""
    events = {}
    for event in plan.events:
        schema = plain_schema(event)
        for prop in event.properties:
            if prop.send_as != "EventProperty":
                schema["properties"][prop.name]["x-avo-sendAs"] = prop.send_as
        events[event.name] = schema
    return {"schema": {"events": events}}


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan), options)

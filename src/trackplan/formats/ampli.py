"""Ampli's `schema.json` (Amplitude Data): one draft-07 JSON Schema whose `properties` map each
event's code name to a `$ref` into `definitions`. `Context`, `Identify` and `Group` are the
context, identify and group properties; every other entry is an event, named by its `$id`
(`…/event/<name>/version/<major.minor.patch>`)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote

from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import Incoming, InputFile, WriteOptions, json_document, plain_schema, require
from trackplan.model import Event, Plan
from trackplan.model.slugs import slugify

PLAN_ID = "https://amplitude.com/schemas/events"
DRAFT_07 = "http://json-schema.org/draft-07/schema#"
EVENT_ID = re.compile(r"/event/(?P<name>[^/]+)/version/(?P<version>\d+\.\d+\.\d+)$")
TRAITS = {"Context": "Context Properties", "Identify": "Identify Properties", "Group": "Group Properties"}
DEFINITION_REF = re.compile(r"^#/definitions/(?P<name>[^/]+)$")


def detect(doc: Any) -> bool:
    """A schema whose every property is one `$ref` into its `definitions`, as Ampli writes."""
    if not isinstance(doc, Mapping) or not isinstance(doc.get("definitions"), Mapping):
        return False
    entries = doc.get("properties")
    return (
        isinstance(entries, Mapping)
        and bool(entries)
        and all(
            isinstance(e, Mapping) and set(e) == {"$ref"} and DEFINITION_REF.match(str(e["$ref"]))
            for e in entries.values()
        )
    )


def _is_definition_ref(entry: Any) -> bool:
    return isinstance(entry, Mapping) and set(entry) == {"$ref"} and bool(DEFINITION_REF.match(str(entry["$ref"])))


def read(source: InputFile) -> Incoming:
    doc, name = source.json, source.name
    require(detect(doc), name, "properties", 'expected Ampli\'s event entries ({"$ref": "#/definitions/…"})')
    reader = SchemaReader(name, avo=False)
    events: list[Event] = []
    traits: dict[str, Event] = {}
    for key, entry in doc["properties"].items():
        target = DEFINITION_REF.match(entry["$ref"])["name"]  # type: ignore[index]
        where = f"definitions.{target}"
        schema = doc["definitions"].get(target)
        require(isinstance(schema, Mapping), name, where, f"missing: properties.{key} refers to it")
        if key in TRAITS:
            traits[key] = reader.event(TRAITS[key], schema, where)
            continue
        found = EVENT_ID.search(str(schema.get("$id") or ""))
        event_name = unquote(found["name"]) if found else str(key)
        version = found["version"].replace(".", "-") if found else None
        code_name = None if code_name_of(event_name) == key else str(key)
        events.append(
            reader.event(event_name, schema, where, id=schema.get("$id"), version=version, ampli_key=code_name)
        )
    # Ampli writes all three, empty or not: an empty one is none.
    kept = {key: part for key, part in traits.items() if part.properties}
    context = kept.get("Context")
    plan = Plan(
        events=tuple(events),
        identify=kept.get("Identify"),
        group=kept.get("Group"),
        contexts=(("all", context),) if context is not None else (),
    )
    return Incoming(plan=plan, warnings=reader.warnings)


def code_name_of(name: str) -> str:
    """Ampli's code name of an event: its words in PascalCase (`event withDifferent_Casing` is
    `EventWithDifferentCasing`)."""
    words = re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", name)
    return "".join(word[:1].upper() + word[1:] for word in words)


def _definition(part: Event, event_id: str | None) -> dict[str, Any]:
    body = plain_schema(part)
    schema: dict[str, Any] = {"$id": event_id, "$schema": DRAFT_07} if event_id else {}
    schema.update(body)
    schema.setdefault("required", [])  # Ampli always lists them, empty or not
    return schema


def _event_id(event: Event, base: str) -> str:
    version = (event.version or "1-0-0").replace("-", ".")
    found = EVENT_ID.search(event.id or "")
    prefix = event.id[: found.start()] if event.id and found else base
    return f"{prefix}/event/{quote(event.name)}/version/{version}"


def document(plan: Plan) -> dict[str, Any]:
    base = f"https://data.amplitude.com/{slugify(plan.settings.name) or 'plan'}"
    empty = Event(name="", additional_properties=False)
    parts: list[tuple[str, dict[str, Any]]] = [
        ("Context", _definition(plan.context("all") or empty, None)),
        ("Identify", _definition(plan.identify or empty, None)),
        ("Group", _definition(plan.group or empty, None)),
    ]
    taken = {key.casefold() for key in TRAITS}
    for event in plan.events:
        key = wanted = str(event.extra.get("x-ampli-key") or code_name_of(event.name) or "Event")
        suffix = 1
        while key.casefold() in taken:  # `Song Played` and `song_played` share a code name
            suffix += 1
            key = f"{wanted}{suffix}"
        taken.add(key.casefold())
        parts.append((key, _definition(event, _event_id(event, base))))
    return {
        "$id": PLAN_ID,
        "$schema": DRAFT_07,
        "type": "object",
        "properties": {key: {"$ref": f"#/definitions/{key}Properties"} for key, _ in parts},
        "definitions": {f"{key}Properties": schema for key, schema in parts},
    }


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan), options)

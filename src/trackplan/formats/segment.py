"""Segment Protocols tracking plans: the Public API format (`rules[]` with TRACK, IDENTIFY,
GROUP), the legacy Config API format (`rules.events`, `rules.identify`, ...), and the Config
API's rules object on its own (`{events: [{name, description, rules}], global, identify,
group}`, or `identify_traits`/`group_traits`), as typewriter v5 and the terraform provider
write it. `global` rules become the context properties of the source `global`. RudderStack's
typewriter fork adds `eventType` to each entry: identify and group entries are the traits,
page and screen entries (their names empty) the events `Page` and `Screen`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import Incoming, InputFile, WriteOptions, json_document, plain_schema, require
from trackplan.model import Event, Plan
from trackplan.model.frozen import thaw

ENVELOPE_KEYS = {"context", "properties", "traits"}
RULES_OBJECT_KEYS = {"name", "events", "global", "identify", "group", "identify_traits", "group_traits"}
RULES_EVENT_KEYS = {"name", "description", "rules", "version", "eventType"}
TRAIT_KEYS = {"identify": "identify", "identify_traits": "identify", "group": "group", "group_traits": "group"}


def _rules_object(doc: Mapping[str, Any]) -> bool:
    """The Config API's rules object: events of only {name, description, rules} (Avo's carry
    ids, sources and more) and nothing else at the top but the traits and `global`."""
    events = doc.get("events")
    return (
        set(doc) <= RULES_OBJECT_KEYS
        and isinstance(events, list)
        and all(
            isinstance(e, Mapping) and set(e) <= RULES_EVENT_KEYS and isinstance(e.get("rules"), Mapping)
            for e in events
        )
    )


def detect(doc: Any) -> bool:
    if not isinstance(doc, Mapping):
        return False
    if _rules_object(doc):
        return True
    rules = doc.get("rules")
    if isinstance(rules, list):
        return all(isinstance(r, Mapping) and "type" in r for r in rules)
    return isinstance(rules, Mapping) and ("events" in rules or "identify" in rules)


def _payload_schema(schema: Mapping[str, Any], part: str, reader: SchemaReader, where: str) -> Mapping[str, Any]:
    """Segment wraps a call's schema in {properties: {context, properties, traits}}. Some
    plans also put the envelope's `required: ["properties"]` among those schemas: it is kept
    (`x-segment-required`) and written back where it was. Any other value that is not a schema
    is named in a warning and left out."""
    props = schema.get("properties")
    if not isinstance(props, Mapping):
        return schema
    strays = sorted(k for k, v in props.items() if not isinstance(v, Mapping))
    kept: dict[str, Any] = {}
    if strays and set(props) - set(strays) <= ENVELOPE_KEYS:
        required = props.get("required")
        if strays == ["required"] and isinstance(required, list) and set(map(str, required)) <= ENVELOPE_KEYS:
            kept["x-segment-required"] = required
        else:
            reader.warn(f"{where}: {', '.join(strays)} in the envelope's properties is not a schema; left out.")
        props = {k: v for k, v in props.items() if k not in strays}
    if props and set(props) <= ENVELOPE_KEYS:
        inner = props.get(part)
        return {**(inner if isinstance(inner, Mapping) else {"type": "object", "properties": {}}), **kept}
    return schema


def _labels(schema: Mapping[str, Any]) -> list[str]:
    labels = schema.get("labels")
    if isinstance(labels, Mapping):
        return [f"{k}:{v}" for k, v in labels.items()]
    return []


def read(source: InputFile) -> Incoming:
    doc, name = source.json, source.name
    require(detect(doc), name, "rules", "expected Segment tracking-plan rules")
    reader = SchemaReader(name, avo=False)
    events: list[Event] = []
    traits: dict[str, Event] = {}
    rules = doc if _rules_object(doc) else doc["rules"]
    for kind, event_name, schema, where in _rules(rules):
        require(isinstance(schema, Mapping), name, where, "needs a JSON Schema object")
        schema = dict(schema)
        description = schema.get("description")
        tags = _labels(schema)
        schema.pop("labels", None)
        metadata = schema.pop("eventMetadata", None)
        mapping = []
        if isinstance(metadata, Mapping) and metadata.get("name") not in (None, event_name):
            # A rule keyed by the event's Segment name: the plan's name is in the metadata.
            mapping = [{"name": event_name, "destination": "Segment"}]
            event_name = metadata["name"]
        if kind in ("PAGE", "SCREEN"):
            event_name = event_name or kind.title()
        if kind in ("TRACK", "PAGE", "SCREEN"):
            require(
                isinstance(event_name, str) and bool(event_name), name, f"{where}.key", "the event name is required"
            )
            inner = dict(_payload_schema(schema, "properties", reader, where))
            inner.setdefault("description", description)
            event_type = None if kind == "TRACK" else kind.lower()
            event = reader.event(str(event_name), inner, where, tags=tags, event_type=event_type, name_mapping=mapping)
            events.append(event)
        elif kind in ("IDENTIFY", "GROUP"):
            title = "Identify Properties" if kind == "IDENTIFY" else "Group Properties"
            inner = dict(_payload_schema(schema, "traits", reader, where))
            inner.setdefault("description", description)
            traits[kind] = reader.event(title, inner, where)
        elif kind == "GLOBAL":
            traits[kind] = reader.event(
                "Context Properties", dict(_payload_schema(schema, "context", reader, where)), where
            )
        else:
            reader.warn(
                f"Segment rule {where} of type {kind!r} is not a track, identify or group rule and was skipped."
            )
    contexts = (("global", traits["GLOBAL"]),) if "GLOBAL" in traits else ()
    plan = Plan(events=tuple(events), identify=traits.get("IDENTIFY"), group=traits.get("GROUP"), contexts=contexts)
    return Incoming(plan=plan, warnings=reader.warnings)


def _rules(rules: Any) -> list[tuple[str, Any, Any, str]]:
    """(kind, event name, schema, where) of each rule: the Public API's `rules` array, or the
    Config API's `rules.events` with `rules.identify` and `rules.group`."""
    if isinstance(rules, list):
        return [
            (
                str(r.get("type")),
                r.get("key") or (r.get("jsonSchema") or {}).get("eventMetadata", {}).get("name"),
                r.get("jsonSchema"),
                f"rules[{i}]",
            )
            for i, r in enumerate(rules)
        ]
    entries = [
        (
            str(e.get("eventType") or "track").upper(),
            e.get("name"),
            {**(e.get("rules") or {}), "description": e.get("description")},
            f"rules.events[{i}]",
        )
        for i, e in enumerate(rules.get("events") or [])
    ]
    for key, kind in (*TRAIT_KEYS.items(), ("global", "global")):
        if isinstance(rules.get(key), Mapping):
            entries.append((kind.upper(), None, rules[key], f"rules.{key}"))
    return entries


def document(plan: Plan) -> dict[str, Any]:
    """Segment Public API tracking-plan rules: TRACK per event, IDENTIFY and GROUP traits."""
    draft = "http://json-schema.org/draft-07/schema#"

    def rule(kind: str, key: str | None, part: Event, slot: str) -> dict[str, Any]:
        inner = plain_schema(part)
        schema: dict[str, Any] = {"$schema": draft, "type": "object"}
        if part.description:
            schema["description"] = part.description
        labels = dict(t.split(":", 1) for t in part.tags if ":" in t)
        if labels:
            schema["labels"] = labels
        inner.pop("description", None)
        if not inner.get("properties"):
            inner.pop("properties", None)  # an empty `properties` says nothing
        schema["properties"] = {"context": {}, "properties": {}, "traits": {}, slot: inner}
        if "x-segment-required" in part.extra:
            schema["properties"]["required"] = thaw(part.extra["x-segment-required"])
        if key not in (None, part.name):
            schema["eventMetadata"] = {"name": part.name}
        out: dict[str, Any] = {"type": kind}
        if key is not None:
            out["key"] = key
        out["version"] = 1
        out["jsonSchema"] = schema
        return out

    rules = [rule(_kind(e), _rule_key(e), e, "properties") for e in plan.events]
    # A global, identify or group rule without properties says nothing (and init writes
    # identify and group files without traits).
    for kind, part, slot in (
        ("GLOBAL", plan.context("global"), "context"),
        ("IDENTIFY", plan.identify, "traits"),
        ("GROUP", plan.group, "traits"),
    ):
        if part is not None and part.properties:
            rules.append(rule(kind, None, part, slot))
    return {"name": plan.settings.name, "rules": rules}


def _kind(event: Event) -> str:
    return event.event_type.upper() if event.event_type in ("page", "screen") else "TRACK"


def _rule_key(event: Event) -> str:
    """The name Segment receives the event as: its name mapping for Segment, else its name."""
    mapped = [m.name for m in event.name_mapping if m.destination.casefold() == "segment"]
    return mapped[0] if mapped else event.name


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan), options)

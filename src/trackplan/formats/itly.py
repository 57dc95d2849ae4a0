"""Iteratively (Amplitude Data) import/export JSON: {events: [{sources, schema}], identify,
group, context}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import Incoming, InputFile, WriteOptions, json_document, listed, plain_schema, require
from trackplan.model import Event, Plan, Settings, Source
from trackplan.model.slugs import slugify

TOP_KEYS = {"events", "identify", "group", "context"}


def detect(doc: Any) -> bool:
    if not isinstance(doc, Mapping) or not set(doc) <= TOP_KEYS or not doc:
        return False
    events = doc.get("events", [])
    return isinstance(events, list) and all(isinstance(e, Mapping) and "schema" in e for e in events)


def _source_names(value: Any, source: str, where: str) -> list[str]:
    names = []
    for item in listed(value, source, where, "a list of sources"):
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, Mapping) and item.get("name"):
            names.append(str(item["name"]))
    return names


def _schema(part: Any, name: str, where: str) -> Mapping[str, Any]:
    """The `schema` object of an events/identify/group/context entry."""
    require(
        isinstance(part, Mapping) and isinstance(part.get("schema"), Mapping),
        name,
        where,
        "needs a schema object",
    )
    return part["schema"]  # type: ignore[no-any-return]


def read(source: InputFile) -> Incoming:
    doc, name = source.json, source.name
    require(isinstance(doc, Mapping), name, "top level", "expected an object")
    unknown = set(doc) - TOP_KEYS
    require(
        not unknown,
        name,
        ", ".join(sorted(unknown)),
        "unknown top-level key (itly has events, identify, group, context)",
    )
    require(isinstance(doc.get("events", []), list), name, "events", "must be an array")
    reader = SchemaReader(name, avo=False, root=None)
    items = doc.get("events", [])
    events = tuple(_event(item, f"events[{index}]", reader) for index, item in enumerate(items))
    sources = sorted(
        {s for i, item in enumerate(items) for s in _source_names(item.get("sources"), name, f"events[{i}].sources")}
    )
    contexts = _contexts(doc.get("context"), reader)
    plan = Plan(
        settings=Settings(sources=tuple(Source(name=s) for s in sources)),
        events=events,
        identify=_traits(doc, "identify", "Identify Properties", reader),
        group=_traits(doc, "group", "Group Properties", reader),
        contexts=contexts,
    )
    return Incoming(plan=plan, warnings=reader.warnings)


def _event(item: Any, where: str, reader: SchemaReader) -> Event:
    schema = _schema(item, reader.source_name, where)
    title = schema.get("title")
    require(
        isinstance(title, str) and bool(title.strip()),
        reader.source_name,
        f"{where}.schema.title",
        "the event name is required",
    )
    sources = _source_names(item.get("sources"), reader.source_name, f"{where}.sources")
    return reader.event(str(title), schema, f"{where}.schema", id=schema.get("$id"), sources=sources)


def _traits(doc: Mapping[str, Any], key: str, title: str, reader: SchemaReader) -> Event | None:
    part = doc.get(key)
    if part is None:
        return None
    schema = _schema(part, reader.source_name, key)
    return reader.event(str(schema.get("title") or title), schema, f"{key}.schema", id=schema.get("$id"))


def _contexts(context: Any, reader: SchemaReader) -> tuple[tuple[str, Event], ...]:
    """(source, context properties) of `context`: one object, or an array of them."""
    items = context if isinstance(context, list) else [context] if isinstance(context, Mapping) else []
    contexts = []
    for index, item in enumerate(items):
        where = f"context[{index}]" if isinstance(context, list) else "context"
        schema = _schema(item, reader.source_name, where)
        context_source = str(item.get("source") or _context_source(schema) or "all")
        title = str(schema.get("title") or "Context Properties")
        contexts.append((context_source, reader.event(title, schema, f"{where}.schema", id=schema.get("$id"))))
    return tuple(contexts)


def _context_source(schema: Mapping[str, Any]) -> str | None:
    # itly's context $id ends with "context-<source>".
    schema_id = str(schema.get("$id") or "")
    tail = schema_id.rsplit("/", 1)[-1]
    return tail.removeprefix("context-") if tail.startswith("context-") else None


ITLY_DRAFT = "http://json-schema.org/draft-07/schema#"


def _itly_schema(part: Event, default_id: str) -> dict[str, Any]:
    schema: dict[str, Any] = {
        "$id": part.id or default_id,
        "$schema": ITLY_DRAFT,
        "title": part.name,
        "description": part.description,
    }
    schema.update(plain_schema(part))  # additionalProperties as written, absent when it was
    schema.setdefault("required", [])  # itly always lists them, empty or not
    return schema


def document(plan: Plan, source: str | None = None) -> dict[str, Any]:
    """itly's export: account-wide, or only `source`'s events without `sources` fields."""
    base = f"urn:trackplan:{slugify(plan.settings.name)}"
    events = []
    for event in plan.events:
        if source is not None and source not in event.sources:
            continue
        entry: dict[str, Any] = {"sources": list(event.sources)} if source is None and event.sources else {}
        entry["schema"] = _itly_schema(event, f"{base}:event:{slugify(event.name)}")
        events.append(entry)
    doc: dict[str, Any] = {"events": events}
    if plan.identify is not None:
        doc["identify"] = {"schema": _itly_schema(plan.identify, f"{base}:identify")}
    if plan.group is not None:
        doc["group"] = {"schema": _itly_schema(plan.group, f"{base}:group")}
    contexts = [(s, c) for s, c in plan.contexts if source is None or s == source]
    if contexts:
        doc["context"] = [
            {**({"source": s} if s != "all" else {}), "schema": _itly_schema(c, f"{base}:context-{slugify(s)}")}
            for s, c in contexts
        ]  # "all" is what a context without a source is read as
    return doc


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan, options.source), options)

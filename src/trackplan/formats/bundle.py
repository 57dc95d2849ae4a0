"""trackplan's own lossless bundle of a whole plan (JSON, or YAML with aliases refused)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats.base import Incoming, InputFile, WriteOptions, json_document, require
from trackplan.model import Event, Plan, Settings

FORMAT = "trackplan-bundle"


def detect(doc: Any) -> bool:
    return isinstance(doc, Mapping) and doc.get("format") == FORMAT


def document(plan: Plan) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "format": FORMAT,
        "version": 1,
        "settings": plan.settings.to_json(),
        "events": [e.to_json() for e in plan.events],
    }
    if plan.identify is not None:
        doc["identify"] = plan.identify.to_json()
    if plan.group is not None:
        doc["group"] = plan.group.to_json()
    if plan.contexts:
        doc["contexts"] = {source: ctx.to_json() for source, ctx in plan.contexts}
    return doc


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan), options)


def read(source: InputFile) -> Incoming:
    name = source.name
    doc = source.json if source.is_json else yamlio.load(source.data, name)
    require(detect(doc), name, "format", f"expected {FORMAT!r}")

    def event(value: Any, where: str) -> Event:
        try:
            return Event.from_json(value)
        except ValueError as exc:
            raise InputError(f"{name}: {where}: {exc}") from None

    events = doc.get("events") or []
    require(isinstance(events, list), name, "events", "must be an array")
    contexts = doc.get("contexts") or {}
    require(isinstance(contexts, Mapping), name, "contexts", "must be an object")
    try:
        settings = Settings.from_json(doc.get("settings") or {})
    except (ValueError, TypeError) as exc:
        raise InputError(f"{name}: settings: {exc}") from None
    plan = Plan(
        settings=settings,
        events=tuple(event(e, f"events[{i}]") for i, e in enumerate(events)),
        identify=event(doc["identify"], "identify") if doc.get("identify") else None,
        group=event(doc["group"], "group") if doc.get("group") else None,
        contexts=tuple((str(s), event(c, f"contexts.{s}")) for s, c in contexts.items()),
    )
    return Incoming(plan=plan)

"""Avo's JSON Schema export: {"name", "events": [...], "sources", "destinations", ...}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan.formats.base import Incoming, InputFile
from trackplan.formats.schema import SchemaReader, require
from trackplan.jsonvalue import SetList
from trackplan.model import Destination, Domain, Plan, Settings, Source


def detect(doc: Any) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("events"), list)


def _by_id(value: Any) -> dict[str, Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, Mapping)}
    if isinstance(value, list):
        return {str(v.get("id")): v for v in value if isinstance(v, Mapping) and v.get("id")}
    return {}


def _source(value: Mapping[str, Any], destinations: Mapping[str, Mapping[str, Any]]) -> Source:
    names = []
    for dest in value.get("destinations") or []:
        dest_id = str(dest.get("id") if isinstance(dest, Mapping) else dest)
        name = destinations.get(dest_id, {}).get("name")
        if name:
            names.append(str(name))
    return Source(name=str(value["name"]), id=value.get("id"), destinations=SetList(names))


def read(source: InputFile) -> Incoming:
    doc, name = source.json, source.name
    require(detect(doc), name, "events", "expected an array of events")
    destinations = _by_id(doc.get("destinations"))
    plan_sources = {str(v.get("name")): v for v in _by_id(doc.get("sources")).values()}
    reader = SchemaReader(name, avo=True, root=doc)
    reader.destination_names = {k: str(v.get("name") or k) for k, v in destinations.items()}
    events = []
    skipped = 0
    sources: dict[str, Source] = {}
    domains: set[str] = set()
    for index, item in enumerate(doc["events"]):
        where = f"events[{index}]"
        require(isinstance(item, Mapping), name, where, "each event must be an object")
        event_name = item.get("name")
        if not isinstance(event_name, str) or not event_name.strip():
            skipped += 1
            continue
        if item.get("eventType") == "variant":
            reader.warn(f"Event variant '{event_name}' was skipped. Variants are not supported in import.")
            skipped += 1
            continue
        rules = item.get("rules") or {}
        require(isinstance(rules, Mapping), name, f"{where}.rules", "must be an object")
        schemas = rules.get("properties") or {}
        require(isinstance(schemas, Mapping), name, f"{where}.rules.properties", "must be an object")
        schema = dict(schemas.get("properties") or {"type": "object", "properties": {}})
        user = schemas.get("userProperties")
        if isinstance(user, Mapping) and user.get("properties"):
            merged = dict(schema.get("properties") or {})
            for prop, spec in user["properties"].items():
                merged[prop] = {**spec, "x-avo-sendAs": "UserProperty"} if isinstance(spec, Mapping) else spec
            schema["properties"] = merged
            schema["required"] = [*schema.get("required", []), *user.get("required", [])]
        if schemas.get("groupProperties"):
            reader.warn(
                f"Event '{event_name}': 'groupProperties' is not supported in import and will be skipped."
            )
        event_sources = []
        for listed in item.get("sources") or []:
            if not (isinstance(listed, Mapping) and listed.get("name")):
                continue
            source_name = str(listed["name"])
            event_sources.append(source_name)
            if source_name not in sources:
                # The top-level `sources` lists every destination; the event's copy may not.
                sources[source_name] = _source(plan_sources.get(source_name, listed), destinations)
        stakeholders = [
            str(d["name"])
            for d in item.get("stakeholderDomains") or []
            if isinstance(d, Mapping) and d.get("name")
        ]
        owner = next(
            (
                str(d["name"])
                for d in item.get("stakeholderDomains") or []
                if isinstance(d, Mapping) and d.get("isOwner")
            ),
            None,
        )
        domains.update(stakeholders)
        events.append(
            reader.event(
                event_name,
                schema,
                f"{where}.rules.properties.properties",
                id=item.get("id"),
                description=str(item.get("description") or ""),
                tags=[str(t) for t in item.get("tags") or []],
                sources=event_sources,
                owner=owner,
                stakeholders=stakeholders,
                name_mapping=reader.name_mapping(
                    rules.get("nameMapping") or [], f"{where}.rules.nameMapping"
                ),
            )
        )
    settings = Settings(
        sources=tuple(sorted(sources.values())),
        destinations=tuple(
            sorted(
                Destination(name=str(d.get("name")), id=k, kind=d.get("type"))
                for k, d in destinations.items()
                if d.get("name")
            )
        ),
        domains=tuple(sorted(Domain(name=d) for d in domains)),
    )
    return Incoming(
        plan=Plan(settings=settings, events=tuple(events)),
        warnings=reader.warnings,
        skipped=skipped,
    )

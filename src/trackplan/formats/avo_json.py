"""Avo's JSON Schema export: {"name", "events": [...], "sources", "destinations", ...}."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import (
    Incoming,
    InputFile,
    WriteOptions,
    json_document,
    listed,
    plain_property,
    require,
    stable_id,
)
from trackplan.model import Destination, Domain, Event, Plan, Property, Settings, Source
from trackplan.model.frozen import SetList


def detect(doc: Any) -> bool:
    return isinstance(doc, Mapping) and isinstance(doc.get("events"), list)


def _by_id(value: Any) -> dict[str, Mapping[str, Any]]:
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items() if isinstance(v, Mapping)}
    if isinstance(value, list):
        return {str(v.get("id")): v for v in value if isinstance(v, Mapping) and v.get("id")}
    return {}


def _source(
    value: Mapping[str, Any], destinations: Mapping[str, Mapping[str, Any]], source_name: str, where: str
) -> Source:
    names = []
    for dest in listed(value.get("destinations"), source_name, f"{where}.destinations", "a list of destinations"):
        dest_id = str(dest.get("id") if isinstance(dest, Mapping) else dest)
        name = destinations.get(dest_id, {}).get("name")
        if name:
            names.append(str(name))
    return Source(name=str(value["name"]), id=value.get("id"), destinations=SetList(names))


def read(source: InputFile) -> Incoming:
    """The plan in an export; its settings list the sources and domains its events name."""
    require(detect(source.json), source.name, "events", "expected an array of events")
    export = _Export(source)
    events = []
    for index, item in enumerate(source.json["events"]):
        event = export.event(item, f"events[{index}]")
        if event is not None:
            events.append(event)
    plan = Plan(settings=export.settings(), events=tuple(events))
    return Incoming(plan=plan, warnings=export.reader.warnings, skipped=export.skipped)


class _Export:
    """One export being read: its events one by one, and the sources and domains they name."""

    def __init__(self, source: InputFile) -> None:
        doc = source.json
        self.name = source.name
        self.destinations = _by_id(doc.get("destinations"))
        self.plan_sources = {str(v.get("name")): v for v in _by_id(doc.get("sources")).values()}
        self.reader = SchemaReader(self.name, avo=True, root=doc, may_have_refs=b'"$ref"' in source.data)
        self.reader.destination_names = {k: str(v.get("name") or k) for k, v in self.destinations.items()}
        # Avo leaves categories out because events carry goal ids; when the export's own
        # `categories` map names them, there is no phantom to fear, so they are kept.
        self.category_names = {k: str(v["name"]) for k, v in _by_id(doc.get("categories")).items() if v.get("name")}
        self.sources: dict[str, Source] = {}
        self.domains: set[str] = set()
        self.skipped = 0  # events without a name, and variants

    def event(self, item: Any, where: str) -> Event | None:
        require(isinstance(item, Mapping), self.name, where, "each event must be an object")
        event_name = item.get("name")
        if not isinstance(event_name, str) or not event_name.strip():
            self.skipped += 1
            return None
        if item.get("eventType") == "variant":
            self.reader.warn(f"Event variant '{event_name}' was skipped. Variants are not supported in import.")
            self.skipped += 1
            return None
        rules = item.get("rules") or {}
        require(isinstance(rules, Mapping), self.name, f"{where}.rules", "must be an object")
        schema = self._schema(rules, event_name, where)
        event_sources = self._sources(item, where)
        listed_domains = listed(item.get("stakeholderDomains"), self.name, f"{where}.stakeholderDomains", "a list")
        domains = [d for d in listed_domains if isinstance(d, Mapping)]
        stakeholders = [str(d["name"]) for d in domains if d.get("name")]
        self.domains.update(stakeholders)
        return self.reader.event(
            event_name,
            schema,
            f"{where}.rules.properties.properties",
            id=item.get("id"),
            description=str(item.get("description") or ""),
            tags=[str(t) for t in listed(item.get("tags"), self.name, f"{where}.tags", "a list of strings")],
            categories=self._categories(item.get("categories"), f"{where}.categories"),
            sources=event_sources,
            owner=next((str(d["name"]) for d in domains if d.get("isOwner")), None),
            stakeholders=stakeholders,
            name_mapping=self.reader.name_mapping(rules.get("nameMapping") or [], f"{where}.rules.nameMapping"),
        )

    def _schema(self, rules: Mapping[str, Any], event_name: str, where: str) -> dict[str, Any]:
        """The event's properties schema, its user properties merged in (sent as such)."""
        schemas = rules.get("properties") or {}
        require(isinstance(schemas, Mapping), self.name, f"{where}.rules.properties", "must be an object")
        written = self._object(schemas.get("properties"), f"{where}.rules.properties.properties")
        schema = dict(written or {"type": "object", "properties": {}})
        user = schemas.get("userProperties")
        if isinstance(user, Mapping) and user.get("properties"):
            user_where = f"{where}.rules.properties.userProperties"
            merged = dict(self._object(schema.get("properties"), f"{where}.rules.properties.properties.properties"))
            for prop, spec in self._object(user["properties"], f"{user_where}.properties").items():
                merged[prop] = {**spec, "x-avo-sendAs": "UserProperty"} if isinstance(spec, Mapping) else spec
            schema["properties"] = merged
            schema["required"] = [
                *listed(schema.get("required"), self.name, f"{where}.rules.properties.properties.required", "a list"),
                *listed(user.get("required"), self.name, f"{user_where}.required", "a list"),
            ]
        if schemas.get("groupProperties"):
            self.reader.warn(f"Event '{event_name}': 'groupProperties' is not supported in import and will be skipped.")
        return schema

    def _categories(self, value: Any, where: str) -> list[str]:
        ids = listed(value, self.name, where, "a list of category ids")
        require(
            all(isinstance(c, str) for c in ids), self.name, where, f"expected a list of category ids, got {value!r}"
        )
        return [self.category_names[c] for c in ids if c in self.category_names]

    def _object(self, value: Any, where: str) -> Mapping[str, Any]:
        """An object the export may leave out (None: empty), or a one-line error naming the field."""
        if value is None:
            return {}
        if not isinstance(value, Mapping):  # the message, a repr of the whole value, only when it fails
            require(False, self.name, where, f"expected an object, got {value!r}")
        return value  # type: ignore[no-any-return]

    def _sources(self, item: Mapping[str, Any], where: str) -> list[str]:
        """The names of the event's sources; each new one joins the plan's sources."""
        names = []
        for index, entry in enumerate(listed(item.get("sources"), self.name, f"{where}.sources", "a list of sources")):
            if not (isinstance(entry, Mapping) and entry.get("name")):
                continue
            source_name = str(entry["name"])
            names.append(source_name)
            if source_name not in self.sources:
                # The top-level `sources` lists every destination; the event's copy may not.
                known = source_name in self.plan_sources
                self.sources[source_name] = _source(
                    self.plan_sources[source_name] if known else entry,
                    self.destinations,
                    self.name,
                    "sources" if known else f"{where}.sources[{index}]",
                )
        return names

    def settings(self) -> Settings:
        destinations = (
            Destination(name=str(d.get("name")), id=k, kind=d.get("type"))
            for k, d in self.destinations.items()
            if d.get("name")
        )
        return Settings(
            sources=tuple(sorted(self.sources.values())),
            destinations=tuple(sorted(destinations)),
            domains=tuple(sorted(Domain(name=d) for d in self.domains)),
        )


# -- writing -----------------------------------------------------------------------------------


def _avo_property(prop: Property, destination_ids: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {"id": prop.id or stable_id("property", prop.name)}
    out.update((k, v) for k, v in plain_property(prop).items())
    out["nameMapping"] = [
        {"name": m.name, "destinationId": destination_ids.get(m.destination, m.destination)} for m in prop.name_mapping
    ]
    out["isSystemProperty"] = prop.send_as == "SystemProperty"
    tags = prop.schema.get("x-tags")
    if tags:
        out["tags"] = list(tags)
    return out


def _object(props: list[Property], destination_ids: Mapping[str, str], closed: Any = None) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "object",
        "properties": {p.name: _avo_property(p, destination_ids) for p in props},
    }
    if closed is not None:
        out["additionalProperties"] = closed
    out["required"] = [p.name for p in props if p.required]
    return out


class Ids:
    """Stable ids of a plan's sources, destinations and domains (their own, else derived)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.destinations = {d.name: d.id or stable_id("destination", d.name) for d in settings.destinations}
        self.sources = {s.name: s.id or stable_id("source", s.name) for s in settings.sources}
        self.domains = {d.name: d.id or stable_id("domain", d.name) for d in settings.domains}

    def destination(self, name: str) -> str:
        return self.destinations.get(name, stable_id("destination", name))


def _inlined(event: Event) -> Event:
    """The event with its local `$ref`s replaced by their targets: Avo's format holds inline
    schemas only, and its `$defs` would not travel with it."""
    if "$defs" not in event.extra and "definitions" not in event.extra:
        return event
    doc = SchemaReader(f"event {event.name!r}", avo=False).inline_refs(event.to_json(), "properties")
    return Event.from_json({k: v for k, v in doc.items() if k not in ("$defs", "definitions")})


def event_doc(event: Event, ids: Ids) -> dict[str, Any]:
    """One event of the export; depends only on the event and the plan settings."""
    event = _inlined(event)
    by_kind: dict[str, list[Property]] = {"properties": [], "userProperties": []}
    for prop in event.properties:
        by_kind["userProperties" if prop.send_as == "UserProperty" else "properties"].append(prop)
    rules_properties: dict[str, Any] = {
        "properties": _object(by_kind["properties"], ids.destinations, event.additional_properties)
    }
    if by_kind["userProperties"]:
        rules_properties["userProperties"] = _object(by_kind["userProperties"], ids.destinations)
    sources = {s.name: s for s in ids.settings.sources}
    return {
        "id": event.id or stable_id("event", event.name),
        "name": event.name,
        "description": event.description,
        "eventType": "event",
        "tags": list(event.tags),
        "categories": [stable_id("category", c) for c in event.categories],
        "sources": [
            {
                "id": ids.sources.get(name, stable_id("source", name)),
                "name": name,
                "destinations": [
                    {"id": ids.destination(d)} for d in (sources[name].destinations if name in sources else ())
                ],
            }
            for name in event.sources
        ],
        "stakeholderDomains": [
            {"id": ids.domains.get(d, stable_id("domain", d)), "name": d, "isOwner": d == event.owner}
            for d in sorted({*event.stakeholders, *([event.owner] if event.owner else [])})
        ],
        "rules": {
            "$schema": "http://json-schema.org/draft-06/schema#",
            "type": "object",
            "required": ["properties", "nameMapping"],
            "nameMapping": [
                {"name": m.name, "destinationId": ids.destinations.get(m.destination, m.destination)}
                for m in event.name_mapping
            ],
            "properties": rules_properties,
        },
    }


def envelope(settings: Settings, label: str, events: list[Any], categories: dict[str, list[Any]]) -> dict[str, Any]:
    """The document around the events; `categories` maps each category to its event ids."""
    ids = Ids(settings)
    return {
        "name": f"Exported Tracking Plan: {label}",
        "events": events,
        "sources": {
            ids.sources[s.name]: {
                "id": ids.sources[s.name],
                "name": s.name,
                "destinations": [ids.destination(d) for d in s.destinations],
            }
            for s in settings.sources
        },
        "destinations": {
            ids.destinations[d.name]: {"id": ids.destinations[d.name], "name": d.name, "type": d.kind or d.name}
            for d in settings.destinations
        },
        "categories": {
            stable_id("category", name): {"id": stable_id("category", name), "name": name, "events": event_ids}
            for name, event_ids in sorted(categories.items(), key=lambda item: stable_id("category", item[0]))
        },
    }


def document(plan: Plan, label: str) -> dict[str, Any]:
    """Avo's JSON Schema export (see the Avo export example): events, sources,
    destinations and categories, keyed and ordered deterministically."""
    ids = Ids(plan.settings)
    categories: dict[str, list[Any]] = {}
    events = []
    for event in plan.events:
        doc = event_doc(event, ids)
        for category in event.categories:
            categories.setdefault(category, []).append(doc["id"])
        events.append(doc)
    return envelope(plan.settings, label, events, categories)


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan, options.label), options)

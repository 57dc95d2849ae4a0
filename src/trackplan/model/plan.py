"""The tracking plan as immutable values, with no I/O.

An event is a JSON Schema document plus `x-` keys (see DESIGN.md). The model interprets the
keys it knows and keeps every other keyword in `extra`, so a document maps to the model and
back without loss. All values are frozen (see `jsonvalue`) and set-like lists compare as sets.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from trackplan.model.frozen import (
    EMPTY,
    FrozenDict,
    SetList,
    WrittenSet,
    as_names,
    as_optional_text,
    as_text,
    freeze,
    ordered_keys,
    thaw,
)
from trackplan.model.settings import Settings

SEND_AS_VALUES = ("EventProperty", "UserProperty", "SystemProperty")
STATUS_VALUES = ("draft", "live", "deprecated")

# Canonical key order for written documents; keys not listed follow, sorted.
EVENT_HEAD_KEYS = (
    "title",
    "description",
    "type",
    "x-id",
    "x-version",
    "x-status",
    "x-event-type",
    "x-tags",
    "x-categories",
    "x-sources",
    "x-owner",
    "x-stakeholders",
    "x-name-mapping",
)
EVENT_TAIL_KEYS = ("properties", "required", "additionalProperties")
PROPERTY_KEYS = (
    "type",
    "description",
    "items",
    "enum",
    "const",
    "pattern",
    "x-id",
    "x-send-as",
    "x-name-mapping",
)
_PROPERTY_KEY_SET = frozenset(PROPERTY_KEYS)
_EVENT_KEYS = frozenset(EVENT_HEAD_KEYS) | frozenset(EVENT_TAIL_KEYS)


_SCHEMAVER = re.compile(r"^(0|[1-9]\d*)-(0|[1-9]\d*)-(0|[1-9]\d*)$")


@dataclass(frozen=True, order=True)
class SchemaVer:
    """Snowplow's MODEL-REVISION-ADDITION version."""

    model: int
    revision: int
    addition: int

    @classmethod
    def parse(cls, text: str) -> SchemaVer:
        match = _SCHEMAVER.match(text)
        if not match:
            raise ValueError(f"not a SchemaVer (MODEL-REVISION-ADDITION): {text!r}")
        return cls(*(int(part) for part in match.groups()))

    def __str__(self) -> str:
        return f"{self.model}-{self.revision}-{self.addition}"

    def bump(self, part: str) -> SchemaVer:
        if part == "model":
            return SchemaVer(self.model + 1, 0, 0)
        if part == "revision":
            return SchemaVer(self.model, self.revision + 1, 0)
        return SchemaVer(self.model, self.revision, self.addition + 1)


@dataclass(frozen=True, order=True)
class NameMapping:
    """The name an event or property is sent as to one destination."""

    destination: str
    name: str

    def to_json(self) -> dict[str, str]:
        return {"name": self.name, "destination": self.destination}


def _name_mappings(value: Any) -> SetList:
    if not value:
        return SetList()
    if not isinstance(value, tuple) or not all(isinstance(item, Mapping) for item in value):
        raise ValueError("field 'x-name-mapping' must be a list of {name, destination}")
    return SetList(
        NameMapping(destination=str(item.get("destination", "")), name=str(item.get("name", ""))) for item in value
    )


@dataclass(frozen=True)
class Property:
    """One property of an event (or of identify/group/context traits).

    `schema` is the property's JSON Schema with every keyword, `x-` keys included;
    the accessors below read the ones the tool interprets.
    """

    name: str
    schema: FrozenDict = field(default_factory=FrozenDict)
    required: bool = False

    @classmethod
    def build(cls, name: str, required: bool = False, **keywords: Any) -> Property:
        schema = {k.replace("_", "-") if k.startswith("x_") else k: v for k, v in keywords.items()}
        return cls(name, freeze({k: v for k, v in schema.items() if v is not None}), required)

    @property
    def type(self) -> Any:
        return self.schema.get("type")

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")

    @property
    def enum(self) -> WrittenSet | None:
        return self.schema.get("enum")

    @property
    def const(self) -> Any:
        return self.schema.get("const")

    @property
    def pattern(self) -> str | None:
        return self.schema.get("pattern")

    @property
    def id(self) -> str | None:
        return self.schema.get("x-id")

    @property
    def send_as(self) -> str:
        return str(self.schema.get("x-send-as") or "EventProperty")

    @property
    def name_mapping(self) -> SetList:
        return _name_mappings(self.schema.get("x-name-mapping"))

    def with_keyword(self, key: str, value: Any) -> Property:
        schema = self.schema.without(key) if value is None else self.schema.set(key, value)
        return replace(self, schema=schema)

    def to_json(self) -> dict[str, Any]:
        """The property's schema, keys in canonical order: `ordered_keys(thaw(schema), PROPERTY_KEYS)`,
        without the intermediate copy (every written file renders each of its properties)."""
        schema = self.schema
        doc = {k: thaw(schema[k]) for k in PROPERTY_KEYS if k in schema}
        if len(doc) < len(schema):
            doc.update({k: thaw(schema[k]) for k in sorted(schema) if k not in _PROPERTY_KEY_SET})
        return doc


@dataclass(frozen=True)
class Event:
    """One event: a JSON Schema document with `x-` metadata keys."""

    name: str
    description: str = ""
    id: str | None = None
    version: str | None = None
    status: str | None = None
    event_type: str | None = None
    tags: SetList = EMPTY
    categories: SetList = EMPTY
    sources: SetList = EMPTY
    owner: str | None = None
    stakeholders: SetList = EMPTY
    name_mapping: SetList = EMPTY
    properties: tuple[Property, ...] = ()
    additional_properties: Any = None
    extra: FrozenDict = field(default_factory=FrozenDict)
    # The order `required` was written in: kept on writing, not part of equality.
    required_order: tuple[str, ...] = field(default=(), compare=False)

    def __post_init__(self) -> None:
        # Canonical order: properties by name, so equal plans are equal values.
        ordered = tuple(sorted(self.properties, key=lambda p: p.name))
        if ordered != self.properties:
            object.__setattr__(self, "properties", ordered)
        for name in ("tags", "categories", "sources", "stakeholders", "name_mapping"):
            value = getattr(self, name)
            if not isinstance(value, SetList):
                object.__setattr__(self, name, SetList(value))

    # -- properties -----------------------------------------------------------------
    def get_property(self, name: str) -> Property | None:
        for prop in self.properties:
            if prop.name == name:
                return prop
        return None

    @property
    def property_names(self) -> list[str]:
        return [p.name for p in self.properties]

    def with_property(self, prop: Property) -> Event:
        others = tuple(p for p in self.properties if p.name != prop.name)
        return replace(self, properties=(*others, prop))

    def without_property(self, name: str) -> Event:
        return replace(self, properties=tuple(p for p in self.properties if p.name != name))

    def replace(self, **changes: Any) -> Event:
        return replace(self, **changes)

    # -- documents --------------------------------------------------------------------
    @classmethod
    def from_json(cls, doc: Mapping[str, Any], name: str | None = None) -> Event:
        """Build an event from its JSON Schema document. Raises ValueError naming the field."""
        if not isinstance(doc, Mapping):
            raise ValueError("an event document must be a mapping")
        doc = freeze(doc)
        title = doc.get("title", name)
        if not isinstance(title, str) or not title.strip():
            raise ValueError("field 'title': the event name must be a non-empty string")
        props = doc.get("properties", FrozenDict())
        if not isinstance(props, Mapping):
            raise ValueError("field 'properties' must be a mapping")
        required = doc.get("required", SetList())
        if not isinstance(required, tuple):
            raise ValueError("field 'required' must be a list")
        properties = []
        for prop_name, schema in props.items():
            if type(schema) is not FrozenDict:  # a parsed schema is one already (frozen above)
                if isinstance(schema, bool):
                    schema = FrozenDict() if schema else FrozenDict({"not": FrozenDict()})
                if not isinstance(schema, Mapping):
                    raise ValueError(f"field 'properties.{prop_name}' must be a mapping")
                schema = FrozenDict(schema)
            properties.append(Property(prop_name, schema, prop_name in required))
        # Required names without a property are kept so nothing is lost.
        orphans = SetList(r for r in required if r not in props)
        extra = FrozenDict({k: v for k, v in doc.items() if k not in _EVENT_KEYS})
        if orphans:
            extra = extra.set("x-required-unknown", orphans)
        for key in ("x-tags", "x-categories", "x-sources", "x-stakeholders"):
            value = doc.get(key)
            if value is not None and not isinstance(value, tuple):
                raise ValueError(f"field '{key}' must be a list")
        return cls(
            name=title,
            description=as_text(doc.get("description")),
            id=as_optional_text(doc.get("x-id")),
            version=as_optional_text(doc.get("x-version")),
            status=as_optional_text(doc.get("x-status")),
            event_type=as_optional_text(doc.get("x-event-type")),
            tags=as_names(doc.get("x-tags")),
            categories=as_names(doc.get("x-categories")),
            sources=as_names(doc.get("x-sources")),
            owner=as_optional_text(doc.get("x-owner")),
            stakeholders=as_names(doc.get("x-stakeholders")),
            name_mapping=_name_mappings(doc.get("x-name-mapping")),
            properties=tuple(properties),
            additional_properties=doc.get("additionalProperties"),
            extra=extra,
            required_order=tuple(r for r in required if isinstance(r, str)),
        )

    def to_json(self, property_doc: Callable[[Property], dict[str, Any]] = Property.to_json) -> dict[str, Any]:
        """The event document, keys in canonical order. `property_doc` writes each property: a
        writer of many events may pass one that shares the documents of the properties they share."""
        doc: dict[str, Any] = {"title": self.name}
        if self.description:
            doc["description"] = self.description
        doc["type"] = "object"
        optional = {
            "x-id": self.id,
            "x-version": self.version,
            "x-status": self.status,
            "x-event-type": self.event_type,
            "x-tags": list(self.tags),
            "x-categories": list(self.categories),
            "x-sources": list(self.sources),
            "x-owner": self.owner,
            "x-stakeholders": list(self.stakeholders),
            "x-name-mapping": [m.to_json() for m in self.name_mapping],
        }
        doc.update((k, v) for k, v in optional.items() if v not in (None, []))
        extra = thaw(self.extra)
        orphans = extra.pop("x-required-unknown", [])
        doc.update(extra)
        if self.properties:
            doc["properties"] = {p.name: property_doc(p) for p in self.properties}
        names = {p.name for p in self.properties if p.required} | set(orphans)
        written = [n for n in self.required_order if n in names]
        required = written + sorted(names.difference(written))
        if required:
            doc["required"] = required
        if self.additional_properties is not None:
            doc["additionalProperties"] = thaw(self.additional_properties)
        return ordered_keys(doc, EVENT_HEAD_KEYS, EVENT_TAIL_KEYS)


@dataclass(frozen=True)
class Plan:
    """A whole tracking plan. Events are kept sorted by name."""

    settings: Settings = field(default_factory=Settings)
    events: tuple[Event, ...] = ()
    identify: Event | None = None
    group: Event | None = None
    contexts: tuple[tuple[str, Event], ...] = ()

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.events, key=lambda e: e.name))
        if ordered != self.events:
            object.__setattr__(self, "events", ordered)
        contexts = tuple(sorted(self.contexts, key=lambda item: item[0]))
        if contexts != self.contexts:
            object.__setattr__(self, "contexts", contexts)

    def event(self, name: str) -> Event | None:
        for event in self.events:
            if event.name == name:
                return event
        return None

    def event_map(self) -> dict[str, Event]:
        return {e.name: e for e in self.events}

    def context(self, source: str) -> Event | None:
        return dict(self.contexts).get(source)

    def replace(self, **changes: Any) -> Plan:
        return replace(self, **changes)

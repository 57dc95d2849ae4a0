"""Tracking plans (Snowplow's data products) as immutable values: a named, owned group of
event specifications, and the document each one is written as in `tracking-plans/<slug>.yaml`.

`from_json` reads a document people may have written by hand: every wrong value is refused
with one line naming its field. Keys the model does not know are kept in `extra`, so a file
maps to the model and back without loss.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from uuid import UUID

from trackplan.model.frozen import FrozenDict, freeze, thaw

STATUSES = ("draft", "published", "deprecated")
"""A tracking plan's and an event specification's status; a new one starts as `draft`."""

PLAN_KEYS = (
    "id",
    "name",
    "description",
    "accessInstructions",
    "domain",
    "owner",
    "status",
    "sourceApplications",
    "eventSpecifications",
)
SPEC_KEYS = (
    "id",
    "name",
    "description",
    "status",
    "event",
    "schema",
    "entities",
    "triggers",
    "excludedSourceApplications",
)
TRIGGER_KEYS = ("id", "description", "appIds", "url", "image")
ENTITY_KEYS = ("source", "minCardinality", "maxCardinality", "schema")


class PlanFieldError(ValueError):
    """A value of a tracking-plan document that cannot be read; `field` is its path."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field


def new_id() -> UUID:
    return uuid.uuid4()


@dataclass(frozen=True)
class Trigger:
    """When an event specification's event is sent: text, and optionally where."""

    id: UUID
    description: str = ""
    app_ids: tuple[str, ...] = ()
    url: str | None = None
    image: str | None = None

    @classmethod
    def from_json(cls, doc: Any, where: str) -> Trigger:
        doc = _mapping(doc, where)
        return cls(
            id=_uuid(doc, where),
            description=_text(doc, "description", where),
            app_ids=_names(doc, "appIds", where),
            url=_optional(doc, "url", where),
            image=_optional(doc, "image", where),
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"id": str(self.id), "description": self.description}
        if self.app_ids:
            doc["appIds"] = list(self.app_ids)
        if self.url is not None:
            doc["url"] = self.url
        if self.image is not None:
            doc["image"] = self.image
        return doc


@dataclass(frozen=True)
class Entity:
    """An entity (context) sent with the event: its Iglu URI, how many, an optional narrowing."""

    source: str
    min_cardinality: int | None = None
    max_cardinality: int | None = None
    schema: FrozenDict | None = None

    @classmethod
    def from_json(cls, doc: Any, where: str) -> Entity:
        doc = _mapping(doc, where)
        source = _optional(doc, "source", where)
        if source is None:
            raise PlanFieldError(f"{where}.source", "an entity needs its Iglu URI (source: iglu:...)")
        return cls(
            source=source,
            min_cardinality=_cardinality(doc, "minCardinality", where),
            max_cardinality=_cardinality(doc, "maxCardinality", where),
            schema=_schema(doc, where),
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"source": self.source}
        if self.min_cardinality is not None:
            doc["minCardinality"] = self.min_cardinality
        if self.max_cardinality is not None:
            doc["maxCardinality"] = self.max_cardinality
        if self.schema is not None:
            doc["schema"] = thaw(self.schema)
        return doc


@dataclass(frozen=True)
class Entities:
    """Entities the tracker attaches (`tracked`) and the pipeline adds (`enriched`)."""

    tracked: tuple[Entity, ...] = ()
    enriched: tuple[Entity, ...] = ()

    @classmethod
    def from_json(cls, doc: Any, where: str) -> Entities:
        doc = _mapping(doc, where)
        return cls(
            tracked=tuple(
                Entity.from_json(e, f"{where}.tracked[{i}]") for i, e in enumerate(_list(doc, "tracked", where))
            ),
            enriched=tuple(
                Entity.from_json(e, f"{where}.enriched[{i}]") for i, e in enumerate(_list(doc, "enriched", where))
            ),
        )

    def to_json(self) -> dict[str, Any]:
        return {"tracked": [e.to_json() for e in self.tracked], "enriched": [e.to_json() for e in self.enriched]}


@dataclass(frozen=True)
class EventSpecification:
    """One event in a tracking plan, as this plan uses it. `event` is a trackplan event's name
    or an Iglu URI (`iglu:vendor/name/jsonschema/1-0-0`); `schema` optionally narrows the
    event's schema (a JSON Schema every payload of this specification must also match)."""

    id: UUID
    name: str
    event: str
    description: str = ""
    status: str = "draft"
    schema: FrozenDict | None = None
    entities: Entities = field(default_factory=Entities)
    triggers: tuple[Trigger, ...] = ()
    excluded_source_applications: tuple[str, ...] = ()
    extra: FrozenDict = field(default_factory=FrozenDict)

    @classmethod
    def from_json(cls, doc: Any, where: str) -> EventSpecification:
        doc = _mapping(doc, where)
        event = _optional(doc, "event", where)
        if event is None:
            raise PlanFieldError(f"{where}.event", "an event specification needs an event (a name or an Iglu URI)")
        return cls(
            id=_uuid(doc, where),
            name=_optional(doc, "name", where) or event,
            event=event,
            description=_text(doc, "description", where),
            status=_status(doc, where),
            schema=_schema(doc, where),
            entities=Entities.from_json(doc.get("entities") or {}, f"{where}.entities"),
            triggers=tuple(
                Trigger.from_json(t, f"{where}.triggers[{i}]") for i, t in enumerate(_list(doc, "triggers", where))
            ),
            excluded_source_applications=_names(doc, "excludedSourceApplications", where),
            extra=FrozenDict(freeze({k: v for k, v in doc.items() if k not in SPEC_KEYS})),
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": self.description,
            "status": self.status,
            "event": self.event,
        }
        if self.schema is not None:
            doc["schema"] = thaw(self.schema)
        if self.entities != Entities():
            doc["entities"] = self.entities.to_json()
        doc["triggers"] = [t.to_json() for t in self.triggers]
        if self.excluded_source_applications:
            doc["excludedSourceApplications"] = list(self.excluded_source_applications)
        doc.update(thaw(self.extra))
        return doc


@dataclass(frozen=True)
class TrackingPlan:
    """A named, owned group of event specifications. `id` stays the same across renames;
    `name` is unique in the repository, case-insensitively."""

    id: UUID
    name: str
    description: str = ""
    access_instructions: str = ""
    domain: str | None = None
    owner: str | None = None
    status: str = "draft"
    source_applications: tuple[str, ...] = ()
    event_specifications: tuple[EventSpecification, ...] = ()
    extra: FrozenDict = field(default_factory=FrozenDict)

    @classmethod
    def from_json(cls, doc: Any) -> TrackingPlan:
        doc = _mapping(doc, "document")
        name = _optional(doc, "name", "")
        if name is None or not name.strip():
            raise PlanFieldError("name", "a tracking plan needs a name")
        return cls(
            id=_uuid(doc, ""),
            name=name,
            description=_text(doc, "description", ""),
            access_instructions=_text(doc, "accessInstructions", ""),
            domain=_optional(doc, "domain", ""),
            owner=_optional(doc, "owner", ""),
            status=_status(doc, ""),
            source_applications=_names(doc, "sourceApplications", ""),
            event_specifications=tuple(
                EventSpecification.from_json(spec, f"eventSpecifications[{i}]")
                for i, spec in enumerate(_list(doc, "eventSpecifications", ""))
            ),
            extra=FrozenDict(freeze({k: v for k, v in doc.items() if k not in PLAN_KEYS})),
        )

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {
            "id": str(self.id),
            "name": self.name,
            "description": self.description,
            "accessInstructions": self.access_instructions,
        }
        if self.domain is not None:
            doc["domain"] = self.domain
        if self.owner is not None:
            doc["owner"] = self.owner
        doc["status"] = self.status
        doc["sourceApplications"] = list(self.source_applications)
        doc["eventSpecifications"] = [spec.to_json() for spec in self.event_specifications]
        doc.update(thaw(self.extra))
        return doc

    def specification(self, wanted: str) -> EventSpecification | None:
        """A specification by id, or by name case-insensitively."""
        folded = wanted.casefold()
        for spec in self.event_specifications:
            if str(spec.id) == wanted.lower() or spec.name.casefold() == folded:
                return spec
        return None

    def with_specification(self, spec: EventSpecification) -> TrackingPlan:
        """This plan with `spec` replacing the one of the same id, or added at the end."""
        specs = [spec if s.id == spec.id else s for s in self.event_specifications]
        if all(s.id != spec.id for s in self.event_specifications):
            specs.append(spec)
        return replace(self, event_specifications=tuple(specs))


# -- reading values ---------------------------------------------------------------------------


def _at(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _mapping(doc: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(doc, Mapping):
        raise PlanFieldError(where, "must be a mapping")
    return doc


def _uuid(doc: Mapping[str, Any], where: str) -> UUID:
    value = doc.get("id")
    if value is None:
        raise PlanFieldError(_at(where, "id"), "missing (every tracking plan, specification and trigger has a UUID)")
    try:
        if isinstance(value, str):
            return UUID(value)
    except ValueError:
        pass
    raise PlanFieldError(_at(where, "id"), f"{value!r} is not a UUID")


def _optional(doc: Mapping[str, Any], key: str, where: str) -> str | None:
    value = doc.get(key)
    if value is None:
        return None
    if not isinstance(value, str):
        raise PlanFieldError(_at(where, key), f"must be a string, not {value!r}")
    return value


def _text(doc: Mapping[str, Any], key: str, where: str) -> str:
    return _optional(doc, key, where) or ""


def _status(doc: Mapping[str, Any], where: str) -> str:
    status = _optional(doc, "status", where) or "draft"
    if status not in STATUSES:
        raise PlanFieldError(_at(where, "status"), f"{status!r} is not one of {', '.join(STATUSES)}")
    return status


def _list(doc: Mapping[str, Any], key: str, where: str) -> tuple[Any, ...]:
    value = doc.get(key)
    if value is None:
        return ()
    if not isinstance(value, list | tuple):
        raise PlanFieldError(_at(where, key), "must be a list")
    return tuple(value)


def _names(doc: Mapping[str, Any], key: str, where: str) -> tuple[str, ...]:
    values = _list(doc, key, where)
    if not all(isinstance(v, str) for v in values):
        raise PlanFieldError(_at(where, key), "must be a list of strings")
    return tuple(values)


def _cardinality(doc: Mapping[str, Any], key: str, where: str) -> int | None:
    value = doc.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PlanFieldError(_at(where, key), f"must be a whole number of 0 or more, not {value!r}")
    return value


def _schema(doc: Mapping[str, Any], where: str) -> FrozenDict | None:
    value = doc.get("schema")
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise PlanFieldError(_at(where, "schema"), "must be a JSON Schema (a mapping)")
    frozen: FrozenDict = freeze(value)
    return frozen

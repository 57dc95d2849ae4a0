"""Re-importing a whole-plan export: cost follows the events that changed, not the plan.

Avo's JSON export and the standard JSON Schema carry the whole plan every time. After each
import of such a file, a note is kept in the cache, under the id of the plan tree the import
left: a fingerprint of every raw event, of its property-level part, and of the file around
the events. When the next import of the same format and method meets that very tree, only the
events whose raw JSON changed need merging: they alone are read from the file and the plan.

Which changes qualify follows the plan's property model (merge.py, `property_scope`):
- `plan`: a property is one plan-wide definition, so a changed property-level part may change
  other events; only event-level changes (descriptions, tags, sources, owners, name mappings)
  qualify, and then every plan-wide step of the merge is a fixed point;
- `event`: each event's properties are its own, so property-level changes qualify too; the
  note then also counts each property name's uses, for the new-property counts.
Anything else (an added, removed or renamed event, warnings, a `$ref`, a plan edited since)
takes the full import.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from trackplan.formats import avo_json, jsonschema
from trackplan.formats.base import Incoming, InputFile
from trackplan.importing.merge import ImportResult, Merger, trait_property_names
from trackplan.model import Event, Plan
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.workspace import Workspace

NOTE_VERSION = 2
METHODS = ("addOnly", "addAndUpdate", "addUpdateAndRemove")
SCHEMA_PROPERTY_KEYS = ("properties", "required", "allOf", "oneOf", "anyOf", "definitions", "$defs", "$ref")
"""The keys of a JSON Schema event that define its properties; the others are event-level."""


@dataclass(frozen=True)
class RawEvent:
    whole: str  # fingerprint of the raw event
    properties: str  # fingerprint of its property-level part
    name: str | None
    id: str | None


def _digest(value: Any) -> str:
    return hashlib.blake2b(orjson.dumps(value), digest_size=16).hexdigest()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


@dataclass(frozen=True)
class Shape:
    """Where a format keeps its events, and how to read only some of them."""

    around: Callable[[Any], Any]  # the document without its events
    raw_events: Callable[[Any], list[RawEvent] | None]
    read: Callable[[InputFile, list[int]], Incoming]  # the events at these positions


def _avo_events(doc: Any) -> list[RawEvent] | None:
    events = []
    for item in doc["events"]:
        if not isinstance(item, Mapping):
            return None
        rules = item.get("rules")
        properties = rules.get("properties") if isinstance(rules, Mapping) else None
        events.append(RawEvent(_digest(item), _digest(properties), _text(item.get("name")), _text(item.get("id"))))
    return events


def _read_avo(source: InputFile, positions: list[int]) -> Incoming:
    return avo_json.read(source, only=set(positions))


def _schema_around(doc: Any) -> Any:
    return {**doc, "schema": {k: v for k, v in doc["schema"].items() if k != "events"}}


def _schema_events(doc: Any) -> list[RawEvent] | None:
    events = []
    for name, schema in doc["schema"]["events"].items():
        if not isinstance(schema, Mapping):
            return None
        part = {k: schema[k] for k in SCHEMA_PROPERTY_KEYS if k in schema}
        events.append(RawEvent(_digest([name, schema]), _digest(part), name, _text(schema.get("x-id"))))
    return events


def _read_schema(source: InputFile, positions: list[int]) -> Incoming:
    """The events at `positions` alone, read as the file around them would be."""
    wanted = set(positions)
    doc = source.json
    events = {k: v for index, (k, v) in enumerate(doc["schema"]["events"].items()) if index in wanted}
    part = {**doc, "schema": {**doc["schema"], "events": events}}
    return jsonschema.read(InputFile(orjson.dumps(part), source.name))


SHAPES = {
    "avo-json": Shape(lambda doc: {k: v for k, v in doc.items() if k != "events"}, _avo_events, _read_avo),
    "jsonschema": Shape(_schema_around, _schema_events, _read_schema),
}


@dataclass(frozen=True)
class Fingerprints:
    format: str
    around: str  # fingerprint of the file around the events
    events: list[RawEvent]


def fingerprints(source: InputFile, fmt: str) -> Fingerprints | None:
    """The fingerprints of a whole-plan export, or None when it cannot be fingerprinted
    (then every import of it is a full one)."""
    shape = SHAPES.get(fmt)
    # A reference may point into another event: an unchanged event could read differently.
    if shape is None or b'"$ref"' in source.data:
        return None
    try:
        doc = source.json
        events = shape.raw_events(doc)
        around = _digest(shape.around(doc))
    except (TypeError, KeyError, AttributeError):  # not the format's shape, or integers beyond 64 bits
        return None
    return None if events is None else Fingerprints(fmt, around, events)


def _key(tree: str, fmt: str, method: str) -> str:
    return f"import-note/{NOTE_VERSION}/{tree}/{fmt}/{method}"


def note_of(prints: Fingerprints, incoming: Incoming, plan: Plan, scope: str) -> dict[str, Any] | None:
    """The note of an import whose result is `plan` (None: nothing to note)."""
    if incoming.warnings or incoming.skipped:
        return None
    ids = [e.id for e in plan.events if e.id]
    if len(set(ids)) != len(ids):
        return None  # which event an id matches would depend on reading order
    names_by_id = {e.id: e.name for e in plan.events if e.id}
    names = {e.name for e in plan.events}
    targets = []
    for raw in prints.events:
        # The event the next import matches (as Merger.match would, on this plan).
        target = names_by_id.get(raw.id) if raw.id else None
        targets.append(target or (raw.name if raw.name in names else None))
    matched = [t for t in targets if t is not None]
    if len(set(matched)) != len(matched):
        return None  # two events of the file meet one event of the plan: not worth the care
    entries = [[r.whole, r.properties, r.name, r.id, t] for r, t in zip(prints.events, targets, strict=True)]
    note: dict[str, Any] = {"around": prints.around, "scope": scope, "events": entries}
    if scope == "event":
        note["uses"] = Counter(p.name for e in plan.events for p in e.properties)
        note["others"] = sorted(trait_property_names(plan))
    return note


def remember(ws: Workspace, tree: str | None, fmt: str, method: str, note: dict[str, Any] | None) -> None:
    """Keep the note of an import that left the plan tree `tree`."""
    if tree is not None and note is not None and method in METHODS:
        ws.cache.put_fragment(_key(tree, fmt, method), orjson.dumps(note))
        ws.cache.flush()


@dataclass
class Incremental:
    """A re-import reduced to its changed events: the same events before and after."""

    old: Plan
    new: Plan
    result: ImportResult
    incoming: Incoming
    note: dict[str, Any]  # the note for the tree this import leaves


def _changed(note: dict[str, Any], prints: Fingerprints, scope: str) -> dict[int, str] | None:
    """{position in the file: the plan event it updates} of the changed events, the note's
    entries updated to the new file; None when the change needs the full import."""
    if prints.around != note["around"] or len(prints.events) != len(note["events"]) or scope != note["scope"]:
        return None
    changed: dict[int, str] = {}
    for index, (raw, entry) in enumerate(zip(prints.events, note["events"], strict=True)):
        whole, properties, name, event_id, target = entry
        if raw.whole == whole:
            continue
        if (raw.properties != properties and scope == "plan") or raw.name != name or raw.id != event_id:
            return None
        if target is None:
            return None
        changed[index] = target
        entry[0], entry[1] = raw.whole, raw.properties
    return changed


def incremental(
    ws: Workspace,
    tree: str,
    before: LoadedPlan,
    method: str,
    source: InputFile,
    prints: Fingerprints,
    scope: tuple[str, str | None],
) -> Incremental | None:
    """The import of `source` (fingerprinted as `prints`) into the plan `before` (tree
    `tree`, property model `scope`) by its changed events alone, or None when the full
    import is needed."""
    if method not in METHODS or scope[1] is not None:
        return None
    key = _key(tree, prints.format, method)
    stored = ws.cache.get_fragments([key]).get(key)
    if stored is None:
        return None
    note = orjson.loads(stored)
    changed = _changed(note, prints, scope[0])
    if changed is None:
        return None
    incoming = SHAPES[prints.format].read(source, sorted(changed))
    incoming.format = prints.format
    if incoming.warnings or incoming.skipped or len(incoming.plan.events) != len(changed):
        return None
    current: list[Event] = []
    for target in changed.values():
        event = before.event(target)
        if event is None:
            return None
        current.append(event)
    old = Plan(settings=before.settings, events=tuple(current))
    merged = _merged(old, incoming.plan, method, scope, note)
    if merged is None:
        return None
    new, result = merged
    return Incremental(old, new, result, incoming, note)


def _merged(
    old: Plan, incoming: Plan, method: str, scope: tuple[str, str | None], note: dict[str, Any]
) -> tuple[Plan, ImportResult] | None:
    """The changed events merged. Under the `plan` scope, event-level fields only; under
    `event`, the whole merge, with the property names the rest of the plan uses known."""
    if scope[0] == "plan":
        return Merger(old, incoming, method, None, scope).run_matched()
    uses: Counter[str] = Counter(note["uses"])
    uses.subtract(p.name for e in old.events for p in e.properties)
    elsewhere = frozenset(name for name, count in uses.items() if count > 0) | frozenset(note["others"])
    new, result = Merger(old, incoming, method, None, scope, known_names=elsewhere).run()
    if result.new_events or len(new.events) != len(old.events):
        return None
    uses.update(p.name for e in new.events for p in e.properties)
    note["uses"] = {name: count for name, count in uses.items() if count > 0}
    return new, result

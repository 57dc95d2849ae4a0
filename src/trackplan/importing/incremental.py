"""Re-importing an Avo JSON export: cost follows the events that changed, not the plan.

Avo exports the whole plan every time. After each import of such a file, a note is kept
in the cache, under the id of the plan tree the import left: a fingerprint of every raw
event, of its property-level part (`rules.properties`), and of the file around the
events. When the next import of the same method meets that very tree, and the new file
differs only in the event-level fields (description, tags, sources, owner, name
mapping...) of some events, then every plan-wide property step of the merge is a fixed
point (a repeated import changes nothing) and only those events need merging: they alone
are read from the file and from the plan. Anything else takes the full import.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from trackplan.formats import avo_json
from trackplan.formats.base import Incoming, InputFile
from trackplan.importing.merge import ImportResult, Merger
from trackplan.model import Plan
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.workspace import Workspace

NOTE_VERSION = 1
METHODS = ("addOnly", "addAndUpdate", "addUpdateAndRemove")


@dataclass(frozen=True)
class RawEvent:
    whole: str  # fingerprint of the raw event
    properties: str  # fingerprint of its property-level part
    name: str | None
    id: str | None


def _digest(value: Any) -> str:
    return hashlib.blake2b(orjson.dumps(value), digest_size=16).hexdigest()


@dataclass(frozen=True)
class Fingerprints:
    around: str  # fingerprint of the file around the events
    events: list[RawEvent]


def fingerprints(doc: Any) -> Fingerprints | None:
    """The fingerprints of an Avo JSON export, or None when it cannot be fingerprinted
    (then every import of it is a full one)."""
    try:
        around = _digest({k: v for k, v in doc.items() if k != "events"})
        events = []
        for item in doc["events"]:
            if not isinstance(item, Mapping):
                return None
            rules = item.get("rules")
            properties = rules.get("properties") if isinstance(rules, Mapping) else None
            name, event_id = item.get("name"), item.get("id")
            events.append(
                RawEvent(
                    _digest(item),
                    _digest(properties),
                    name if isinstance(name, str) else None,
                    event_id if isinstance(event_id, str) else None,
                )
            )
    except TypeError:  # integers beyond 64 bits
        return None
    return Fingerprints(around, events)


def _key(tree: str, method: str) -> str:
    return f"import-note/{NOTE_VERSION}/{tree}/{method}"


def note_of(prints: Fingerprints, incoming: Incoming, plan: Plan) -> dict[str, Any] | None:
    """The note of an Avo JSON import whose result is `plan` (None: nothing to note)."""
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
    return {"around": prints.around, "events": entries}


def remember(ws: Workspace, tree: str | None, method: str, note: dict[str, Any] | None) -> None:
    """Keep the note of an import that left the plan tree `tree`."""
    if tree is not None and note is not None and method in METHODS:
        ws.cache.put_fragment(_key(tree, method), orjson.dumps(note))
        ws.cache.flush()


@dataclass
class Incremental:
    """A re-import reduced to its changed events: the same events before and after."""

    old: Plan
    new: Plan
    result: ImportResult
    incoming: Incoming
    note: dict[str, Any]  # the note for the tree this import leaves


def incremental(
    ws: Workspace, tree: str, before: LoadedPlan, method: str, source: InputFile, prints: Fingerprints
) -> Incremental | None:
    """The import of `source` (fingerprinted as `prints`) into the plan `before` (tree
    `tree`) by its changed events alone, or None when the full import is needed."""
    if method not in METHODS:
        return None
    key = _key(tree, method)
    stored = ws.cache.get_fragments([key]).get(key)
    if stored is None:
        return None
    note = orjson.loads(stored)
    if prints.around != note["around"] or len(prints.events) != len(note["events"]):
        return None
    changed: dict[int, str] = {}
    for index, (raw, entry) in enumerate(zip(prints.events, note["events"], strict=True)):
        whole, properties, name, event_id, target = entry
        if raw.whole == whole:
            continue
        if raw.properties != properties or raw.name != name or raw.id != event_id or target is None:
            return None
        changed[index] = target
        entry[0] = raw.whole
    incoming = avo_json.read(source, only=set(changed))
    incoming.format = "avo-json"
    if incoming.warnings or incoming.skipped or len(incoming.plan.events) != len(changed):
        return None
    current = []
    for target in changed.values():
        event = before.event(target)
        if event is None:
            return None
        current.append(event)
    old = Plan(settings=before.settings, events=tuple(current))
    merged = Merger(old, incoming.plan, method, None, ("plan", None)).run_matched()
    if merged is None:
        return None
    new, result = merged
    return Incremental(old, new, result, incoming, note)

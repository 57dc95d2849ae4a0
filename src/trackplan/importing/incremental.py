"""Re-importing a whole-plan export: cost follows the events that changed, not the plan.

Avo's JSON export and the standard JSON Schema carry the whole plan every time. After each
import of such a file, a note is kept in the cache, under the id of the plan tree the import
left: a fingerprint of every raw event, of its property-level part, and of the file around
the events, with the tree's {event name: path}. When the next import of the same format and
method meets that very tree, only the events whose raw JSON changed need merging: they alone
are parsed from the file and read from the plan, and the note stands in for the plan's index.

The file is split into its events' raw JSON without being parsed (msgspec's `Raw`), and each
fingerprint is a digest of those bytes: an event written differently counts as changed, which
costs a merge, never a wrong result. A note after a quick import holds only what changed since
the note it started from (up to `DELTAS` in a row), so keeping it costs what the import changed.

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
from abc import ABC, abstractmethod
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import msgspec
import orjson

from trackplan.errors import InputError
from trackplan.formats import avo_json, jsonschema
from trackplan.formats.base import UTF8_BOM, Incoming, InputFile
from trackplan.importing.merge import ImportResult, Merger, trait_property_names
from trackplan.model import Event, Plan
from trackplan.repo.paths import is_event_file, is_plan_file, stem
from trackplan.repo.reading import LoadedPlan, document_title
from trackplan.repo.workspace import Workspace

NOTE_VERSION = 5
DELTAS = 8
"""How many notes in a row may each hold only their changes over the one before."""
METHODS = ("addOnly", "addAndUpdate", "addUpdateAndRemove")
SCHEMA_PROPERTY_KEYS = ("properties", "required", "allOf", "oneOf", "anyOf", "definitions", "$defs", "$ref")
"""The keys of a JSON Schema event that define its properties; the others are event-level."""
SIZE = 16  # bytes of each fingerprint

Raw = msgspec.Raw
_MEMBERS = msgspec.json.Decoder(dict[str, Raw])
_ITEMS = msgspec.json.Decoder(list[Raw])
UNREADABLE = (msgspec.DecodeError, RecursionError)  # not JSON, another shape, or nested past msgspec's depth


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=SIZE)
    for part in parts:
        h.update(b"%d:" % len(part))
        h.update(part)
    return h.digest()


def _named_digest(name: bytes, raw: Raw) -> bytes:
    """The fingerprint of a member: its name as JSON text ends where its value begins."""
    h = hashlib.blake2b(name, digest_size=SIZE)
    h.update(raw)
    return h.digest()


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _members(pairs: Mapping[str, Raw], leave_out: str) -> list[bytes]:
    """The members of a JSON object but one, as JSON text (`"key":value`)."""
    return [orjson.dumps(key) + b":" + bytes(value) for key, value in pairs.items() if key != leave_out]


def _object(members: Sequence[bytes]) -> bytes:
    return b"{" + b",".join(members) + b"}"


@dataclass(frozen=True)
class Details:
    """What a changed event must keep for the quick path: its property-level part and identity."""

    properties: bytes  # fingerprint of the property-level part
    name: str | None
    id: str | None


class Split(ABC):
    """A whole-plan export split into its events' raw JSON (nothing parsed) and fingerprinted."""

    format = ""
    around: bytes  # fingerprint of the file around the events
    raws: list[Raw]
    wholes: bytes  # the fingerprint of each raw event, `SIZE` bytes each, in file order

    @abstractmethod
    def __init__(self, data: bytes) -> None:
        """Split the file's bytes; msgspec.DecodeError or KeyError when it has another shape."""

    @abstractmethod
    def details(self, position: int) -> Details:
        """One event's details (parsed from its raw JSON alone)."""

    @abstractmethod
    def every_detail(self) -> list[Details]:
        """The details of every event, in one pass."""

    @abstractmethod
    def read(self, name: str, positions: list[int]) -> Incoming:
        """The events at `positions` alone, read as the file around them would be."""


class _AvoRules(msgspec.Struct):
    properties: Raw = Raw(b"")


class _AvoEvent(msgspec.Struct):
    name: Any = None
    id: Any = None
    rules: _AvoRules | None = None


_AVO_EVENT = msgspec.json.Decoder(_AvoEvent)
_AVO_EVENTS = msgspec.json.Decoder(list[_AvoEvent])


def _avo_details(event: _AvoEvent) -> Details:
    properties = bytes(event.rules.properties) if event.rules is not None else b""
    return Details(_digest(properties), _text(event.name), _text(event.id))


class AvoSplit(Split):
    """Avo's JSON export: {"events": [...], ...}."""

    format = "avo-json"

    def __init__(self, data: bytes) -> None:
        top = _MEMBERS.decode(data)
        self.events = top["events"]
        self.raws = _ITEMS.decode(self.events)
        self.members = _members(top, "events")
        self.around = _digest(*self.members)
        self.wholes = b"".join(hashlib.blake2b(raw, digest_size=SIZE).digest() for raw in self.raws)

    def details(self, position: int) -> Details:
        return _avo_details(_AVO_EVENT.decode(self.raws[position]))

    def every_detail(self) -> list[Details]:
        return [_avo_details(event) for event in _AVO_EVENTS.decode(self.events)]

    def read(self, name: str, positions: list[int]) -> Incoming:
        events = b"[" + b",".join(bytes(self.raws[i]) for i in positions) + b"]"
        return avo_json.read(InputFile(_object([*self.members, b'"events":' + events]), name))


class _SchemaEvent(
    msgspec.Struct,
    rename={"x_id": "x-id", "all_of": "allOf", "one_of": "oneOf", "any_of": "anyOf", "defs": "$defs", "ref": "$ref"},
):
    """The members of a JSON Schema event the quick path looks at: its id and its property-level part."""

    x_id: Any = None
    properties: Raw = Raw(b"")
    required: Raw = Raw(b"")
    all_of: Raw = Raw(b"")
    one_of: Raw = Raw(b"")
    any_of: Raw = Raw(b"")
    definitions: Raw = Raw(b"")
    defs: Raw = Raw(b"")
    ref: Raw = Raw(b"")


_SCHEMA_EVENT = msgspec.json.Decoder(_SchemaEvent)
_SCHEMA_EVENTS = msgspec.json.Decoder(dict[str, _SchemaEvent])


def _schema_details(name: str, event: _SchemaEvent) -> Details:
    part = (event.properties, event.required, event.all_of, event.one_of, event.any_of, event.definitions)
    raws = (*part, event.defs, event.ref)
    members = [
        b"%s:%s" % (key.encode(), bytes(raw)) for key, raw in zip(SCHEMA_PROPERTY_KEYS, raws, strict=True) if raw
    ]
    return Details(_digest(*members), name, _text(event.x_id))


class SchemaSplit(Split):
    """The standard JSON Schema: {"schema": {"events": {name: schema, ...}, ...}, ...}."""

    format = "jsonschema"

    def __init__(self, data: bytes) -> None:
        top = _MEMBERS.decode(data)
        schema = _MEMBERS.decode(top["schema"])
        self.events = schema["events"]
        by_name = _MEMBERS.decode(self.events)
        self.names, self.raws = list(by_name), list(by_name.values())
        self.members, self.schema_members = _members(top, "schema"), _members(schema, "events")
        self.around = _digest(*self.members, b"\0schema", *self.schema_members)
        self.wholes = b"".join(_named_digest(orjson.dumps(n), r) for n, r in zip(self.names, self.raws, strict=True))

    def details(self, position: int) -> Details:
        return _schema_details(self.names[position], _SCHEMA_EVENT.decode(self.raws[position]))

    def every_detail(self) -> list[Details]:
        return [_schema_details(name, event) for name, event in _SCHEMA_EVENTS.decode(self.events).items()]

    def read(self, name: str, positions: list[int]) -> Incoming:
        events = _object([orjson.dumps(self.names[i]) + b":" + bytes(self.raws[i]) for i in positions])
        schema = _object([*self.schema_members, b'"events":' + events])
        return jsonschema.read(InputFile(_object([*self.members, b'"schema":' + schema]), name))


SPLITS: dict[str, type[Split]] = {"avo-json": AvoSplit, "jsonschema": SchemaSplit}


def fingerprints(source: InputFile, fmt: str) -> Split | None:
    """The fingerprints of a whole-plan export, or None when it cannot be fingerprinted
    (then every import of it is a full one)."""
    split = SPLITS.get(fmt)
    # A reference may point into another event: an unchanged event could read differently.
    if split is None or b'"$ref"' in source.data:
        return None
    try:
        return split(source.data.removeprefix(UTF8_BOM))
    except (*UNREADABLE, KeyError):  # not JSON, or not the format's shape
        return None


@dataclass
class Note:
    """What an import left: the file's fingerprints, and the tree's index (its files, its events)."""

    around: bytes
    scope: str
    wholes: bytearray
    properties: bytearray
    events: list[list[str | None]]  # [name, id, the plan event it matches] of each event of the file
    blobs: dict[str, str]  # {path: blob id} of every plan file of the tree
    paths: dict[str, str]  # {event name: path} of every event file of the tree
    uses: dict[str, int] | None = None  # scope `event`: how many events use each property name
    others: list[str] | None = None  # scope `event`: the property names of the traits
    key: str | None = None  # where it was read
    depth: int = 0  # how many notes in a row, this one included, hold only their changes
    changed: dict[int, tuple[bytes, bytes]] = field(default_factory=dict)  # since the note read
    rewritten: dict[str, str] = field(default_factory=dict)  # {path: new blob id} since the note read

    def update(self, position: int, whole: bytes, properties: bytes) -> None:
        span = slice(position * SIZE, (position + 1) * SIZE)
        self.wholes[span], self.properties[span] = whole, properties
        self.changed[position] = (whole, properties)


def _key(tree: str, fmt: str, method: str) -> str:
    return f"import-note/{NOTE_VERSION}/{tree}/{fmt}/{method}"


def _stored(note: Note, key: str) -> dict[str, Any]:
    """The note as kept under `key`: only its changes when the note it was read from is kept."""
    scoped = {"uses": note.uses, "others": note.others}
    if note.key is not None and note.key != key and note.depth < DELTAS:
        changed = [[i, whole, props] for i, (whole, props) in sorted(note.changed.items())]
        delta = {"base": note.key, "depth": note.depth + 1, "changed": changed, "rewritten": note.rewritten}
        return {**delta, **scoped}
    whole: dict[str, Any] = {"around": note.around, "scope": note.scope, "events": note.events}
    whole |= {"blobs": note.blobs, "paths": note.paths}
    return {**whole, "wholes": note.wholes, "properties": note.properties, **scoped}


def _read_note(ws: Workspace, key: str, hops: int = 0) -> Note | None:
    stored = ws.cache.get_fragments([key]).get(key)
    if stored is None or hops > DELTAS:
        return None
    doc = msgspec.msgpack.decode(stored)
    if "base" in doc:
        note = _read_note(ws, doc["base"], hops + 1)
        if note is None:
            return None
        for position, whole, props in doc["changed"]:
            note.update(position, whole, props)
        note.blobs.update(doc["rewritten"])
        note.depth = doc["depth"]
    else:
        wholes, props = bytearray(doc["wholes"]), bytearray(doc["properties"])
        note = Note(doc["around"], doc["scope"], wholes, props, doc["events"], doc["blobs"], doc["paths"])
    note.uses, note.others, note.key = doc["uses"], doc["others"], key
    note.changed, note.rewritten = {}, {}
    return note


def recall(ws: Workspace, tree: str | None, prints: Split | None, method: str) -> Note | None:
    """The note the last import of this format and method left on `tree`, if any."""
    if tree is None or prints is None or method not in METHODS:
        return None
    return _read_note(ws, _key(tree, prints.format, method))


def noted_plan(ws: Workspace, note: Note) -> LoadedPlan:
    """The plan of the tree the note was left on, indexed by the note: no tree is listed, no
    title looked up."""
    blobs = note.blobs
    docs: dict[str, Any] = {}

    def load_doc(path: str, blob_id: str) -> Any:
        doc = docs.get(blob_id)
        return ws.parsed(path, blob_id) if doc is None else doc

    def prefetch() -> None:  # the whole plan is wanted: every cached document, in one query
        docs.update(ws.cache.get_many(set(blobs.values()) - docs.keys()))

    memoized = ws.memo.event if ws.memo is not None else None
    return LoadedPlan(blobs, lambda *_: None, load_doc, ws.cache.flush, prefetch, memoized, note.paths)


def files_after(
    ws: Workspace, before: LoadedPlan, tree: str, changed_paths: Sequence[str]
) -> tuple[dict[str, str], dict[str, str]] | None:
    """({path: blob id}, {event name: path}) of the tree `tree` that writing `changed_paths`
    over `before` left, as a load of it would index it; None when two files hold one name."""
    if before.warnings:
        return None
    changed = [path for path in changed_paths if is_plan_file(path)]
    found = ws.store.files_at(tree, changed)
    blobs = {path: blob for path, blob in before.blob_ids.items() if path not in found}
    blobs.update(found)
    for path in changed:
        if path not in found:
            blobs.pop(path, None)
    by_path = {path: name for name, path in before.event_paths.items() if path not in changed}
    written = {path: blob for path, blob in found.items() if is_event_file(path)}
    titles = ws.cache.get_titles(written.values())
    for path, blob in written.items():
        by_path[path] = (titles[blob] if blob in titles else document_title(ws.parsed(path, blob))) or stem(path)
    paths = {name: path for path, name in sorted(by_path.items())}
    return (blobs, paths) if len(paths) == len(by_path) else None


def rewritten(ws: Workspace, note: Note, tree: str, changed_paths: Sequence[str]) -> Note | None:
    """The note of a quick import, for the tree `tree` it left by rewriting `changed_paths`
    (files of the plan, under the same names); None when it wrote anything else."""
    changed = [path for path in changed_paths if is_plan_file(path)]
    found = ws.store.files_at(tree, changed)
    if len(found) != len(changed) or any(path not in note.blobs for path in changed):
        return None
    note.blobs.update(found)
    note.rewritten.update(found)
    return note


def note_of(
    prints: Split, incoming: Incoming, plan: Plan, scope: str, files: tuple[dict[str, str], dict[str, str]] | None
) -> Note | None:
    """The note of a full import whose result is `plan`, its tree's `files` as `files_after`
    gives them (None: nothing to note)."""
    if incoming.warnings or incoming.skipped or files is None:
        return None
    ids = [e.id for e in plan.events if e.id]
    if len(set(ids)) != len(ids):
        return None  # which event an id matches would depend on reading order
    try:
        details = prints.every_detail()
    except UNREADABLE:
        return None
    names_by_id = {e.id: e.name for e in plan.events if e.id}
    names = {e.name for e in plan.events}
    entries: list[list[str | None]] = []
    for raw in details:
        # The event the next import matches (as Merger.match would, on this plan).
        target = names_by_id.get(raw.id) if raw.id else None
        entries.append([raw.name, raw.id, target or (raw.name if raw.name in names else None)])
    matched = [target for _, _, target in entries if target is not None]
    if len(set(matched)) != len(matched):
        return None  # two events of the file meet one event of the plan: not worth the care
    properties = bytearray(b"".join(d.properties for d in details))
    note = Note(prints.around, scope, bytearray(prints.wholes), properties, entries, *files)
    if scope == "event":
        note.uses = dict(Counter(p.name for e in plan.events for p in e.properties))
        note.others = sorted(trait_property_names(plan))
    return note


def remember(ws: Workspace, tree: str | None, fmt: str, method: str, note: Note | None) -> None:
    """Keep the note of an import that left the plan tree `tree`."""
    if tree is not None and note is not None and method in METHODS:
        key = _key(tree, fmt, method)
        ws.cache.put_fragment(key, msgspec.msgpack.encode(_stored(note, key)))
        ws.cache.flush()


@dataclass
class Incremental:
    """A re-import reduced to its changed events: the same events before and after."""

    old: Plan
    new: Plan
    result: ImportResult
    incoming: Incoming
    note: Note  # the note for the tree this import leaves


def _differing(new: bytes, old: bytes | bytearray) -> Iterator[int]:
    """The positions whose fingerprints differ."""
    if new != old:
        view_new, view_old = memoryview(new), memoryview(old)
        for position in range(len(new) // SIZE):
            span = slice(position * SIZE, (position + 1) * SIZE)
            if view_new[span] != view_old[span]:
                yield position


def _changed(note: Note, prints: Split, scope: str) -> dict[int, str] | None:
    """{position in the file: the plan event it updates} of the changed events, the note
    updated to the new file; None when the change needs the full import."""
    if prints.around != note.around or len(prints.wholes) != len(note.wholes) or scope != note.scope:
        return None
    changed: dict[int, str] = {}
    for position in _differing(prints.wholes, note.wholes):
        name, event_id, target = note.events[position]
        try:
            raw = prints.details(position)
        except UNREADABLE:
            return None
        old_properties = note.properties[position * SIZE : (position + 1) * SIZE]
        if (raw.properties != old_properties and scope == "plan") or raw.name != name or raw.id != event_id:
            return None
        if target is None:
            return None
        changed[position] = target
        note.update(position, prints.wholes[position * SIZE : (position + 1) * SIZE], raw.properties)
    return changed


def incremental(
    before: LoadedPlan,
    method: str,
    source: InputFile,
    prints: Split,
    scope: tuple[str, str | None],
    note: Note,
) -> Incremental | None:
    """The import of `source` (fingerprinted as `prints`) into the plan `before` (the tree
    `note` was left on, property model `scope`) by its changed events alone, or None when
    the full import is needed."""
    if scope[1] is not None:
        return None
    changed = _changed(note, prints, scope[0])
    if changed is None:
        return None
    try:
        incoming = prints.read(source.name, sorted(changed))
    except InputError:  # the full import names the field where the file has it
        return None
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
    old: Plan, incoming: Plan, method: str, scope: tuple[str, str | None], note: Note
) -> tuple[Plan, ImportResult] | None:
    """The changed events merged. Under the `plan` scope, event-level fields only; under
    `event`, the whole merge, with the property names the rest of the plan uses known."""
    if scope[0] == "plan":
        return Merger(old, incoming, method, None, scope).run_matched()
    uses: Counter[str] = Counter(note.uses)
    uses.subtract(p.name for e in old.events for p in e.properties)
    elsewhere = frozenset(name for name, count in uses.items() if count > 0) | frozenset(note.others or ())
    new, result = Merger(old, incoming, method, None, scope, known_names=elsewhere).run()
    if result.new_events or len(new.events) != len(old.events):
        return None
    uses.update(p.name for e in new.events for p in e.properties)
    note.uses = {name: count for name, count in uses.items() if count > 0}
    return new, result

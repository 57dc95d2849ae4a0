"""The export use case: render a ref (or the work tree) in a downstream format.

Read-only: nothing in the repository changes (the parsed-blob cache aside). Output is
deterministic: the same ref, format and options always give the same bytes. JSON keeps
the key order each format documents; events come sorted by name.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackplan.errors import InputError
from trackplan.formats import EXPORT_FORMATS
from trackplan.formats.base import pretty_json
from trackplan.memory import building
from trackplan.model import Plan
from trackplan.repo.paths import SETTINGS_FILE
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace

FRAGMENT_VERSION = 5  # bump when an event's rendering changes
# Formats whose top-level object can carry `removedEvents` for --changed-since.
CARRIES_REMOVED = ("avo-json", "jsonschema", "snowplow", "segment", "trackplan")


@dataclass(frozen=True)
class ExportRequest:
    ref: str = "HEAD"
    to: str = "avo-json"
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    changed_since: str | None = None
    vendor: str | None = None


@dataclass
class Rendered:
    data: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)  # a folder layout (snowplow -o DIR)
    removed_events: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def label_for(ws: Workspace, ref: str) -> str:
    if ref == WORKTREE:
        return "worktree"
    if ref == "HEAD":
        return ws.store.current_branch() or ref
    return ref


def _filter(plan: Plan, request: ExportRequest, strict: bool = True) -> Plan:
    """The events matching every filter (AND). `strict`: an unknown source, tag or event is
    an error listing the known ones (an older ref, read for --changed-since, is not strict)."""

    def check(kind: str, wanted: tuple[str, ...], known: set[str]) -> None:
        unknown = [w for w in wanted if w not in known]
        if unknown:
            listing = ", ".join(sorted(known)) or "none"
            raise InputError(f"unknown {kind} {', '.join(map(repr, unknown))}; known {kind}s: {listing}")

    if strict:
        check("source", request.sources, {s for e in plan.events for s in e.sources} | set(plan.settings.source_names))
        check("tag", request.tags, {t for e in plan.events for t in e.tags})
        check("event", request.events, {e.name for e in plan.events})
    events = [
        e
        for e in plan.events
        if all(s in e.sources for s in request.sources)
        and all(t in e.tags for t in request.tags)
        and (not request.events or e.name in request.events)
    ]
    return plan.replace(events=tuple(events))


def changed_since(ws: Workspace, base_ref: str, head: Plan, request: ExportRequest) -> tuple[Plan, list[str]]:
    """Avo's changedEventsOnly between two refs: events whose content changed (or that are
    new), and the names of events deleted or no longer matching the filters."""
    base = _filter(ws.load(base_ref).plan, request, strict=False)
    base_events = base.event_map()
    base_ids = {e.id: e for e in base.events if e.id}
    changed = [e for e in head.events if base_events.get(e.name) != e and (not e.id or base_ids.get(e.id) != e)]
    head_names = {e.name for e in head.events}
    head_ids = {e.id for e in head.events if e.id}
    removed = sorted(e.name for e in base.events if e.name not in head_names and not (e.id and e.id in head_ids))
    return head.replace(events=tuple(changed)), removed


def _json(doc: Any) -> bytes:
    return pretty_json(doc) + b"\n"


def _indent(text: bytes, spaces: int) -> bytes:
    pad = b" " * spaces
    return b"\n".join(pad + line for line in text.split(b"\n"))


def avo_json_from_fragments(ws: Workspace, loaded: LoadedPlan, label: str) -> bytes:
    """The whole-plan avo-json export, assembled from per-event pieces cached by (event
    blob, settings blob): a warm export reads no event file and builds no model. The bytes
    equal those of rendering the model (tested)."""
    with building():
        return _avo_json_from_fragments(ws, loaded, label)


def _avo_json_from_fragments(ws: Workspace, loaded: LoadedPlan, label: str) -> bytes:
    from trackplan.formats import avo_json

    settings_blob = loaded.blob_ids.get(SETTINGS_FILE, "")
    names = sorted(loaded.event_paths)
    # The whole output of this exact plan (same events, settings and label) may be cached.
    digest = hashlib.sha256(f"{FRAGMENT_VERSION}\0{label}\0{settings_blob}".encode())
    for name in names:
        digest.update(f"\0{name}\0{loaded.blob_ids[loaded.event_paths[name]]}".encode())
    whole_key = f"avo-json/{digest.hexdigest()}"
    whole = ws.cache.get_output(whole_key)
    if whole is not None:
        return whole
    settings = loaded.settings
    keys = {
        name: f"avo-json/{FRAGMENT_VERSION}/{settings_blob}/{loaded.blob_ids[loaded.event_paths[name]]}"
        for name in names
    }
    cached = ws.cache.get_fragments(keys.values())
    if len(keys) - len(cached) > 1:
        loaded.prefetch()
    ids = None
    pieces: list[bytes] = []
    categories: dict[str, list[Any]] = {}
    for name in names:
        value = cached.get(keys[name])
        if value is None:
            ids = ids or avo_json.Ids(settings)
            event = loaded.event(name)
            assert event is not None
            doc = avo_json.event_doc(event, ids)
            # One line of metadata (for the categories map), then the event's JSON text.
            header = json.dumps([doc["id"], list(event.categories)], ensure_ascii=False, separators=(",", ":"))
            value = header.encode() + b"\n" + _indent(pretty_json(doc), 4)
            ws.cache.put_fragment(keys[name], value)
        line, _, piece = value.partition(b"\n")
        if not line.endswith(b",[]]"):
            event_id, event_categories = json.loads(line)
            for category in event_categories:
                categories.setdefault(category, []).append(event_id)
        pieces.append(piece)
    ws.cache.flush()
    text = pretty_json(avo_json.envelope(settings, label, [], categories)) + b"\n"
    if pieces:
        head, tail = text.split(b'"events": [],', 1)
        output = b"".join([head, b'"events": [\n', b",\n".join(pieces), b"\n  ],", tail])
    else:
        output = text
    ws.cache.put_output(whole_key, output)
    return output


def render(ws: Workspace, request: ExportRequest, folder: bool = False) -> Rendered:
    if request.to not in EXPORT_FORMATS:
        raise InputError(f"unknown export format {request.to!r}; use one of {', '.join(EXPORT_FORMATS)}")
    loaded = ws.load(request.ref)
    whole_plan = not (request.sources or request.tags or request.events or request.changed_since)
    if request.to == "avo-json" and whole_plan:
        return Rendered(data=avo_json_from_fragments(ws, loaded, label_for(ws, request.ref)))
    plan = _filter(loaded.plan, request)
    out = Rendered()
    if request.changed_since is not None:
        plan, out.removed_events = changed_since(ws, request.changed_since, plan, request)
    label = label_for(ws, request.ref)
    commit = None if request.ref == WORKTREE else ws.store.resolve(request.ref)
    source = request.sources[0] if len(request.sources) == 1 else None
    doc: Any = None
    from trackplan.formats import avo_csv, avo_json, bundle, docs, itly, jsonschema, segment, snowplow

    match request.to:
        case "avo-json":
            doc = avo_json.write(plan, label)
        case "jsonschema":
            doc = jsonschema.write(plan)
        case "itly":
            doc = itly.write(plan, source)
        case "segment":
            doc = segment.write(plan)
        case "trackplan":
            doc = bundle.write(plan)
        case "snowplow":
            doc = snowplow.write(plan, request.vendor)
            if folder:
                for schema in doc["eventSchemas"] + doc["contextSchemas"]:
                    out.files[f"schemas/{snowplow.iglu_key(schema)}"] = _json(schema)
                return out
        case "csv":
            out.data = avo_csv.write(plan).encode()
        case "ndjson":
            out.data = snowplow.write_ndjson(plan, request.vendor).encode()
        case "markdown":
            out.data = docs.write_markdown(plan, docs.BuildInfo(label, commit)).encode()
        case "html":
            out.data = docs.write_html(plan, docs.BuildInfo(label, commit)).encode()
    if doc is not None:
        if request.changed_since is not None and request.to in CARRIES_REMOVED:
            doc["removedEvents"] = out.removed_events
        out.data = _json(doc)
    if request.changed_since is not None and request.to not in CARRIES_REMOVED and out.removed_events:
        out.notes.append(f"removed since {request.changed_since}: {', '.join(out.removed_events)}")
    return out


def write_output(rendered: Rendered, output: str | None, compress: bool, stdout: Any) -> None:
    """Write to a file, a folder (Iglu layout) or stdout; gzip is deterministic (mtime 0)."""
    from trackplan.repo.atomic import atomic_write

    if rendered.files:
        assert output is not None
        for path, data in sorted(rendered.files.items()):
            atomic_write(Path(output) / path, gzip.compress(data, mtime=0) if compress else data)
        return
    data = gzip.compress(rendered.data, mtime=0) if compress else rendered.data
    if output in (None, "-"):
        stdout.write(data)
        stdout.flush()
    else:
        atomic_write(Path(output), data)

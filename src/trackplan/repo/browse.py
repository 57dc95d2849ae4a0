"""Reading a plan's events at a ref for people: the rows `events` lists, the one file
`show` prints, and the one lookup of an event name every command uses (`event_named`)."""

from __future__ import annotations

import json
from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from trackplan.errors import InputError
from trackplan.memory import paused
from trackplan.repo.paths import stem
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:  # `event_named` serves commands that have not opened the repository
    from trackplan.repo.reading import LoadedPlan
    from trackplan.repo.workspace import Workspace


def event_rows(ws: Workspace, ref: str, kept_under: str | None = None) -> list[dict[str, Any]]:
    """One row per event, by name: name, file, id, version, status, sources, tags, owner and
    the number of properties. Rows are read from the parsed documents; the event of a file
    whose document `_row` cannot vouch for is built instead, so a bad file fails as the whole
    plan's load fails on it (files in the same order, the same error), as do the traits, the
    contexts and trackplan.yaml, checked after the events as the plan builds them.

    `kept_under`, a digest of the code: each row read from a document is kept in the blob
    cache under its blob id and that digest, and read back next time instead of the document
    (a blob id names its content, the digest the code that read it)."""
    loaded = ws.load(ref)
    events = sorted((path, name) for name, path in loaded.event_paths.items())
    keys = {path: f"{ROW_FAMILY}/{kept_under}/{loaded.blob_ids[path]}" for path, _ in events} if kept_under else {}
    rows = []
    with paused():  # documents and rows hold no cycles: the collector would rescan them for nothing
        kept = ws.cache.get_fragments(keys.values())
        if len(events) - len(kept) >= PREFETCH_MIN:
            loaded.prefetch()
        # One parse for every kept row: a call per row cost more than parsing them.
        values = iter(
            json.loads(b"[" + b",".join(kept[keys[path]] for path, _ in events if keys.get(path) in kept) + b"]")
        )
        for path, name in events:
            key = keys.get(path)
            row = _kept_row(next(values), name, path) if key in kept else None
            if row is None:
                doc = loaded.document(path)
                row = _row(name, path, doc)
                if row is None:
                    row = _event_row(loaded, name, path)
                elif key is not None:
                    ws.cache.put_fragment(key, _kept_value(row, doc.get("title")))
            rows.append(row)
        loaded.part(())
    ws.cache.flush()  # documents parsed and rows read here are kept
    rows.sort(key=lambda row: row["name"])
    return rows


ROW_FAMILY = "event-row"
"""The blob cache's fragments holding rows, as `event-row/<code digest>/<blob id>`."""
PREFETCH_MIN = 64
"""Rows to read from documents past which all documents are fetched in one query."""


def _kept_value(row: dict[str, Any], title: str | None) -> bytes:
    """What is kept of a row: the document's title (None: it has none, the file names the
    event) and the fields the document gives; the name and path come from the file's place."""
    return json.dumps([title, *(row[field] for field in _KEPT_FIELDS)], ensure_ascii=False).encode()


def _kept_row(value: list[Any], name: str, path: str) -> dict[str, Any] | None:
    """The kept row of a document (as `_kept_value` wrote it, parsed), for the event file at
    `path` named `name`; None when the name is not the one that document gives there (then
    the document decides)."""
    title, *fields = value
    if (name != title) if title is not None else (name != stem(path) or not name.strip()):
        return None
    return {"name": name, "path": path, **dict(zip(_KEPT_FIELDS, fields, strict=True))}


_KEPT_FIELDS = ("id", "version", "status", "sources", "tags", "owner", "properties")


def _row(name: str, path: str, doc: Any) -> dict[str, Any] | None:
    """The row of one event file from its parsed document, when that document is plainly one
    `Event.from_json` reads without an error and the row is what the event would give: JSON
    objects, lists and plain values where it wants them, nested no deeper than
    `ROW_DEPTH`. None otherwise (the event is built, and its own checks decide)."""
    if type(doc) is not dict or doc.get("title", name) != name or not name.strip():
        return None
    properties = doc.get("properties", _NO_PROPERTIES)
    if type(properties) is not dict or not all(type(s) is dict or type(s) is bool for s in properties.values()):
        return None
    if type(doc.get("required", _NO_REQUIRED)) is not list or not _lists_or_absent(doc, _NAME_LISTS):
        return None
    mappings = doc.get("x-name-mapping")
    if mappings and (type(mappings) is not list or not all(type(m) is dict for m in mappings)):
        return None
    sources, tags = doc.get("x-sources") or (), doc.get("x-tags") or ()
    if not all(type(v) is str for v in (*sources, *tags)) or not _nested_within(doc, ROW_DEPTH):
        return None
    texts = [doc.get(key) for key in ("x-id", "x-version", "x-status", "x-owner")]
    if not all(type(value) in _PLAIN for value in texts):
        return None
    event_id, version, status, owner = (None if v is None or v == "" else str(v) for v in texts)
    return {
        "name": name,
        "path": path,
        "id": event_id,
        "version": version,
        "status": status,
        "sources": sorted(set(sources)),
        "tags": sorted(set(tags)),
        "owner": owner,
        "properties": len(properties),
    }


ROW_DEPTH = 64
"""How deep a document `_row` reads: freezing an event recurses per level, and one nested
some hundreds of levels fails to load ("nested too deeply"), which only building it tells."""
_NO_PROPERTIES: dict[str, Any] = {}
_NO_REQUIRED: list[Any] = []
_NAME_LISTS = ("x-tags", "x-categories", "x-sources", "x-stakeholders")
_PLAIN = frozenset({str, int, float, bool, type(None)})


def _lists_or_absent(doc: dict[str, Any], keys: tuple[str, ...]) -> bool:
    return all(type(doc.get(key)) is list or doc.get(key) is None for key in keys)


def _nested_within(node: Any, levels: int) -> bool:
    """Whether no list or object in `node` (one itself) lies more than `levels` levels down."""
    if levels == 0:
        return False
    for child in node.values() if type(node) is dict else node:
        if (type(child) is dict or type(child) is list) and not _nested_within(child, levels - 1):
            return False
    return True


def _event_row(loaded: LoadedPlan, name: str, path: str) -> dict[str, Any]:
    """The row of an event built from its file (raising the error the file has, if any)."""
    event = loaded.event(name)
    assert event is not None  # a name of the index
    return {
        "name": event.name,
        "path": path,
        "id": event.id,
        "version": event.version,
        "status": event.status,
        "sources": list(event.sources),
        "tags": list(event.tags),
        "owner": event.owner,
        "properties": len(event.properties),
    }


def find_event(ws: Workspace, ref: str, name_or_path: str) -> tuple[str, str]:
    """The plan path and text of one event's file, found by event name (as `event_named`
    matches it), file path or file name; only the plan's index is read, no other event is
    parsed."""
    loaded = ws.load(ref)
    path = loaded.event_paths.get(name_or_path)
    if path is None:
        # A file path, or a file name wherever the layout keeps it.
        path = next((p for p in loaded.event_paths.values() if name_or_path in (p, p.rsplit("/", 1)[-1])), None)
    if path is None:
        path = loaded.event_paths[event_named(loaded.event_paths, name_or_path, ref)]
    return path, ws.read_blob(loaded.blob_ids[path]).decode("utf-8", "replace")


def event_named(names: Collection[str], query: str, ref: str) -> str:
    """The event name `query` means among `names` (the events at `ref`): the name itself, or
    the one name equal to it but for case. Otherwise an input error suggesting the closest
    few names, never the whole list."""
    if query in names:
        return query
    folded = sorted(name for name in names if name.casefold() == query.casefold())
    if len(folded) == 1:
        return folded[0]
    if folded:
        raise InputError(f"event {query!r} is ambiguous {_at(ref)}: {', '.join(map(repr, folded))} differ only in case")
    raise _unknown_event(query, names, ref)


def _unknown_event(query: str, names: Collection[str], ref: str) -> InputError:
    """The error for an event name not at `ref`, with the closest few names."""
    guess = did_you_mean(query, names)
    if guess:
        return InputError(f"no event {query!r} {_at(ref)}; {guess}")
    return InputError(f"no event {query!r} {_at(ref)} ({len(names)} events; `trackplan events` lists them)")


def _at(ref: str) -> str:
    return "in the work tree" if ref == WORKTREE else f"at {ref}"


def did_you_mean(query: str, names: Collection[str]) -> str:
    """`did you mean 'A', 'B' or 'C'?` with the closest few of `names`, ignoring case ("" when
    none is close)."""
    import difflib  # an error's suggestion: no lookup that succeeds needs it

    by_folded = {name.casefold(): name for name in names}
    close = [repr(by_folded[c]) for c in difflib.get_close_matches(query.casefold(), list(by_folded), n=3, cutoff=0.6)]
    if not close:
        return ""
    return f"did you mean {close[0] if len(close) == 1 else ', '.join(close[:-1]) + ' or ' + close[-1]}?"

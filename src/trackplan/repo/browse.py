"""Reading a plan's events at a ref for people: the rows `events` lists, the one file
`show` prints, and the one lookup of an event name every command uses (`event_named`)."""

from __future__ import annotations

from collections.abc import Collection
from typing import TYPE_CHECKING, Any

from trackplan.errors import InputError
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:  # `event_named` serves commands that have not opened the repository
    from trackplan.repo.workspace import Workspace


def event_rows(ws: Workspace, ref: str) -> list[dict[str, Any]]:
    """One row per event, in plan order: name, file, id, version, status, sources, tags,
    owner and the number of properties."""
    loaded = ws.load(ref)
    return [
        {
            "name": event.name,
            "path": loaded.event_paths[event.name],
            "id": event.id,
            "version": event.version,
            "status": event.status,
            "sources": list(event.sources),
            "tags": list(event.tags),
            "owner": event.owner,
            "properties": len(event.properties),
        }
        for event in loaded.plan.events
    ]


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

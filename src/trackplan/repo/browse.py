"""Reading a plan's events at a ref for people: the rows `events` lists and the one file
`show` prints."""

from __future__ import annotations

from typing import Any

from trackplan.errors import InputError
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
    """The plan path and text of one event's file, found by event name, file path or file
    name; only the plan's index is read, no other event is parsed."""
    loaded = ws.load(ref)
    path = loaded.event_paths.get(name_or_path)
    if path is None:
        # A file path, or a file name wherever the layout keeps it.
        path = next((p for p in loaded.event_paths.values() if name_or_path in (p, p.rsplit("/", 1)[-1])), None)
    if path is None:
        known = ", ".join(sorted(loaded.event_paths)[:20])
        raise InputError(f"no event {name_or_path!r} at {ref}; known events: {known}")
    return path, ws.read_blob(loaded.blob_ids[path]).decode("utf-8", "replace")

"""The plan's history, commit by commit, with a change summary for each (after Snowplow's
tracking-plan history endpoint: before, limit, offset, order).

Only consecutive trees are compared, commits that leave the plan folder unchanged are
skipped by subtree id, and only changed event files are read."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trackplan.errors import InputError
from trackplan.repo.paths import is_event_file, is_plan_file
from trackplan.repo.reading import document_title
from trackplan.repo.workspace import Workspace


@dataclass
class HistoryEntry:
    commit: str
    author: str
    time: int
    summary: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    other_files: list[str] = field(default_factory=list)

    @property
    def events(self) -> set[str]:
        return {*self.added, *self.updated, *self.removed}

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "date": datetime.fromtimestamp(self.time, UTC).isoformat().replace("+00:00", "Z"),
            "message": self.summary,
            "changes": {"added": self.added, "updated": self.updated, "removed": self.removed},
            "otherFiles": self.other_files,
        }


def _title(ws: Workspace, path: str, blob: str | None) -> str:
    return document_title(ws.parsed(path, blob)) or path


def _entries(ws: Workspace, start: str) -> Iterator[HistoryEntry]:
    # Walking back, each commit is compared with the one after it in the walk: its parent.
    pending = None
    for info in ws.store.iter_commits(start):
        tree = ws.store.subtree_id(info.id, ws.prefix)
        if pending is not None:
            yield from _entry(ws, pending, parent_tree=tree)
        pending = (info, tree)
    if pending is not None:
        yield from _entry(ws, pending, parent_tree=None)


def _entry(ws: Workspace, pending: tuple[Any, str | None], parent_tree: str | None) -> Iterator[HistoryEntry]:
    info, tree = pending
    if tree == parent_tree:
        return
    entry = HistoryEntry(info.id, info.author, info.time, info.message.splitlines()[0] if info.message else "")
    for path, old, new in ws.store.diff_trees(parent_tree, tree):
        if not is_event_file(path):
            if is_plan_file(path):
                entry.other_files.append(path)
            continue
        if old is None:
            entry.added.append(_title(ws, path, new))
        elif new is None:
            entry.removed.append(_title(ws, path, old))
        else:
            entry.updated.append(_title(ws, path, new))
    for names in (entry.added, entry.updated, entry.removed):
        names.sort()
    if entry.events or entry.other_files:  # other files in the plan folder are not plan changes
        yield entry


@dataclass(frozen=True)
class LogRequest:
    """Which history to show: from `ref` back, only commits touching `event` (a name), at or
    before `before` (ISO-8601), `limit` entries after skipping `offset`, newest first ("desc")
    or oldest first ("asc")."""

    ref: str = "HEAD"
    event: str | None = None
    before: str | None = None
    limit: int | None = None
    offset: int = 0
    order: str = "desc"


def _cutoff(before: str | None) -> datetime | None:
    if not before:
        return None
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--before {before!r}: expected an ISO-8601 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def history(ws: Workspace, request: LogRequest) -> list[HistoryEntry]:
    cutoff = _cutoff(request.before)
    limit, offset = request.limit, request.offset
    found = []
    for entry in _entries(ws, request.ref):
        if cutoff is not None and datetime.fromtimestamp(entry.time, UTC) > cutoff:
            continue
        if request.event is not None and request.event not in entry.events:
            continue
        found.append(entry)
        if request.order == "desc" and limit is not None and len(found) >= offset + limit:
            break
    ws.cache.flush()
    if request.order == "asc":
        found.reverse()
    return found[offset : offset + limit if limit is not None else None]

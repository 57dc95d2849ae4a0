"""The plan's history, commit by commit, with a change summary for each (after Snowplow's
tracking-plan history endpoint: before, limit, offset, order).

Only consecutive trees are compared, commits that leave the plan folder unchanged are
skipped by subtree id, and only changed files are read. Event files pair as `diff` pairs
them (`run.event_pairs`): a rename is one entry, and an edit that leaves the event equal
(a comment, formatting) is none. `--event` follows an event back through its renames."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from trackplan.diffing.run import event_pairs, read_event
from trackplan.errors import InputError
from trackplan.model import Event
from trackplan.model.frozen import FrozenDict
from trackplan.repo.browse import event_named
from trackplan.repo.paths import is_event_file, is_plan_file
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
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old name, new name)
    other_files: list[str] = field(default_factory=list)

    @property
    def events(self) -> set[str]:
        """Every event name the commit touched, under its old and its new name."""
        return {*self.added, *self.updated, *self.removed, *(name for pair in self.renamed for name in pair)}

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "date": datetime.fromtimestamp(self.time, UTC).isoformat().replace("+00:00", "Z"),
            "message": self.summary,
            "changes": {
                "added": self.added,
                "updated": self.updated,
                "removed": self.removed,
                "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            },
            "otherFiles": self.other_files,
        }


def _lenient_event(ws: Workspace, path: str, blob: str | None) -> Event | None:
    """The event a file holds; for a file that does not read as one (an old commit may hold
    anything), a stand-in named by its path that equals only itself."""
    try:
        return read_event(ws, path, blob)
    except InputError:
        return Event(path, extra=FrozenDict({"x-blob": blob}))


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
    old_blobs: dict[str, str | None] = {}
    new_blobs: dict[str, str | None] = {}
    for path, old, new in ws.store.diff_trees(parent_tree, tree):
        if is_event_file(path):
            old_blobs[path], new_blobs[path] = old, new
        elif is_plan_file(path) and _changed(ws, path, old, new):
            entry.other_files.append(path)
    for a, b, _ in event_pairs(old_blobs, new_blobs, lambda path, blob: _lenient_event(ws, path, blob)):
        if a is None and b is not None:
            entry.added.append(b.name)
        elif b is None and a is not None:
            entry.removed.append(a.name)
        elif a is not None and b is not None and a != b:
            if a.name != b.name:
                entry.renamed.append((a.name, b.name))
            if a.replace(name=b.name) != b:  # a rename may change the event too, as diff shows
                entry.updated.append(b.name)
    for names in (entry.added, entry.updated, entry.removed, entry.renamed):
        names.sort()
    if entry.events or entry.other_files:  # other files in the plan folder are not plan changes
        yield entry


def _changed(ws: Workspace, path: str, old: str | None, new: str | None) -> bool:
    """Whether a plan file other than an event changed more than its comments or formatting."""
    try:
        return bool(ws.parsed(path, old) != ws.parsed(path, new))
    except InputError:
        return True


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


def parse_before(before: str | None) -> datetime | None:
    """`--before` (history's and the tracking-plans API's `before`) as an aware time; None: no cutoff."""
    if not before:
        return None
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--before {before!r}: expected an ISO-8601 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def history(ws: Workspace, request: LogRequest) -> list[HistoryEntry]:
    """The entries of `request`. `event` is looked up at `ref` as every command looks up an
    event name; one not there (removed since) is followed by its name, and one that no
    commit touched either is an input error suggesting the closest names."""
    cutoff = parse_before(request.before)
    limit, offset = request.limit, request.offset
    names, unknown = _event_names(ws, request)
    touched = False
    found = []
    for entry in _entries(ws, request.ref):
        if names is not None:
            if not _follow(entry, names):
                continue
            touched = True
        if cutoff is not None and datetime.fromtimestamp(entry.time, UTC) > cutoff:
            continue
        found.append(entry)
        if request.order == "desc" and limit is not None and len(found) >= offset + limit:
            break
    ws.cache.flush()
    if unknown is not None and not touched:
        raise unknown
    if request.order == "asc":
        found.reverse()
    return found[offset : offset + limit if limit is not None else None]


def _event_names(ws: Workspace, request: LogRequest) -> tuple[set[str] | None, InputError | None]:
    """The names to follow `request.event` by (None: every commit), and the error to give if
    no commit touches it."""
    if request.event is None:
        return None, None
    try:
        return {event_named(ws.load(request.ref).event_paths, request.event, request.ref)}, None
    except InputError as unknown:
        return {request.event}, unknown


def _follow(entry: HistoryEntry, names: set[str]) -> bool:
    """Whether `entry` touches the event known by `names`; a rename to one of them adds the
    old name, as the walk goes back in time (`git log --follow`)."""
    touched = False
    for old, new in entry.renamed:
        if new in names or old in names:
            names.add(old)
            touched = True
    return touched or not names.isdisjoint({*entry.added, *entry.updated, *entry.removed})

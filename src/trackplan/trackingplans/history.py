"""A tracking plan's history: the commits that changed its file, found by the plan's `id`, so
the history goes on across renames (the file moves with the name), with Snowplow's history
parameters `before`, `limit`, `offset` and `order`.

Commits are walked back along first parents, as `git log` of the file does; only commits
that change the tracking-plans folder (or, with `include_events`, the events folder) are
read, and in them only the changed files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from uuid import UUID

from trackplan.diffing.events import Differ
from trackplan.diffing.history import parse_before
from trackplan.diffing.records import Change
from trackplan.diffing.tracking_plans import plan_changes
from trackplan.errors import InputError
from trackplan.model.tracking_plans import TrackingPlan
from trackplan.repo.git.store import CommitInfo
from trackplan.repo.paths import EVENTS_DIR, TRACKING_PLANS_DIR, is_event_file
from trackplan.repo.reading import event_from_document
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import (
    PlanFile,
    find_in,
    find_tracking_plan,
    plan_from_document,
    read_tracking_plans,
)
from trackplan.trackingplans.layout import is_tracking_plan_file, tracking_plan_blobs
from trackplan.trackingplans.references import referenced_event

ORDERS = ("desc", "asc")


@dataclass(frozen=True)
class HistoryQuery:
    """Which records: at or before `before` (ISO-8601), `limit` of them after skipping `offset`,
    newest first (`desc`, the default) or oldest first (`asc`)."""

    before: str | None = None
    limit: int | None = None
    offset: int = 0
    order: str = "desc"
    include_events: bool = False


@dataclass(frozen=True)
class HistoryRecord:
    commit: str
    date: datetime
    author: str
    message: str
    path: str  # the plan's file in this commit (the file it left, for the commit removing it)
    changes: tuple[Change, ...]

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "date": self.date.isoformat().replace("+00:00", "Z"),
            "author": self.author,
            "message": self.message,
            "path": self.path,
            "changes": [change.to_json() for change in self.changes],
        }


def resolve_plan(ws: Workspace, ref: str, wanted: str) -> tuple[UUID, str]:
    """The id and name of the plan `wanted` (a name or an id) at `ref`; an id that is no plan
    there any more (a deleted plan) is taken as it is."""
    found = find_in(read_tracking_plans(ws, ref), wanted)
    if found is not None:
        return found.plan.id, found.plan.name
    try:
        return UUID(wanted), wanted
    except ValueError:
        return find_tracking_plan(ws, ref, wanted).plan.id, wanted  # raises, listing the plans


def plan_history(ws: Workspace, ref: str, plan_id: UUID, query: HistoryQuery) -> tuple[HistoryRecord, ...]:
    """The records of the commits from `ref` back that changed the plan with `plan_id`."""
    if query.order not in ORDERS:
        raise InputError(f"--order {query.order!r}: expected asc or desc")
    if (query.limit is not None and query.limit < 0) or query.offset < 0:
        raise InputError("--limit and --offset take a number of 0 or more")
    cutoff = parse_before(query.before)
    found: list[HistoryRecord] = []
    for record in _records(ws, ref, plan_id, query.include_events):
        if cutoff is not None and record.date > cutoff:
            continue
        found.append(record)
        if query.order == "desc" and query.limit is not None and len(found) >= query.offset + query.limit:
            break
    ws.cache.flush()
    if query.order == "asc":
        found.reverse()
    end = query.offset + query.limit if query.limit is not None else None
    return tuple(found[query.offset : end])


def _records(ws: Workspace, ref: str, plan_id: UUID, include_events: bool) -> Iterator[HistoryRecord]:
    differ = Differ(str(ws.settings(ref).get("breaking_profile") or "validation"))
    events = _EventNames(ws, ref)
    # The plan as of the commit being read: at `ref` first, then as the commit after it found it.
    later = next(filter(None, (_plan_at(ws, p, b, plan_id) for p, b in tracking_plan_blobs(ws, ref).items())), None)
    for info in ws.store.iter_commits(ref):
        parent = info.parents[0] if info.parents else None
        old, new = _plan_sides(ws, info.id, parent, plan_id)
        touched = old is not None or new is not None
        current = new if touched else later
        subject = current or old
        changes = plan_changes(old, new, differ) if touched else []
        if include_events and subject is not None:
            changes.extend(_event_changes(ws, info.id, parent, events.of(subject.plan), differ))
        if subject is not None and (touched or changes):
            yield _record(info, subject.path, changes)
        later = old if touched else current


class _EventNames:
    """The event names a plan's specifications reference; Iglu URIs resolved once, at `ref`."""

    def __init__(self, ws: Workspace, ref: str) -> None:
        self.ws, self.ref = ws, ref
        self.resolved: dict[str, str | None] = {}

    def of(self, plan: TrackingPlan) -> set[str]:
        names = set()
        for spec in plan.event_specifications:
            if spec.event not in self.resolved:
                found = referenced_event(self.ws.load(self.ref), spec.event) if spec.event.startswith("iglu:") else None
                self.resolved[spec.event] = found.name if found is not None else spec.event
            names.add(self.resolved[spec.event] or spec.event)
        return names


def _record(info: CommitInfo, path: str, changes: list[Change]) -> HistoryRecord:
    date = datetime.fromtimestamp(info.time, UTC)
    summary = info.message.splitlines()[0] if info.message else ""
    return HistoryRecord(info.id, date, info.author, summary, path, tuple(changes))


def _changed(ws: Workspace, commit: str, parent: str | None, folder: str) -> list[tuple[str, str | None, str | None]]:
    """(plan path, old blob, new blob) of the files in `folder` that `commit` changed."""
    tree = ws.store.subtree_id(commit, ws.repo_path(folder))
    parent_tree = ws.store.subtree_id(parent, ws.repo_path(folder)) if parent else None
    if tree == parent_tree:
        return []
    return [(f"{folder}/{path}", old, new) for path, old, new in ws.store.diff_trees(parent_tree, tree)]


def _plan_sides(
    ws: Workspace, commit: str, parent: str | None, plan_id: UUID
) -> tuple[PlanFile | None, PlanFile | None]:
    """The plan with `plan_id` before and after `commit`, read from the files it changed; both
    None when it changed neither (both equal when it changed the file but not the plan)."""
    old: PlanFile | None = None
    new: PlanFile | None = None
    for path, old_blob, new_blob in _changed(ws, commit, parent, TRACKING_PLANS_DIR):
        if not is_tracking_plan_file(path):
            continue
        before, after = _plan_at(ws, path, old_blob, plan_id), _plan_at(ws, path, new_blob, plan_id)
        old, new = before or old, after or new
    return old, new


def _plan_at(ws: Workspace, path: str, blob: str | None, plan_id: UUID) -> PlanFile | None:
    """The plan in one blob if it is the plan wanted. A file that cannot be read is some
    other plan's problem (validate reports it), unless it names the id."""
    if blob is None:
        return None
    try:
        plan = plan_from_document(ws.parsed(path, blob), path)
    except InputError:
        return None
    return PlanFile(path, plan) if plan.id == plan_id else None


def _event_changes(ws: Workspace, commit: str, parent: str | None, names: set[str], differ: Differ) -> Iterator[Change]:
    """The changes `commit` made to the events named `names`."""
    for path, old_blob, new_blob in _changed(ws, commit, parent, EVENTS_DIR):
        if not is_event_file(path):
            continue
        old = event_from_document(ws.parsed(path, old_blob), path) if old_blob else None
        new = event_from_document(ws.parsed(path, new_blob), path) if new_blob else None
        if (old and old.name in names) or (new and new.name in names):
            yield from differ.events(old, new, path)

"""Tracking-plan files in git: `tracking-plans/<slug>.yaml`, read at any ref (or the work
tree) and written as one commit on a plan branch, through the same branch guards as import.

Writes keep people's comments and key order (yamlio's round-trip rewrite) and start the file
with a `yaml-language-server` comment naming `tracking-plans/.schema.json`, the shipped JSON
Schema, which every write keeps up to date so editors check the files offline.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from trackplan.errors import InputError, RefError
from trackplan.model import Plan, Settings
from trackplan.model.tracking_plans import PlanFieldError, TrackingPlan
from trackplan.repo.guards import guard_branch, target_branch
from trackplan.repo.paths import TRACKING_PLANS_DIR
from trackplan.repo.reading import parse_document
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace, retried
from trackplan.trackingplans.layout import (
    SCHEMA_FILE,
    tracking_plan_blobs,
    tracking_plan_path,
    worktree_files,
)
from trackplan.trackingplans.schema import SCHEMA_BYTES

HEADER = "# yaml-language-server: $schema=.schema.json\n"


@dataclass(frozen=True)
class PlanFile:
    """A tracking plan and the plan path of its file."""

    path: str
    plan: TrackingPlan


@dataclass(frozen=True)
class PlanChange:
    """One plan written: `plan` replaces the plan with `plan_id` (or is added); None deletes it."""

    plan_id: UUID
    plan: TrackingPlan | None


@dataclass(frozen=True)
class PlanEdit:
    """What one commit does: plans written or deleted, and trackplan.yaml's new settings if they change."""

    changes: tuple[PlanChange, ...]
    message: str
    settings: Settings | None = None


@dataclass(frozen=True)
class WrittenPlan:
    """A plan one commit wrote: `path` is its file after the commit (before it, for a delete),
    `previous_path` the file it moved from on a rename; `plan` is None for a delete."""

    plan_id: UUID
    path: str
    previous_path: str | None
    plan: TrackingPlan | None


@dataclass(frozen=True)
class PlanCommit:
    """A write's outcome: `commit` is None when nothing changed."""

    branch: str
    commit: str | None
    plans: tuple[WrittenPlan, ...]


class BranchPlans(tuple[PlanFile, ...]):
    """The tracking plans a write starts from: a branch's, as read at `commit`."""

    branch: str
    commit: str

    def __new__(cls, files: Sequence[PlanFile], branch: str, commit: str) -> BranchPlans:
        plans = super().__new__(cls, files)
        plans.branch, plans.commit = branch, commit
        return plans


class DuplicatePlanNameError(InputError):
    """Another tracking plan has the name, case-insensitively (the API's 409)."""


def tracking_plan_documents(ws: Workspace, ref: str) -> dict[str, Any]:
    """{plan path: parsed document} of every tracking-plan file at a ref (or the work tree), by path."""
    if ref == WORKTREE:
        return {path: parse_document(file.read_bytes(), path) for path, file in worktree_files(ws).items()}
    return {path: ws.parsed(path, blob) for path, blob in tracking_plan_blobs(ws, ref).items()}


def plan_from_document(doc: Any, path: str) -> TrackingPlan:
    """The tracking plan in a parsed file, or one line naming the file and the field."""
    try:
        return TrackingPlan.from_json(doc)
    except PlanFieldError as exc:
        raise InputError(f"{path}: {exc}") from None


def read_tracking_plans(ws: Workspace, ref: str) -> tuple[PlanFile, ...]:
    """Every tracking plan at a ref (or the work tree), by path."""
    documents = tracking_plan_documents(ws, ref)
    return tuple(PlanFile(path, plan_from_document(doc, ws.repo_path(path))) for path, doc in documents.items())


def find_in(files: Sequence[PlanFile], wanted: str) -> PlanFile | None:
    """The plan whose id is `wanted`, or whose name is `wanted` case-insensitively."""
    plan_id = wanted.strip().lower()
    by_id = next((f for f in files if str(f.plan.id) == plan_id), None)
    return by_id or next((f for f in files if f.plan.name.casefold() == wanted.casefold()), None)


def missing_plan(ws: Workspace, files: Sequence[PlanFile], wanted: str, where: str) -> InputError:
    """The error for a plan `wanted` that none of `files` is: it lists the plans there are."""
    known = ", ".join(repr(name) for name in sorted((f.plan.name for f in files), key=str.casefold))
    listing = known or f"none in {ws.repo_path(TRACKING_PLANS_DIR)}/"
    return InputError(f"no tracking plan {wanted!r} {where}; known tracking plans: {listing}")


def find_tracking_plan(ws: Workspace, ref: str, wanted: str) -> PlanFile:
    """The tracking plan named `wanted` (case-insensitively) or with that id, at a ref."""
    files = read_tracking_plans(ws, ref)
    found = find_in(files, wanted)
    if found is not None:
        return found
    raise missing_plan(ws, files, wanted, f"at {ref}")


def render(plan: TrackingPlan, original: str | None = None) -> str:
    """A plan's file text: `original` rewritten in place (its comments and key order kept), or a
    fresh file; either starts with the schema comment."""
    from trackplan import yamlio  # only a write needs it: reading a tracking plan goes through the blob cache

    doc = plan.to_json()
    text = yamlio.rewrite(original, doc) if original is not None else yamlio.dump(doc)
    return text if text.startswith(HEADER) else HEADER + text


def commit_tracking_plans(ws: Workspace, branch: str | None, edit: Callable[[BranchPlans], PlanEdit]) -> PlanCommit:
    """One commit on `branch` (the checked-out branch by default) making `edit(plans on that
    branch)`, which may raise InputError to refuse the write. A protected branch, or one
    merged into a protected branch, is refused (exit 3); a branch that does not exist yet
    starts at the plan's main branch. A name another plan has, case-insensitively, is refused
    naming that plan's file. When another writer moves the branch first, `edit` is made
    again on the new head."""
    return retried(lambda: _commit_once(ws, branch, edit))


def save_tracking_plan(ws: Workspace, plan: TrackingPlan, branch: str | None, message: str) -> PlanCommit:
    """Write `plan` (added, or replacing the plan with its id) as one commit."""
    return commit_tracking_plans(ws, branch, lambda _: PlanEdit((PlanChange(plan.id, plan),), message))


def delete_tracking_plan(ws: Workspace, plan_id: UUID, branch: str | None, message: str) -> PlanCommit:
    """Remove the plan with `plan_id` as one commit."""
    return commit_tracking_plans(ws, branch, lambda _: PlanEdit((PlanChange(plan_id, None),), message))


def _commit_once(ws: Workspace, branch: str | None, edit: Callable[[BranchPlans], PlanEdit]) -> PlanCommit:
    target = target_branch(ws, branch)
    head = ws.store.branch_head(target)
    start = None if head is not None else _branch_start(ws)
    at = head or start
    assert at is not None  # a branch without a head starts at the main branch
    before = ws.load(at)  # the index only; trackplan.yaml is parsed for the guards
    guard_branch(ws, target, list(before.settings.protected_branches), head, "plans")
    files = list(read_tracking_plans(ws, at))
    wanted = edit(BranchPlans(files, target, at))
    changes: dict[str, bytes | None] = {}
    written = []
    for change in wanted.changes:
        done = _apply(ws, at, files, change, changes, target)
        written.append(done)
    if wanted.settings is not None and wanted.settings != before.settings:
        settings_files, _ = ws.planned_changes(
            before, Plan(settings=wanted.settings), old_plan=Plan(settings=before.settings)
        )
        changes.update(settings_files)
    if changes and SCHEMA_FILE not in changes and any(w.plan is not None for w in written):
        schema_blob = ws.store.blob_at(ws.store.resolve(at), ws.repo_path(SCHEMA_FILE))
        if schema_blob is None or ws.read_blob(schema_blob) != SCHEMA_BYTES:
            changes[SCHEMA_FILE] = SCHEMA_BYTES
    if not changes:
        return PlanCommit(target, None, tuple(written))
    repo_changes = {ws.repo_path(p): data for p, data in changes.items()}
    commit = ws.store.commit_changes(target, head, repo_changes, wanted.message, start)
    return PlanCommit(target, commit, tuple(written))


def _apply(
    ws: Workspace, at: str, files: list[PlanFile], change: PlanChange, changes: dict[str, bytes | None], branch: str
) -> WrittenPlan:
    """Add one change's files to `changes` and bring `files` up to date, so the next change of
    the same commit sees it."""
    index = next((i for i, f in enumerate(files) if f.plan.id == change.plan_id), len(files))
    existing = files[index] if index < len(files) else None
    if change.plan is None:
        if existing is None:
            raise InputError(f"no tracking plan with id {change.plan_id} on {branch!r}")
        changes[existing.path] = None
        del files[index]
        return WrittenPlan(change.plan_id, existing.path, None, None)
    _refuse_duplicate_name(ws, files, change.plan)
    original = _original_text(ws, at, existing, changes)
    path = _path_for(files, existing, change.plan)
    data = render(change.plan, original).encode()
    previous = existing.path if existing is not None and existing.path != path else None
    if original is None or previous is not None or data != original.encode():
        changes[path] = data
    if previous is not None:
        changes.setdefault(previous, None)
    files[index : index + 1] = [PlanFile(path, change.plan)]
    return WrittenPlan(change.plan_id, path, previous, change.plan)


def _original_text(ws: Workspace, at: str, existing: PlanFile | None, changes: dict[str, bytes | None]) -> str | None:
    """The text an existing plan's file has now: as this commit wrote it so far, or at `at`."""
    if existing is None:
        return None
    data = changes.get(existing.path)
    if data is None:
        blob = ws.store.blob_at(ws.store.resolve(at), ws.repo_path(existing.path))
        data = ws.read_blob(blob) if blob is not None else b""
    return data.decode("utf-8", "replace")


def _path_for(files: list[PlanFile], existing: PlanFile | None, plan: TrackingPlan) -> str:
    """An existing plan keeps its file while its name stays; a renamed plan moves to its new
    name's file (its id keeps its history together, see history.py)."""
    if existing is not None and existing.plan.name == plan.name:
        return existing.path
    taken = frozenset(f.path.lower() for f in files if f is not existing)
    return tracking_plan_path(plan, taken)


def _branch_start(ws: Workspace) -> str:
    main = ws.settings("HEAD").main_branch
    try:
        return ws.store.resolve(main)
    except RefError:
        raise RefError(f"unknown ref {main!r} (the plan's main_branch): a new branch would start there") from None


def _refuse_duplicate_name(ws: Workspace, files: Sequence[PlanFile], plan: TrackingPlan) -> None:
    folded = plan.name.casefold()
    for other in files:
        if other.plan.id != plan.id and other.plan.name.casefold() == folded:
            raise DuplicatePlanNameError(
                f"a tracking plan named {other.plan.name!r} already exists in {ws.repo_path(other.path)}: "
                "tracking-plan names are unique, case-insensitively"
            )

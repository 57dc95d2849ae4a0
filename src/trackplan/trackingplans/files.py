"""Tracking-plan files in git: `tracking-plans/<slug>.yaml`, read at any ref (or the work
tree) and written as one commit on a plan branch, through the same branch guards as import.

Writes keep people's comments and key order (yamlio's round-trip rewrite) and start the file
with a `yaml-language-server` comment naming `tracking-plans/.schema.json`, the shipped JSON
Schema, which every write keeps up to date so editors check the files offline.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from trackplan import yamlio
from trackplan.errors import InputError, RefError
from trackplan.model.slugs import slugify
from trackplan.model.tracking_plans import PlanFieldError, TrackingPlan
from trackplan.repo.guards import guard_branch, target_branch
from trackplan.repo.paths import TRACKING_PLANS_DIR
from trackplan.repo.reading import parse_document
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace, retried
from trackplan.trackingplans.schema import SCHEMA_BYTES

SCHEMA_FILE = f"{TRACKING_PLANS_DIR}/.schema.json"
HEADER = "# yaml-language-server: $schema=.schema.json\n"
PLAN_SUFFIXES = (".yaml", ".yml", ".json")


@dataclass(frozen=True)
class PlanFile:
    """A tracking plan and the plan path of its file."""

    path: str
    plan: TrackingPlan


@dataclass(frozen=True)
class PlanChange:
    """What one write does: `plan` replaces the plan with `plan_id` (or is added); None deletes it."""

    plan_id: UUID
    plan: TrackingPlan | None
    message: str


@dataclass(frozen=True)
class PlanCommit:
    """A write's outcome: `commit` is None when nothing changed. `path` is the plan's file
    after the write (before it, for a delete); `previous_path` the file it moved from."""

    branch: str
    commit: str | None
    path: str
    previous_path: str | None
    plan: TrackingPlan | None


def is_tracking_plan_file(path: str) -> bool:
    """A file directly in tracking-plans/, not hidden (the shipped schema is `.schema.json`)."""
    folder, _, name = path.rpartition("/")
    return folder == TRACKING_PLANS_DIR and name.endswith(PLAN_SUFFIXES) and not name.startswith(".")


def tracking_plan_documents(ws: Workspace, ref: str) -> dict[str, Any]:
    """{plan path: parsed document} of every tracking-plan file at a ref (or the work tree), by path."""
    if ref == WORKTREE:
        folder = ws.root / TRACKING_PLANS_DIR
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        paths = {f"{TRACKING_PLANS_DIR}/{f.name}": f for f in files if f.is_file() and f.resolve() == f}
        return {p: parse_document(f.read_bytes(), p) for p, f in paths.items() if is_tracking_plan_file(p)}
    return {path: ws.parsed(path, blob) for path, blob in tracking_plan_blobs(ws, ref).items()}


def tracking_plan_blobs(ws: Workspace, ref: str) -> dict[str, str]:
    """{plan path: blob id} of every tracking-plan file in a commit, by path."""
    tree = ws.store.subtree_id(ws.store.resolve(ref), ws.repo_path(TRACKING_PLANS_DIR))
    blobs = ws.store.list_tree(tree) if tree is not None else {}
    found = {f"{TRACKING_PLANS_DIR}/{name}": blob for name, blob in blobs.items()}
    return {path: found[path] for path in sorted(found) if is_tracking_plan_file(path)}


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
    folded = wanted.strip().casefold()
    by_id = next((f for f in files if str(f.plan.id) == folded), None)
    return by_id or next((f for f in files if f.plan.name.casefold() == folded), None)


def find_tracking_plan(ws: Workspace, ref: str, wanted: str) -> PlanFile:
    """The tracking plan named `wanted` (case-insensitively) or with that id, at a ref."""
    files = read_tracking_plans(ws, ref)
    found = find_in(files, wanted)
    if found is not None:
        return found
    known = sorted(f.plan.name for f in files)
    listing = ", ".join(map(repr, known)) if known else f"none in {ws.repo_path(TRACKING_PLANS_DIR)}/"
    raise InputError(f"no tracking plan {wanted!r} at {ref}; known tracking plans: {listing}")


def tracking_plan_path(plan: TrackingPlan, taken_lower: set[str] | frozenset[str] = frozenset()) -> str:
    """The file for a plan: `tracking-plans/<slug>.yaml` by the events' slug rules. When that
    file is taken (`taken_lower`: lower-cased paths in use, so names that slug alike never
    share a file on a case-insensitive disk), or the name has no usable characters, the slug
    gets a hash of the plan's id, which is stable across machines and runs."""
    slug = slugify(plan.name)
    plain = f"{TRACKING_PLANS_DIR}/{slug}.yaml"
    meaningful = slug != "event" or plan.name.strip().lower() == "event"
    if meaningful and plain.lower() not in taken_lower:
        return plain
    return f"{TRACKING_PLANS_DIR}/{slug}-{hashlib.sha256(plan.id.bytes).hexdigest()[:8]}.yaml"


def render(plan: TrackingPlan, original: str | None = None) -> str:
    """A plan's file text: `original` rewritten in place (its comments and key order kept), or a
    fresh file; either starts with the schema comment."""
    doc = plan.to_json()
    text = yamlio.rewrite(original, doc) if original is not None else yamlio.dump(doc)
    return text if text.startswith(HEADER) else HEADER + text


def commit_tracking_plan(
    ws: Workspace, branch: str | None, change: Callable[[Sequence[PlanFile]], PlanChange]
) -> PlanCommit:
    """One commit on `branch` (the checked-out branch by default) making `change(plans on that
    branch)`. A protected branch, or one merged into a protected branch, is refused (exit 3);
    a branch that does not exist yet starts at the plan's main branch. A name another plan has,
    case-insensitively, is refused naming that plan's file. When another writer moves the
    branch first, `change` is made again on the new head."""
    return retried(lambda: _commit_once(ws, branch, change))


def save_tracking_plan(ws: Workspace, plan: TrackingPlan, branch: str | None, message: str) -> PlanCommit:
    """Write `plan` (added, or replacing the plan with its id) as one commit."""
    return commit_tracking_plan(ws, branch, lambda _: PlanChange(plan.id, plan, message))


def _commit_once(ws: Workspace, branch: str | None, change: Callable[[Sequence[PlanFile]], PlanChange]) -> PlanCommit:
    target = target_branch(ws, branch)
    head = ws.store.branch_head(target)
    start = None if head is not None else _branch_start(ws)
    at = head or start or "HEAD"
    guard_branch(ws, target, list(ws.settings(at).protected_branches), head, "plans")
    files = read_tracking_plans(ws, at)
    wanted = change(files)
    existing = next((f for f in files if f.plan.id == wanted.plan_id), None)
    if wanted.plan is None:
        if existing is None:
            raise InputError(f"no tracking plan with id {wanted.plan_id} on {target!r}")
        changes: dict[str, bytes | None] = {existing.path: None}
        path, previous = existing.path, None
    else:
        _refuse_duplicate_name(ws, files, wanted.plan)
        changes, path = _plan_changes(ws, at, existing, wanted.plan)
        previous = existing.path if existing is not None and existing.path != path else None
    if not changes:
        return PlanCommit(target, None, path, previous, wanted.plan)
    repo_changes = {ws.repo_path(p): data for p, data in changes.items()}
    commit = ws.store.commit_changes(target, head, repo_changes, wanted.message, start)
    return PlanCommit(target, commit, path, previous, wanted.plan)


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
            raise InputError(
                f"a tracking plan named {other.plan.name!r} already exists in {ws.repo_path(other.path)}: "
                "tracking-plan names are unique, case-insensitively"
            )


def _plan_changes(
    ws: Workspace, at: str, existing: PlanFile | None, plan: TrackingPlan
) -> tuple[dict[str, bytes | None], str]:
    """The files that change to write `plan`, and its path. A renamed plan moves to its new
    name's file; its id keeps its history together (see history.py)."""
    blobs = tracking_plan_blobs(ws, at)
    if existing is not None and existing.plan.name == plan.name:
        path = existing.path
    else:
        taken = frozenset(p.lower() for p in blobs if existing is None or p != existing.path)
        path = tracking_plan_path(plan, taken)
    original = ws.read_blob(blobs[existing.path]).decode("utf-8", "replace") if existing is not None else None
    data = render(plan, original).encode()
    changes: dict[str, bytes | None] = {}
    if existing is None or data != ws.read_blob(blobs[existing.path]) or path != existing.path:
        changes[path] = data
    if existing is not None and path != existing.path:
        changes[existing.path] = None
    schema_blob = ws.store.blob_at(ws.store.resolve(at), ws.repo_path(SCHEMA_FILE))
    if changes and (schema_blob is None or ws.read_blob(schema_blob) != SCHEMA_BYTES):
        changes[SCHEMA_FILE] = SCHEMA_BYTES
    return changes, path

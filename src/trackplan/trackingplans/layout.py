"""Where tracking plans live in the plan folder: `tracking-plans/<slug>.yaml`, one plan a file,
next to `tracking-plans/.schema.json`, the file format's JSON Schema that editors read."""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import TYPE_CHECKING

from trackplan.model.slugs import slugify
from trackplan.model.tracking_plans import TrackingPlan
from trackplan.repo.paths import TRACKING_PLANS_DIR, YAML_SUFFIXES
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

SCHEMA_FILE = f"{TRACKING_PLANS_DIR}/.schema.json"


def is_tracking_plan_file(path: str) -> bool:
    """A file directly in tracking-plans/, not hidden (the schema is `.schema.json`)."""
    folder, _, name = path.rpartition("/")
    return folder == TRACKING_PLANS_DIR and name.endswith(YAML_SUFFIXES) and not name.startswith(".")


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


def tracking_plan_texts(ws: Workspace, ref: str) -> dict[str, str]:
    """{plan path: text} of every tracking-plan file at a ref (or the work tree), by path."""
    if ref == WORKTREE:
        return {path: file.read_text("utf-8", "replace") for path, file in worktree_files(ws).items()}
    return {path: ws.read_blob(blob).decode("utf-8", "replace") for path, blob in tracking_plan_blobs(ws, ref).items()}


def worktree_files(ws: Workspace) -> dict[str, Path]:
    """The tracking-plan files in the work tree; a symlink is not followed (it could lead out of the plan)."""
    folder = ws.root / TRACKING_PLANS_DIR
    files = sorted(folder.iterdir()) if folder.is_dir() else []
    paths = {f"{TRACKING_PLANS_DIR}/{f.name}": f for f in files if f.is_file() and f.resolve() == f}
    return {path: file for path, file in paths.items() if is_tracking_plan_file(path)}


def tracking_plan_blobs(ws: Workspace, ref: str) -> dict[str, str]:
    """{plan path: blob id} of every tracking-plan file in a commit, by path."""
    tree = ws.store.subtree_id(ws.store.resolve(ref), ws.repo_path(TRACKING_PLANS_DIR))
    blobs = ws.store.list_tree(tree) if tree is not None else {}
    found = {f"{TRACKING_PLANS_DIR}/{name}": blob for name, blob in blobs.items()}
    return {path: found[path] for path in sorted(found) if is_tracking_plan_file(path)}

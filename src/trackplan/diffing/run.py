"""Diff two refs of a plan: only the files that changed are read.

Trees are compared by libgit2 (equal subtrees skipped by id); only changed event files are
parsed (through the blob cache), so a one-event change costs the same in a 1,000- or a
10,000-event plan. The work tree is a ref too. What the changed files hold is compared by
`diff_files`, whoever found them: `diff_refs` through a Workspace, `commits.diff_commits`
through the git executable.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trackplan.diffing.events import Differ, diff_plans, pair_events
from trackplan.diffing.profiles import breaking_profile
from trackplan.diffing.records import Change, DiffResult, VersionAdvice
from trackplan.model import Event, Plan, Settings
from trackplan.repo.paths import (
    CONTEXTS_DIR,
    GROUP_FILE,
    IDENTIFY_FILE,
    SETTINGS_FILE,
    TRACKING_PLANS_DIR,
    is_event_file,
    is_plan_file,
)
from trackplan.repo.reading import event_from_document
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


def differ_for(settings: Settings, profile: str | None = None) -> Differ:
    return Differ(*breaking_profile(settings, profile))


def changed_blobs(
    ws: Workspace, base: str, head: str, listed: Sequence[str] | None = None
) -> tuple[dict[str, str | None], dict[str, str | None]]:
    """{plan path: blob id or None} on each side, for the plan files that differ. `listed`:
    the paths `git status` lists in the work tree (from the plan folder), when known."""
    narrowed = ws.worktree_changes(base, listed) if head == WORKTREE and listed is not None else None
    if narrowed is not None:
        return narrowed
    if head == WORKTREE:
        old_all, new_all = ws.plan_blobs(base), ws.plan_blobs(WORKTREE)
        paths = {p for p in old_all.keys() | new_all.keys() if old_all.get(p) != new_all.get(p)}
        return {p: old_all.get(p) for p in paths}, {p: new_all.get(p) for p in paths}
    old_tree = ws.store.subtree_id(ws.store.resolve(base), ws.prefix)
    new_tree = ws.store.subtree_id(ws.store.resolve(head), ws.prefix)
    old: dict[str, str | None] = {}
    new: dict[str, str | None] = {}
    if old_tree == new_tree:
        return old, new
    for path, old_id, new_id in ws.store.diff_trees(old_tree, new_tree):
        if is_plan_file(path):
            old[path], new[path] = old_id, new_id
    return old, new


EventReader = Callable[[str, str | None], Event | None]  # (plan path, blob id or None) -> the event it holds


def event_pairs(
    old_blobs: Mapping[str, str | None], new_blobs: Mapping[str, str | None], read: EventReader
) -> list[tuple[Event | None, Event | None, str]]:
    """The changed event files as (before, after, path). Files changed in place pair by
    path (a title change is a rename); added and removed files pair by name, then x-id."""
    pairs: list[tuple[Event | None, Event | None, str]] = []
    gone: dict[str, Event] = {}
    came: dict[str, Event] = {}
    paths: dict[str, str] = {}
    for path in sorted(old_blobs):
        if not is_event_file(path):
            continue
        old_event, new_event = read(path, old_blobs[path]), read(path, new_blobs[path])
        if old_event is not None and new_event is not None:
            pairs.append((old_event, new_event, path))
        elif old_event is not None:
            gone[old_event.name] = old_event
            paths[old_event.name] = path
        elif new_event is not None:
            came[new_event.name] = new_event
            paths[new_event.name] = path
    for a, b in pair_events(gone, came):
        pairs.append((a, b, paths[(b or a).name]))  # type: ignore[union-attr]
    return pairs


@dataclass(frozen=True)
class ChangedFiles:
    """The plan files that differ from one ref to another, {plan path: blob id or None} on
    each side, and how to read them: a file's document by (path, blob id), and a ref's
    settings. A Workspace reads them through pygit2; `diffing.commits` through the git
    executable."""

    old: dict[str, str | None]
    new: dict[str, str | None]
    parsed: Callable[[str, str | None], Any]
    settings: Callable[[str], Settings]


def diff_refs(
    ws: Workspace, base: str, head: str, profile: str | None = None, listed: Sequence[str] | None = None
) -> DiffResult:
    """The changes from `base` to `head`; `listed` as `changed_blobs` takes it."""
    old_blobs, new_blobs = changed_blobs(ws, base, head, listed)
    differ, result = diff_files(ChangedFiles(old_blobs, new_blobs, ws.parsed, ws.settings), base, head, profile)
    if _has_tracking_plans(ws, base) or _has_tracking_plans(ws, head):
        from trackplan.diffing.tracking_plans import tracking_plan_changes

        result.changes.extend(tracking_plan_changes(ws, base, head, differ, result.changes))
    ws.cache.flush()
    return result


def diff_files(files: ChangedFiles, base: str, head: str, profile: str | None = None) -> tuple[Differ, DiffResult]:
    """The changes of the plan files that differ from `base` to `head` (tracking plans
    aside), and the differ that found them: events, then traits and settings."""
    head_settings = files.settings(head)
    differ = differ_for(head_settings, profile)
    changes: list[Change] = []
    versions: list[VersionAdvice] = []
    events: dict[str, tuple[Event | None, Event | None]] = {}

    def read(path: str, blob: str | None) -> Event | None:
        doc = files.parsed(path, blob)
        return None if doc is None else event_from_document(doc, path)

    for a, b, path in event_pairs(files.old, files.new, read):
        differ.compare(a, b, path, changes, versions, events)
    changes.extend(_other_parts(files, read, differ, base, head_settings))
    return differ, DiffResult(changes, versions, base, head, events)


def _has_tracking_plans(ws: Workspace, ref: str) -> bool:
    """Whether a ref has a tracking-plans/ folder: without one on either side there is no
    tracking plan to compare, and their code and YAML are not loaded."""
    if ref == WORKTREE:
        return (ws.root / TRACKING_PLANS_DIR).is_dir()
    return ws.store.subtree_id(ws.store.resolve(ref), ws.repo_path(TRACKING_PLANS_DIR)) is not None


def _other_parts(
    files: ChangedFiles, read: EventReader, differ: Differ, base: str, head_settings: Settings
) -> list[Change]:
    """Traits and settings: compared through the plan-level engine, on just those parts."""

    def part(blobs: dict[str, str | None], path: str) -> Event | None:
        return read(path, blobs.get(path)) if path in blobs else None

    touched = [p for p in files.old if not is_event_file(p)]
    if not touched:
        return []
    old_settings = files.settings(base) if SETTINGS_FILE in touched else head_settings
    old_plan = Plan(
        settings=old_settings,
        identify=part(files.old, IDENTIFY_FILE),
        group=part(files.old, GROUP_FILE),
        contexts=tuple((p, e) for p in touched if p.startswith(CONTEXTS_DIR) and (e := part(files.old, p))),
    )
    new_plan = Plan(
        settings=head_settings,
        identify=part(files.new, IDENTIFY_FILE),
        group=part(files.new, GROUP_FILE),
        contexts=tuple((p, e) for p in touched if p.startswith(CONTEXTS_DIR) and (e := part(files.new, p))),
    )
    return diff_plans(old_plan, new_plan, differ).changes


def fix_versions(ws: Workspace, result: DiffResult) -> list[str]:
    """Write the expected x-version into work-tree files whose bump is too small."""
    from trackplan import yamlio
    from trackplan.repo.atomic import atomic_write

    fixed = []
    for advice in result.versions:
        if not advice.too_small or advice.path is None or advice.expected is None:
            continue
        file = ws.root / advice.path
        text = file.read_text()
        doc = yamlio.load(text, advice.path)
        doc["x-version"] = advice.expected
        atomic_write(file, yamlio.rewrite(text, doc).encode())
        fixed.append(f"{advice.path}: x-version {advice.after} -> {advice.expected}")
    return fixed

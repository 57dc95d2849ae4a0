"""The merge verbs: `merge-driver` (one file, for git), `resolve` (a merge in progress) and
`merge` (a merge commit without a checkout).

Each file goes through `files.merge_texts`; the two repository verbs get the conflicted
files from git's own tree merge (the index stages, or pygit2's in-memory merge), so git
decides what is a conflict and the plan merge only resolves plan files.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from trackplan.diffing.events import Differ
from trackplan.diffing.run import differ_for
from trackplan.errors import InputError, ProtectedBranchError, TrackplanError
from trackplan.merging.files import MARKER_SIZE, FileMerge, merge_texts
from trackplan.merging.kinds import kind_of
from trackplan.repo import merge as repomerge
from trackplan.repo.guards import guard_branch
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


@dataclass(frozen=True)
class DriverOutcome:
    """What the driver did to one file: `status` is its exit status for git (0 clean)."""

    status: int
    summaries: list[str] = field(default_factory=list)


def run_driver(cwd: Path, paths: tuple[Path, Path, Path], marker_size: int, name: str) -> DriverOutcome:
    """Merge `paths` (base, ours, theirs) into ours as git's merge driver does; `name` is the
    file's path in the repository. A file the plan merge does not take goes to `git merge-file`."""
    base_file, ours_file, theirs_file = paths
    texts = [file.read_bytes().decode("utf-8", "replace") for file in paths]
    merged = merge_texts(name, texts[0], texts[1], texts[2], _differ_near(cwd, name), marker_size)
    if merged is None:
        status = repomerge.merge_file(base_file, ours_file, theirs_file, marker_size, ("ours", "theirs"))
        note = f"{name}: merged line by line (not a plan file, or it does not parse)"
        return DriverOutcome(status, [note] if status else [])
    ours_file.write_text(merged.text)
    return DriverOutcome(1 if merged.conflicts else 0, merged.summaries())


def _differ_near(cwd: Path, name: str) -> Differ:
    """The change rules of the plan holding `name` (its breaking profile), else the defaults."""
    try:
        ws = Workspace((cwd / name).parent)
        return differ_for(ws.settings(WORKTREE if ws.store.workdir else "HEAD"))
    except TrackplanError:
        return Differ()


@dataclass(frozen=True)
class ResolveOutcome:
    resolved: list[str]
    unresolved: list[str]
    """One line per conflict left: the path and why."""


def resolve(ws: Workspace, marker_size: int = MARKER_SIZE) -> ResolveOutcome:
    """Resolve the conflicted plan files of the merge in progress: each cleanly merged file is
    written and staged; the others keep git's markers and are listed."""
    conflicts = repomerge.in_progress_conflicts(ws)
    if not conflicts:
        raise InputError("no conflicted files: no merge is in progress, or every conflict is resolved")
    differ = _differ_or_default(ws, WORKTREE)
    resolved, unresolved = [], []
    for conflict in conflicts:
        merged, reason = _merge_conflict(ws, conflict, differ, marker_size)
        if merged is not None and not merged.conflicts:
            repomerge.stage_resolution(ws, conflict.path, merged.text.encode())
            resolved.append(conflict.path)
        else:
            unresolved.extend(merged.summaries() if merged is not None else [f"{conflict.path}: {reason}"])
    return ResolveOutcome(resolved, unresolved)


def _differ_or_default(ws: Workspace, ref: str) -> Differ:
    try:
        return differ_for(ws.settings(ref))
    except TrackplanError:
        return Differ()


def _merge_conflict(
    ws: Workspace, conflict: repomerge.FileConflict, differ: Differ, marker_size: int
) -> tuple[FileMerge | None, str]:
    """The plan merge of one conflicted path, or None and the reason it cannot be merged."""
    if conflict.ours is None or conflict.theirs is None:
        return None, "removed on one side and changed on the other"
    base, ours, theirs = (
        None if blob is None else ws.store.read_blob(blob).decode("utf-8", "replace")
        for blob in (conflict.base, conflict.ours, conflict.theirs)
    )
    assert ours is not None and theirs is not None
    merged = merge_texts(conflict.path, base, ours, theirs, differ, marker_size)
    return merged, "not a plan file, or it does not parse on every side"


@dataclass(frozen=True)
class MergeOutcome:
    commit: str | None
    """None when the source was merged already."""
    target: str
    resolved: list[str]


class MergeConflictError(TrackplanError):
    """Conflicts remain: no merge commit was written. `conflicts` has one line per conflict."""

    exit_code = 3

    def __init__(self, conflicts: list[str]) -> None:
        count = f"{len(conflicts)} conflict{'s' if len(conflicts) != 1 else ''}"
        super().__init__(f"{count} left, so no merge commit was written; resolve them on a branch and merge that")
        self.conflicts = conflicts


def merge_refs(
    ws: Workspace, source: str, target: str, message: str | None = None, allow_protected: bool = False
) -> MergeOutcome:
    """Merge `source` into the branch `target` as a merge commit, without a checkout. Conflicts
    git cannot merge go through the plan merge; any left refuse the whole merge."""
    head = ws.store.branch_head(target)
    if head is None:
        raise InputError(f"--into {target}: no such branch")
    theirs = ws.store.resolve(source)
    if ws.store.is_ancestor(theirs, head):
        return MergeOutcome(None, target, [])
    protected = list(ws.settings(target).protected_branches)
    if target in protected and not allow_protected:
        raise ProtectedBranchError(
            f"branch {target!r} is protected (protected_branches in trackplan.yaml): "
            "merge into it through a pull request, or pass --allow-protected"
        )
    if target not in protected:
        guard_branch(ws, target, protected, head, "merge")
    tree = repomerge.tree_merge(ws, head, theirs)
    resolutions, left = _plan_merges(ws, tree, _differ_or_default(ws, target))
    if left:
        raise MergeConflictError(left)
    text = message or f"Merge {source} into {target}"
    commit = tree.commit(target, resolutions, text if text.endswith("\n") else text + "\n")
    return MergeOutcome(commit, target, sorted(resolutions))


def _plan_merges(ws: Workspace, tree: repomerge.TreeMerge, differ: Differ) -> tuple[dict[str, bytes], list[str]]:
    """The plan merge of every plan file both sides changed, as the driver would have merged
    it (git's line merge stands for the rest): {path: merged bytes}, and the conflicts left."""
    conflicted = {conflict.path: conflict for conflict in tree.conflicts}
    both = {conflict.path: conflict for conflict in tree.changed_on_both()}
    resolutions: dict[str, bytes] = {}
    left: list[str] = []
    for path in sorted(conflicted.keys() | both.keys()):
        conflict = conflicted.get(path) or both[path]
        if path not in conflicted and kind_of(path) is None:
            continue
        merged, reason = _merge_conflict(ws, conflict, differ, MARKER_SIZE)
        if merged is not None and not merged.conflicts:
            resolutions[path] = merged.text.encode()
        elif path in conflicted or merged is not None:
            left.extend(merged.summaries() if merged is not None else [f"{path}: {reason}"])
    return resolutions, left

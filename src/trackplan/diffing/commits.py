"""A diff of two commits without opening the repository with pygit2: the git executable
resolves the refs and compares the plan folder's trees (`repo.git.plan_trees`,
`repo.git.tree_diffs`), the blob cache gives the changed files' documents, and git reads
only the blobs the cache lacks. The comparison is `run.diff_files`, as in every diff, so
the result is the same.

`diff_commits` answers when it can and gives None otherwise, before it compares anything,
and the caller takes the pygit2 path (`run.diff_refs`), which answers or raises the error to
show: a side that is the work tree, a ref git and libgit2 might read differently, an unknown
ref, a range whose merge base is not one commit, a shallow clone, a plan folder missing at
either commit, a tracking-plans/ folder on either side (comparing tracking plans reads whole
plans), or no git.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackplan.diffing.ranges import Range, split_range
from trackplan.diffing.run import ChangedFiles, diff_files
from trackplan.errors import GitError
from trackplan.repo.git import plan_trees
from trackplan.repo.git.tree_diffs import FileChange, started_diff
from trackplan.repo.paths import SETTINGS_FILE, TRACKING_PLANS_DIR, is_plan_file
from trackplan.repo.reading import settings_from
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import blob_cache, parse_cached, plan_root

if TYPE_CHECKING:
    from trackplan.diffing.records import DiffResult
    from trackplan.model import Settings
    from trackplan.repo.cache import BlobCache


@dataclass(frozen=True)
class CommitDiff:
    result: DiffResult
    span: Range
    path_prefix: str
    """The plan folder from the repository root: "" or "folder/"."""
    source_text: Callable[[str], str | None]
    """A changed plan file's text at HEAD (None where it is not), for reports that point into it."""


def diff_commits(
    cwd: Path, plan_dir: Path | None, base: str, head: str | None, profile: str | None
) -> CommitDiff | None:
    """The diff `trackplan diff BASE [HEAD]` shows, when both sides are commits git can name."""
    left, right, from_merge_base = split_range(base, head)
    if right == WORKTREE:
        return None
    root = plan_root(cwd, plan_dir)
    found = _commits(root, left, right, from_merge_base)
    if found is None:
        return None
    span = Range(found.commits[0], right, left) if from_merge_base else Range(left, right)
    files = _changed_files(root, found, span)
    if files is None:
        return None
    changed, cache, head_text = files
    _, result = diff_files(changed, span.base, span.head, profile)
    cache.flush()
    return CommitDiff(result, span, found.path_prefix, head_text)


def _commits(root: Path, left: str, right: str, from_merge_base: bool) -> plan_trees.PlanTrees | None:
    """The plan folder at BASE (the merge base of `left` and `right`, with `from_merge_base`)
    and at `right`."""
    found = plan_trees.plan_trees(root, [left, right])
    if found is None or not from_merge_base:
        return found
    if found.shallow:
        return None  # the merge base may lie beyond the history fetched: pygit2 says so
    bases = plan_trees.merge_bases(root, *found.commits)
    if bases is None or len(bases) != 1:
        return None  # none is an error, several a choice libgit2 makes: both pygit2's to give
    return plan_trees.plan_trees(root, [bases[0], right])


def _changed_files(
    root: Path, found: plan_trees.PlanTrees, span: Range
) -> tuple[ChangedFiles, BlobCache, Callable[[str], str | None]] | None:
    """The plan files that differ between the two trees, read through the blob cache; None
    when a side holds tracking plans, or git cannot answer."""
    old_tree, new_tree = found.trees
    tops = [plan_trees.started_entries(root, tree, (SETTINGS_FILE, TRACKING_PLANS_DIR)) for tree in found.trees]
    diff = started_diff(root, old_tree, new_tree) if old_tree != new_tree else _no_changes
    old_top, new_top = (top() for top in tops)  # each git started before any is waited for
    changes = diff()
    if old_top is None or new_top is None or changes is None:
        return None
    if _entry(old_top, TRACKING_PLANS_DIR, "tree") or _entry(new_top, TRACKING_PLANS_DIR, "tree"):
        return None
    settings_blobs = {
        span.base: _entry(old_top, SETTINGS_FILE, "blob"),
        span.head: _entry(new_top, SETTINGS_FILE, "blob"),
    }
    plan_diff = [change for change in changes if is_plan_file(change[0])]
    old = {path: old_id for path, old_id, _ in plan_diff}
    new = {path: new_id for path, _, new_id in plan_diff}
    cache = blob_cache(found.git_dir)
    wanted = {blob for blob in (*old.values(), *new.values(), *settings_blobs.values()) if blob is not None}
    docs = cache.get_many(wanted)
    data = plan_trees.read_blobs(root, wanted - docs.keys())
    if data is None:
        return None
    blobs = _Blobs(root, data)

    def parsed(path: str, blob: str | None) -> Any:
        if blob is None:
            return None
        if blob not in docs:
            docs[blob] = parse_cached(cache, path, blob, blobs.read)
        return docs[blob]

    def settings(ref: str) -> Settings:
        blob = settings_blobs[ref]
        return settings_from(parsed(SETTINGS_FILE, blob), lambda: blobs.read(blob) if blob else b"")

    def head_text(path: str) -> str | None:
        blob = new.get(path)
        if blob is None or not blobs.prefetch([b for b in new.values() if b is not None]):
            return None
        return blobs.read(blob).decode("utf-8", "replace")

    return ChangedFiles(old, new, parsed, settings), cache, head_text


def _entry(entries: dict[str, plan_trees.Entry], name: str, kind: str) -> str | None:
    """The id of the entry called `name`, if it is of that kind (a blob: a file or a symlink,
    as `GitStore.blob_at` takes it; a tree: a folder, as `GitStore.subtree_id`)."""
    entry = entries.get(name)
    return entry[1] if entry is not None and entry[0] == kind else None


def _no_changes() -> list[FileChange]:
    return []


class _Blobs:
    """Blob bytes read by git: those the cache lacked, then any other asked for."""

    def __init__(self, root: Path, data: dict[str, bytes]) -> None:
        self.root = root
        self.data = data

    def prefetch(self, blob_ids: list[str]) -> bool:
        """Read these blobs in one process; whether they could all be read."""
        found = plan_trees.read_blobs(self.root, [blob for blob in blob_ids if blob not in self.data])
        if found is not None:
            self.data.update(found)
        return found is not None

    def read(self, blob_id: str) -> bytes:
        if blob_id not in self.data and not self.prefetch([blob_id]):
            raise GitError(f"cannot read blob {blob_id}")
        return self.data[blob_id]

"""Merges in git: the tree merge of two commits, the conflict stages of a merge in progress,
a merge commit with two parents, the merge driver's git config, and `git merge-file` for
files the plan merge leaves to a line merge.

A merge commit moves its branch by the store's compare-and-swap, as every other commit does,
and a checked-out branch's work tree follows it. pygit2's errors become the project's own.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pygit2
from pygit2.enums import FileMode

from trackplan.errors import GitError, InputError, TrackplanError
from trackplan.repo.atomic import atomic_write
from trackplan.repo.git.store import GitStore


@dataclass(frozen=True)
class FileConflict:
    """A path git's tree merge could not merge: the blob ids of its three stages (None: absent)."""

    path: str
    base: str | None
    ours: str | None
    theirs: str | None


@contextmanager
def _git_errors(what: str) -> Iterator[None]:
    try:
        yield
    except TrackplanError:
        raise
    except (pygit2.GitError, KeyError, ValueError, OSError) as exc:
        raise GitError(f"{what}: {exc}") from exc


def _conflicts(index: pygit2.Index) -> list[FileConflict]:
    if index.conflicts is None:
        return []
    found = []
    for stages in index.conflicts:
        path = next(entry.path for entry in stages if entry is not None)
        base, ours, theirs = (None if entry is None else str(entry.id) for entry in stages)
        found.append(FileConflict(path, base, ours, theirs))
    return sorted(found, key=lambda conflict: conflict.path)


class TreeMerge:
    """The tree merge of `theirs` into `ours` (commits), in memory: no work tree, no index file."""

    def __init__(self, store: GitStore, ours: str, theirs: str) -> None:
        self.store, self.ours, self.theirs = store, ours, theirs
        with _git_errors(f"cannot merge {theirs} into {ours}"):
            base = store.merge_base(ours, theirs)
            if base is None:
                raise InputError(f"{theirs} and {ours} have no common ancestor")
            self.base = base
            self._index = store.repo.merge_commits(ours, theirs)
            self.conflicts = _conflicts(self._index)

    def changed_on_both(self) -> list[FileConflict]:
        """Every path both sides changed from the merge base, differently (git merged some of
        them line by line): the three blob ids of each."""
        base, ours, theirs = (self.store.subtree_id(commit, "") for commit in (self.base, self.ours, self.theirs))
        mine = {path: (old, new) for path, old, new in self.store.diff_trees(base, ours)}
        other = {path: new for path, _, new in self.store.diff_trees(base, theirs)}
        return [
            FileConflict(path, mine[path][0], mine[path][1], other[path])
            for path in sorted(mine.keys() & other.keys())
            if mine[path][1] != other[path]
        ]

    def commit(self, branch: str, resolved: Mapping[str, bytes], message: str) -> str:
        """Write the merge commit on `branch` (which must still be at `ours`), each path in
        `resolved` taking those bytes instead of the tree merge's. Every conflict must be resolved."""
        repo = self.store.repo
        with _git_errors(f"cannot write the merge commit on {branch!r}"):
            conflicted = {conflict.path for conflict in _conflicts(self._index)}
            for path, data in resolved.items():
                if path in conflicted:
                    del self._index.conflicts[path]
                self._index.add(pygit2.IndexEntry(path, repo.create_blob(data), FileMode.BLOB))
            if self._index.conflicts is not None:
                raise GitError(f"unresolved conflicts remain: {', '.join(c.path for c in _conflicts(self._index))}")
            tree = str(self._index.write_tree(repo))
            changes = self._changes(tree)
        return self.store.commit_tree(branch, self.ours, [self.ours, self.theirs], tree, changes, message)

    def _changes(self, tree: str) -> dict[str, bytes | None]:
        """What the merge changes on the target: {path: bytes, or None for a removed file}."""
        old_tree = self.store.subtree_id(self.ours, "")
        return {
            path: None if new is None else self.store.read_blob(new)
            for path, _, new in self.store.diff_trees(old_tree, tree)
        }


def index_conflicts(store: GitStore) -> list[FileConflict]:
    """The conflicted paths of the merge in progress in the work tree (its index stages)."""
    with _git_errors("cannot read the index"):
        index = store.repo.index
        index.read()
        return _conflicts(index)


def stage_resolution(store: GitStore, path: str, data: bytes) -> None:
    """Write a resolved file into the work tree and stage it, which clears its conflict (as `git add`)."""
    assert store.workdir is not None
    with _git_errors(f"cannot stage {path}"):
        atomic_write(store.workdir / path, data)
        index = store.repo.index
        index.read()
        index.add(path)
        index.write()


def merge_driver(store: GitStore, name: str) -> str | None:
    """The command git config gives the merge driver `name` (any config level), or None."""
    with _git_errors("cannot read git config"):
        config = store.repo.config
        key = f"merge.{name}.driver"
        return str(config[key]) if key in config else None


def set_merge_driver(store: GitStore, name: str, description: str, command: str) -> None:
    """Declare the merge driver `name` in the repository's own config (.git/config)."""
    with _git_errors("cannot write git config"):
        config = store.repo.config
        config[f"merge.{name}.name"] = description
        config[f"merge.{name}.driver"] = command


def merge_file(base: Path, ours: Path, theirs: Path, marker_size: int, labels: tuple[str, str]) -> int:
    """`git merge-file` of three files into `ours`: its exit status, the number of conflicts
    (negative on an error)."""
    command = ["git", "merge-file", f"--marker-size={marker_size}", "-L", labels[0], "-L", "base", "-L", labels[1]]
    try:
        done = subprocess.run(
            [*command, str(ours), str(base), str(theirs)], capture_output=True, check=False, stdin=subprocess.DEVNULL
        )
    except OSError as exc:  # no git executable
        raise GitError(f"cannot run git merge-file: {exc}") from exc
    return done.returncode

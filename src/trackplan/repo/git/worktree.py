"""The work tree as the git executable sees it; no pygit2.

Whether a work tree changed is what `git status` answers best: it trusts the index's stat
cache (and fsmonitor or the untracked cache where they are set up) in a process that starts
in a millisecond, where loading pygit2 costs a Python process 66 ms of CPU. A command that
only needs to know that nothing changed asks here, and loads pygit2 only when something did.

Each question answers None (or False) when git cannot answer it: no git executable, a
repository it refuses, a ref it does not know, a shallow clone. The caller then takes the
pygit2 path, which raises the error to show.
"""

from __future__ import annotations

import os

from trackplan.repo.git.command import finish, git_output, start

TYPE_CHECKING = False
if TYPE_CHECKING:
    from pathlib import Path


class Checkout:
    """The checkout holding a folder (a plain class: dataclasses loads inspect, which costs the
    quick default diff more than git takes to answer)."""

    __slots__ = ("git_dir", "head", "prefix")

    def __init__(self, git_dir: str, prefix: str, head: str) -> None:
        self.git_dir = git_dir
        """The repository's git folder, absolute."""
        self.prefix = prefix
        """The folder from the work tree's root: "" or ending in "/"."""
        self.head = head
        """HEAD's commit id."""


def checkout_of(folder: Path | str) -> Checkout | None:
    """The checkout `folder` is in; None outside a work tree, in a shallow clone (its merge
    bases are not all there) and before the first commit."""
    args = ["--is-inside-work-tree", "--is-shallow-repository", "--absolute-git-dir", "--show-prefix", "HEAD"]
    out = git_output(folder, "rev-parse", *args)
    if out is None:
        return None
    lines = os.fsdecode(out).split("\n")
    if len(lines) != len(args) + 1 or lines[:2] != ["true", "false"]:
        return None  # a path with a newline in it would shift the lines: not worth parsing
    return Checkout(lines[2], lines[3], lines[4])


def merge_base(folder: Path | str, ref: str, commit: str) -> str | None:
    """The merge base of a ref and a commit; None when the ref is unknown, or there is no
    merge base or more than one (which one libgit2 picks is its own choice)."""
    out = git_output(folder, "merge-base", "--all", "--end-of-options", ref, commit)
    bases = out.split() if out is not None else []
    return bases[0].decode() if len(bases) == 1 else None


def same_folder(folder: Path | str, a: str, b: str) -> bool:
    """Whether `folder` is the same tree in commits `a` and `b` (False when absent from either)."""
    out = git_output(folder, "rev-parse", f"{a}:./", f"{b}:./")
    if out is None:
        return False
    trees = out.split()
    return len(trees) == 2 and trees[0] == trees[1]


class Status:
    """`git status` of a folder, started at once to run while the caller does other work;
    as a context, stopped on leaving it if its paths were never asked for."""

    def __init__(self, folder: Path | str) -> None:
        args = ["--porcelain=v2", "-z", "--untracked-files=normal", "--ignored=matching", "--", "."]
        # No optional locks: a read must not hold index.lock while a writer wants it.
        self._process = start(folder, "--no-optional-locks", "status", *args)

    def __enter__(self) -> Status:
        return self

    def __exit__(self, *exc: object) -> None:
        if self._process is not None:
            self._process.stop()

    def paths(self) -> list[str] | None:
        """Every path below the folder that git lists, from the work tree's root: changed,
        staged, deleted, unmerged, untracked and ignored files, both paths of a staged
        rename, and the untracked or ignored folders git did not look into (ending in "/")."""
        out = finish(self._process) if self._process is not None else None
        if out is None:
            return None
        paths: list[str] = []
        records = iter(out.split(b"\0"))
        for record in records:
            kind = record[:1]
            if kind in (b"?", b"!"):
                paths.append(os.fsdecode(record[2:]))
            elif kind in _FIELDS_BEFORE_PATH:
                paths.append(os.fsdecode(record.split(b" ", _FIELDS_BEFORE_PATH[kind])[-1]))
                if kind == b"2":  # a rename: the path it had follows as the next record
                    paths.append(os.fsdecode(next(records)))
        return paths


_FIELDS_BEFORE_PATH = {b"1": 8, b"2": 9, b"u": 10}
"""Porcelain v2: ordinary, renamed or copied, and unmerged entries (git-status(1))."""

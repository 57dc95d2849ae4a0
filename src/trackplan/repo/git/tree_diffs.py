"""Many tree comparisons in one `git diff-tree --stdin` process, or one in a `git diff-tree`
of its own (`diff A B`); no pygit2.

A first `log` compares each commit's plan folder with its parent's. In Python each
comparison parses the changed folders' tree objects (about 0.6 ms a commit in a sharded
plan); git's plumbing compares a thousand pairs in about 50 ms of CPU, in a process of its
own that runs beside this one. The pairs are sent on stdin, the file changes come back
with their blob ids, as `GitStore.diff_trees` gives them: files only (no symlink or
submodule), no rename detection (plumbing never guesses renames), paths from the trees
compared.

None means git could not answer (no git executable, a repository it refuses, ids that are
not SHA-1): the caller compares the trees itself.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path

from trackplan.repo.git.command import finish, git_output, start

EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
"""The id of the tree with no entries, which git knows without storing it."""
SHA1 = re.compile(r"[0-9a-f]{40}")
HEADER = re.compile(rb"([0-9a-f]{40}) ([0-9a-f]{40})\n")
FILE_MODES = (b"100644", b"100755")
"""Entries that can be plan files, as in `store.FILE_MODES`."""

FileChange = tuple[str, str | None, str | None]
"""(path, old blob id or None, new blob id or None), as `GitStore.diff_trees` gives them."""


def tree_diffs(folder: Path, pairs: Sequence[tuple[str | None, str | None]]) -> list[list[FileChange]] | None:
    """The changed files of each (old tree, new tree) pair, in the order of `pairs`, each list
    sorted by path; None (no tree) is the empty tree. The repository is the one holding
    `folder`."""
    sides = [(old or EMPTY_TREE, new or EMPTY_TREE) for old, new in pairs]
    if not all(SHA1.fullmatch(tree) for pair in sides for tree in pair):
        return None
    asked = "".join(f"{old} {new}\n" for old, new in sides if old != new).encode()
    out = git_output(folder, "diff-tree", "--stdin", "-r", "-z", "--no-renames", stdin=asked) if asked else b""
    if out is None:
        return None
    found = _parsed(out)
    if found is None:
        return None
    return [sorted(found.get(pair, [])) for pair in sides]


def started_diff(folder: Path, old: str, new: str) -> Callable[[], list[FileChange] | None]:
    """git comparing two trees (ids), started: the function returned waits for the changed
    files, sorted by path, as `tree_diffs` gives them (None: git could not answer). One pair
    needs no input, so git is spawned without `subprocess`."""
    trees = SHA1.fullmatch(old) and SHA1.fullmatch(new)
    process = start(folder, "diff-tree", "-r", "-z", "--no-renames", old, new) if trees else None

    def changes() -> list[FileChange] | None:
        out = finish(process) if process is not None else None
        found = _parsed(out, headers=False) if out is not None else None
        return sorted(found[UNNAMED]) if found is not None else None

    return changes


UNNAMED = ("", "")
"""The pair of a diff-tree given its two trees as arguments: the output names none."""


def _parsed(out: bytes, headers: bool = True) -> dict[tuple[str, str], list[FileChange]] | None:
    """{(old tree, new tree): its file changes} from diff-tree's output: for each pair with a
    difference, a line naming the two trees (without `headers`, none: one pair, `UNNAMED`),
    then `:<mode> <mode> <id> <id> <status>` and the path, each ending in NUL. None for output
    not of that form."""
    found: dict[tuple[str, str], list[FileChange]] = {} if headers else {UNNAMED: []}
    changes = found.get(UNNAMED)
    at = 0
    while at < len(out):
        header = HEADER.match(out, at) if headers else None
        if header is not None:
            changes = found.setdefault((header[1].decode(), header[2].decode()), [])
            at = header.end()
            continue
        meta_end = out.find(b"\0", at)
        path_end = out.find(b"\0", meta_end + 1)
        if changes is None or not out.startswith(b":", at) or meta_end < 0 or path_end < 0:
            return None
        old_mode, new_mode, old_id, new_id, _ = out[at + 1 : meta_end].split(b" ")
        old = old_id.decode() if old_mode in FILE_MODES else None
        new = new_id.decode() if new_mode in FILE_MODES else None
        if old != new:  # a mode change alone, or a symlink or submodule either side only, is no file change
            changes.append((out[meta_end + 1 : path_end].decode("utf-8", "surrogateescape"), old, new))
        at = path_end + 1
    return found

"""The plan folder at some commits, and the few objects a diff of two commits reads, asked of
the git executable; no pygit2.

A diff of two refs reads little: the two commits, the plan folder's tree in each, the tree
diff (`tree_diffs`), trackplan.yaml, whether a tracking-plans/ folder is there, and the
blobs of changed files the blob cache has not parsed yet. git answers each in a process
that starts in a millisecond, where loading pygit2 costs a Python process 50 ms of CPU;
the questions without input run side by side.

Every function gives None when git cannot answer (a ref git and libgit2 might read
differently, see `revisions.reads_alike`, an unknown ref, no git, a folder outside any work
tree): the caller then opens the repository with pygit2, which answers or raises the error
to show.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from trackplan.repo.git.command import finish, git_output, start
from trackplan.repo.git.revisions import reads_alike

OBJECT_ID = re.compile(rb"[0-9a-f]{40}")
Entry = tuple[str, str]
"""(type, id) of a tree entry: `blob`, `tree` or `commit` (a submodule), and its object id."""


@dataclass(frozen=True)
class PlanTrees:
    """A plan folder of a work tree at some refs."""

    git_dir: Path
    path_prefix: str
    """The plan folder from the repository root: "" or "folder/"."""
    shallow: bool
    """A shallow clone: a merge base may lie beyond the history it holds."""
    commits: tuple[str, ...]
    trees: tuple[str, ...]
    """The plan folder's tree in each commit."""


def plan_trees(folder: Path, refs: Sequence[str]) -> PlanTrees | None:
    """The folder `folder` (of a work tree) at the commit each of `refs` names."""
    if not all(reads_alike(ref) for ref in refs):
        return None
    commits = [f"{ref}^{{commit}}" for ref in refs]
    trees = [f"{commit}:./" for commit in commits]
    asked = ("--absolute-git-dir", "--show-prefix", "--is-shallow-repository", *commits, *trees, "--")
    out = git_output(folder, "rev-parse", *asked)
    lines = out.split(b"\n") if out is not None else []
    ids = lines[3 : 3 + 2 * len(refs)]
    if lines[3 + 2 * len(refs) :] != [b"--", b""] or not all(OBJECT_ID.fullmatch(line) for line in ids):
        return None  # a path holding a newline shifts the lines: not worth parsing
    if lines[2] not in (b"true", b"false"):
        return None
    git_dir, prefix = (os.fsdecode(line) for line in lines[:2])
    found = tuple(line.decode() for line in ids)
    return PlanTrees(Path(git_dir).resolve(), prefix, lines[2] == b"true", found[: len(refs)], found[len(refs) :])


def merge_bases(folder: Path, a: str, b: str) -> list[str] | None:
    """Every best common ancestor of commits `a` and `b`; None for unrelated histories too
    (git then exits 1)."""
    out = git_output(folder, "merge-base", "--all", a, b)
    if out is None:
        return None
    found = out.split()
    return [line.decode() for line in found] if all(OBJECT_ID.fullmatch(line) for line in found) else None


def started_entries(folder: Path, tree: str, names: Sequence[str]) -> Callable[[], dict[str, Entry] | None]:
    """git listing the entries called `names` at the top of `tree` (an id), started: the
    function returned waits for {name: (type, id)} of those there (None: git could not
    answer). It needs no input, so git is spawned without `subprocess`."""
    args = ("--literal-pathspecs", "ls-tree", "-z", "--full-tree", tree, "--", *names)
    process = start(folder, *args) if OBJECT_ID.fullmatch(tree.encode()) else None

    def entries() -> dict[str, Entry] | None:
        out = finish(process) if process is not None else None
        if out is None:
            return None
        found: dict[str, Entry] = {}
        for record in out.split(b"\0")[:-1]:
            meta, tab, name = record.partition(b"\t")
            fields = meta.split(b" ")
            if not tab or len(fields) != 3 or not OBJECT_ID.fullmatch(fields[2]):
                return None
            found[os.fsdecode(name)] = (fields[1].decode(), fields[2].decode())
        return found

    return entries


def read_blobs(folder: Path, blob_ids: Iterable[str]) -> dict[str, bytes] | None:
    """The bytes of each blob, in one `git cat-file --batch`; None when one cannot be read."""
    wanted = sorted(set(blob_ids))
    if not wanted:
        return {}
    if not all(OBJECT_ID.fullmatch(blob.encode()) for blob in wanted):
        return None
    out = git_output(folder, "cat-file", "--batch", stdin="".join(f"{blob}\n" for blob in wanted).encode())
    if out is None:
        return None
    found: dict[str, bytes] = {}
    at = 0
    for blob in wanted:
        header_end = out.find(b"\n", at)
        header = out[at:header_end].split(b" ")
        if header_end < 0 or len(header) != 3 or header[0] != blob.encode() or header[1] != b"blob":
            return None
        start = header_end + 1
        end = start + int(header[2])
        if out[end : end + 1] != b"\n":
            return None
        found[blob] = out[start:end]
        at = end + 1
    return found if at == len(out) else None

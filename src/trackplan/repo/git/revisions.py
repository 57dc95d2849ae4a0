"""The commit a ref names and a folder's tree in it, asked of the git executable; no pygit2.

A warm export needs only these of the repository, to find the output kept for them; git
answers in a process that starts in a millisecond, where loading pygit2 costs a Python
process 50 ms of CPU.

Only a ref that git and libgit2 read alike is asked: a name with `~N` and `^N` steps after
it. Anything else (`@{...}`, `:path`, a `-N-g<hex>` name, which libgit2 reads as `git
describe` output before it looks for a ref of that name), a HEAD that is neither on a
branch nor detached, or a question git cannot answer, is None: the caller then opens the
repository with pygit2, which resolves the ref or raises the error to show.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from trackplan.repo.git.command import git_output

PLAIN_REF = re.compile(r"[\w./-]+(?:[~^][0-9]*)*")
DESCRIBED = re.compile(r"-[0-9]+-g[0-9a-fA-F]")
OBJECT_ID = re.compile(rb"[0-9a-f]{40}")
BRANCH_HEAD = b"ref: refs/heads/"


@dataclass(frozen=True)
class FolderAt:
    """A folder of a work tree at a ref."""

    git_dir: Path
    commit: str
    object_id: str
    """The id of what the ref holds at the folder's path: its tree, or whatever else is there."""
    branch: str | None
    """The branch HEAD is on (None when it is detached); asked for only with the folder."""


def reads_alike(ref: str) -> bool:
    """Whether git and libgit2 read `ref` alike, so git may be asked about it."""
    return bool(PLAIN_REF.fullmatch(ref)) and not ref.startswith("-") and ".." not in ref and not DESCRIBED.search(ref)


def folder_at(folder: Path, ref: str, with_branch: bool = False) -> FolderAt | None:
    """The folder `folder` (of a work tree) at the commit `ref` names, and with `with_branch`,
    the branch HEAD is on; None for a ref not read here, or when git cannot answer."""
    if not reads_alike(ref):
        return None
    commit = f"{ref}^{{commit}}"
    out = git_output(folder, "rev-parse", "--absolute-git-dir", commit, f"{commit}:./", "--")
    lines = out.split(b"\n") if out is not None else []
    if lines[3:] != [b"--", b""] or not all(OBJECT_ID.fullmatch(line) for line in lines[1:3]):
        return None  # a git folder whose path holds a newline shifts the lines: not worth parsing
    git_dir = Path(os.fsdecode(lines[0])).resolve()
    branch = None
    if with_branch:
        head = _head(git_dir)
        if head is None or not (head.startswith(BRANCH_HEAD) or OBJECT_ID.fullmatch(head)):
            return None  # a symbolic ref outside refs/heads, or no readable HEAD
        try:
            branch = head[len(BRANCH_HEAD) :].decode() if head.startswith(BRANCH_HEAD) else None
        except UnicodeDecodeError:
            return None
    return FolderAt(git_dir, lines[1].decode(), lines[2].decode(), branch)


def _head(git_dir: Path) -> bytes | None:
    """What the HEAD file holds: `ref: <name>` on a branch, a commit id when detached."""
    try:
        return (git_dir / "HEAD").read_bytes().rstrip(b"\n")
    except OSError:
        return None

"""Branches as the API names them: `main` for the plan's main branch whatever it is called, any
other branch by its name (slashes included) or by its stable id, a digest of the name."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from trackplan.errors import RefNameError
from trackplan.repo.git.store import branch_ref
from trackplan.repo.workspace import Workspace

MAIN = "main"


@dataclass(frozen=True)
class Branch:
    id: str
    name: str
    head: str
    is_main: bool


def branch_id(name: str) -> str:
    """A stable id for a branch name: the same on every server, across restarts."""
    return hashlib.sha256(f"refs/heads/{name}".encode()).hexdigest()[:12]


def is_valid_name(segment: str) -> bool:
    """Whether a path segment can name a branch: the rules of `git check-ref-format --branch`
    (no control characters, `..`, `@{`, leading `-`, ...), as every write checks them, which
    also refuse a part too long for a file name. A branch id is always a valid name."""
    try:
        branch_ref(segment)  # refuses a NUL and text git cannot store too
    except RefNameError:
        return False
    return True


def main_branch(ws: Workspace) -> str:
    return ws.settings("HEAD").main_branch


def list_branches(ws: Workspace) -> list[Branch]:
    main = main_branch(ws)
    out = []
    for name in ws.store.branch_names():
        head = ws.store.branch_head(name)
        if head is not None:
            out.append(Branch(branch_id(name), name, head, name == main))
    return out


def find_branch(ws: Workspace, segment: str) -> Branch | None:
    """The branch a path segment names (`main`, a name or an id), or None."""
    main = main_branch(ws)
    name = main if segment == MAIN else segment
    head = ws.store.branch_head(name)
    if head is not None:
        return Branch(branch_id(name), name, head, name == main)
    return next((b for b in list_branches(ws) if b.id == segment), None)

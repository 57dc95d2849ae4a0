"""Which branch a write goes to, and the branches a write must not touch.

A protected branch is refused (Avo's 403), so is a branch already merged into a protected
one (Avo's 409): plan changes arrive through branches and pull requests.
"""

from __future__ import annotations

from pathlib import Path

from trackplan.errors import InputError, MergedBranchError, ProtectedBranchError
from trackplan.repo.git.store import branch_ref
from trackplan.repo.workspace import Workspace


def target_branch(ws: Workspace, branch: str | None) -> str:
    target = branch or ws.store.current_branch()
    if not target:
        raise InputError("no branch is checked out; name the plan branch with --branch")
    branch_ref(target)  # a name git refuses is refused before anything is read
    return target


def guard_branch(ws: Workspace, branch: str, protected: list[str], head: str | None, action: str) -> None:
    """Refuse a protected branch, or one already merged into a protected branch. `action`
    names the command in the suggested branch name."""
    if branch in protected:
        raise ProtectedBranchError(
            f"branch {branch!r} is protected (protected_branches in trackplan.yaml): write to "
            f"a plan branch and open a pull request, e.g. --branch {action}/{Path(branch).name}-update"
        )
    if head is None:
        return
    created_at = ws.store.branch_creation_point(branch)
    for name in protected:
        protected_head = ws.store.branch_head(name)
        if protected_head is None or created_at == head:
            continue  # a branch with no commits of its own is not "merged"
        if created_at is None and protected_head == head:
            continue  # no reflog: cannot tell a fresh branch from a merged one
        if ws.store.is_ancestor(head, protected_head):
            raise MergedBranchError(
                f"branch {branch!r} is already merged into {name!r}; write to a new branch with --branch"
            )

"""The plan each payload names: generated tracking code sends the commit it was generated from
as `context.trackingPlan.commit`, and `CommitCheckers` holds one Checker per such commit, built
on first use, so a payload is judged by exactly the plan it was written for."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from trackplan.checking.checker import Checker
from trackplan.errors import PlanNotFoundError, RefError

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

# A commit id, full or abbreviated: a payload names a commit, never a branch or `HEAD~1`.
COMMIT_ID = re.compile(r"[0-9a-fA-F]{4,64}")


def payload_commit(doc: Any) -> str | None:
    """The commit a payload names in `context.trackingPlan.commit`; None when it names none
    (no such context, or `null`: code generated from uncommitted files)."""
    context = doc.get("context") if isinstance(doc, dict) else None
    plan = context.get("trackingPlan") if isinstance(context, dict) else None
    commit = plan.get("commit") if isinstance(plan, dict) else None
    return None if commit is None else str(commit)


class CommitCheckers:
    """A Checker per commit of the workspace, built once; a commit named in several ways (full
    id, abbreviated) shares one."""

    def __init__(self, ws: Workspace, known: dict[str, Checker] | None = None, *, formats: bool = True) -> None:
        self.ws = ws
        self.formats = formats
        self._by_commit: dict[str, Checker] = dict(known or {})  # by full commit id
        self._by_name: dict[str, Checker | None] = {}  # by the commit as payloads name it

    def checker(self, named: str) -> Checker | None:
        """The Checker of the plan at commit `named`; None when this repository has no such
        commit (a shallow clone lacks history) or no plan in it."""
        if named in self._by_name:
            return self._by_name[named]
        found = None
        if COMMIT_ID.fullmatch(named):
            try:
                commit = self.ws.store.resolve(named)
                found = self._by_commit.get(commit)
                if found is None:
                    found = self._by_commit[commit] = Checker(self.ws.load(commit).plan, formats=self.formats)
            except (RefError, PlanNotFoundError):
                found = None
        self._by_name[named] = found
        return found

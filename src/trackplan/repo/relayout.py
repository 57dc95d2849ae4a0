"""Move every event file to the other events layout (flat or sharded) in one commit.

Files move byte for byte, so git shows renames and `git log --follow` keeps each event's
history; only trackplan.yaml is rewritten (keeping its comments and layout).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from trackplan.errors import InputError
from trackplan.model import Plan
from trackplan.repo.guards import guard_branch, target_branch
from trackplan.repo.paths import is_event_file, relocated
from trackplan.repo.workspace import Workspace


def moves(paths: list[str], sharded: bool) -> dict[str, str]:
    """{old path: new path} for the event files that move. Two files that would land on
    one path (even differing only in case) are refused, naming both."""
    out: dict[str, str] = {}
    landed: dict[str, str] = {}
    for path in sorted(paths):
        if not is_event_file(path):
            continue
        new = relocated(path, sharded)
        other = landed.get(new.lower())
        if other is not None:
            raise InputError(f"{path} and {other} would both become {new}; rename one of them first")
        landed[new.lower()] = path
        if new != path:
            out[path] = new
    return out


@dataclass(frozen=True)
class RelayoutResult:
    commit: str | None
    branch: str
    moved: int


def relayout(ws: Workspace, events_layout: str, branch: str | None = None) -> RelayoutResult:
    branch = target_branch(ws, branch)
    head = ws.store.branch_head(branch)
    # A new branch starts at the main branch, as an import's does.
    start = ws.store.resolve(ws.settings("HEAD").main_branch) if head is None else head
    before = ws.load(start)  # the index only: events are moved, never parsed
    settings = before.settings
    guard_branch(ws, branch, list(settings.protected_branches), head, "layout")
    # Only trackplan.yaml is rendered, and only its one key changes (see Settings.edit).
    wanted = replace(settings, events_layout=events_layout)
    changes, _ = ws.planned_changes(before, Plan(settings=wanted), old_plan=Plan(settings=settings))
    moved = moves(list(before.blob_ids), events_layout == "sharded")
    for old, new in moved.items():
        changes[old] = None
        changes[new] = ws.read_blob(before.blob_ids[old])
    if not changes:
        return RelayoutResult(None, branch, 0)
    message = f"Move event files to the {events_layout} layout\n\n{len(moved)} event files moved.\n"
    commit = ws.store.commit_changes(branch, head, {ws.repo_path(p): d for p, d in changes.items()}, message, start)
    return RelayoutResult(commit, branch, len(moved))

"""Diff two refs of a plan with 1 and with 100 changed events, for N = 1,000 and 10,000,
next to `git diff --name-status` of the same refs; `log` over 1,000 commits.
Targets: 1 change at 10k <= 1.5x 1 change at 1k; 100 changes, whole command <= 0.5 s."""

from __future__ import annotations

from common import git, pack, report, timed, trackplan_process
from plans import plan_repo
from synthetic import synthetic_event
from trackplan.diffing.history import LogRequest, history
from trackplan.diffing.run import diff_refs
from trackplan.repo.workspace import Workspace


def change(ws: Workspace, base: str, count: int, branch: str) -> str:
    before = ws.load(base)
    events = list(before.plan.events)
    step = max(1, len(events) // count)
    for k in range(0, step * count, step):
        events[k] = synthetic_event(int(str(events[k].id)[4:]), revision=1)
    ws.store.create_branch(branch, base)
    result = ws.commit_plan(branch, base, before, before.plan.replace(events=tuple(events)), f"{count} changes")
    assert result.commit
    return result.commit


def measure(n: int, events_layout: str) -> float:
    """Report the diff figures for an N-event plan; return the 1-change in-process time."""
    with plan_repo(n, events_layout=events_layout) as (root, ws, base):
        head1 = change(ws, base, 1, "one")
        head100 = change(ws, base, 100, "hundred")
        _ = Workspace(root).load(base).plan  # fill the cache as a prior command would
        name_status = timed(lambda: git("diff", "--name-status", base, head1, cwd=root))
        one = timed(lambda: diff_refs(Workspace(root), base, head1), repeat=15)
        hundred = timed(lambda: diff_refs(Workspace(root), base, head100))
        name_status_100 = timed(lambda: git("diff", "--name-status", base, head100, cwd=root))
        command = trackplan_process("diff", base, head100, "--format", "json", cwd=root)
        print(f"\nN = {n} events, {events_layout} layout")
        report(
            [
                ("git diff --name-status, 1 change", name_status, "reference"),
                ("diff, 1 change (in-process)", one, f"{one / name_status:.1f}x git"),
                ("git diff --name-status, 100 changes", name_status_100, "reference"),
                ("diff, 100 changes (in-process)", hundred, f"{hundred / name_status_100:.1f}x git"),
                ("trackplan diff command, 100 changes", command, "whole process; target <= 0.5 s"),
            ]
        )
        return one


def main() -> None:
    for events_layout in ("flat", "sharded"):
        one_change = {n: measure(n, events_layout) for n in (1000, 10000)}
        ratio = one_change[10000] / one_change[1000]
        print(f"\n  1 change, {events_layout} layout: 10k / 1k = {ratio:.2f} (target <= 1.5)")
    with plan_repo(200, packed=False) as (root, _, base):
        head = base
        plan_ws = Workspace(root)
        for i in range(1000):
            before = plan_ws.load(head)
            events = list(before.plan.events)
            events[i % len(events)] = synthetic_event(int(str(events[i % len(events)].id)[4:]), revision=i + 1)
            head = (
                plan_ws.commit_plan("main", head, before, before.plan.replace(events=tuple(events)), f"c{i}").commit
                or head
            )
        pack(root)
        log_git = timed(lambda: git("log", "--name-status", "--format=%H", cwd=root), repeat=3)
        log_tp = timed(lambda: history(Workspace(root), LogRequest()), repeat=3)
        print("\nlog over 1,001 commits")
        report(
            [("git log --name-status", log_git, "reference"), ("trackplan log", log_tp, f"{log_tp / log_git:.1f}x git")]
        )


if __name__ == "__main__":
    main()

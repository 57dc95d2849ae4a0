"""`trackplan log` of 1,000 commits on the 100,000-event sharded plan next to `git log
--name-status -n 1000` of the same commits, whole processes, warm and cold.

Target (issue 19): at most 2x `git log --name-status`. Warm: an untimed run first, so the
caches hold what the log reads (the same log again copies its kept output). Then with the
kept outputs removed before each run: each commit's changes come from the blob cache, as for
a log with other options or one more commit. Cold: every run starts with the repository's
caches (`.git/trackplan`) removed, as after a fresh clone; git keeps no cache to remove.
The cold runs use a private clone, so removing its caches leaves the shared repository's
alone. The plan and its branch `history` (1,000 one-event commits) are bench_scale's.
`--before SRC` also times `trackplan log` with the code in SRC (the `src/` folder of an
older checkout), in the same rounds, in each of the three tables.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench_scale import HISTORY, figure, pair, with_history
from bench_startup import Command, Figure, interleaved, prepared_repo, process_env, table
from common import SCRATCH, git
from trackplan.repo.git.store import GitStore

LOG_ARGS = ["log", "--ref", "history", "--limit", str(HISTORY)]
GIT_LOG = ["git", "log", "--name-status", "-n", str(HISTORY), "history"]
GIT_LABEL = f"git log --name-status -n {HISTORY}"
LABEL = f"trackplan log --limit {HISTORY}"
KEPT_LOGS = "trackplan/logs"


@dataclass(frozen=True)
class Cleared(Command):
    """A command each run of which starts with a folder under the repository's .git removed:
    `trackplan` (every cache: cold), or `trackplan/logs` (the kept outputs alone)."""

    cleared: str = "trackplan"

    def run(self) -> tuple[float, float]:
        shutil.rmtree(self.cwd / ".git" / self.cleared, ignore_errors=True)
        return super().run()


def cold_clone(root: Path) -> Path:
    """A private clone of `root` with its branch `history`, and no trackplan cache."""
    clone = SCRATCH / f"log-cold-{root.name}"
    head = GitStore(root).branch_head("history")
    if not clone.is_dir() or GitStore(clone).branch_head("history") != head:
        shutil.rmtree(clone, ignore_errors=True)
        git("clone", "-q", "--no-hardlinks", str(root), str(clone), cwd=SCRATCH)
        git("update-ref", "refs/heads/history", "origin/history", cwd=clone)
        git("remote", "remove", "origin", cwd=clone)
    return clone


def figures(times: dict[str, list[float]], before: Path | None) -> list[Figure]:
    """The log next to git's, and with --before the older code's too, each with its CPU time."""
    older = [figure(times, f"{LABEL} (before)", GIT_LABEL, "")] if before is not None else []
    return [figure(times, LABEL, GIT_LABEL, "<= 2x"), *older]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src/ folder of an older checkout, timed alongside")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    root, _ = prepared_repo(100_000, "sharded")
    with_history(root)
    clone = cold_clone(root)
    env = process_env()
    warm = [Command(GIT_LABEL, GIT_LOG, root, env), *pair(LABEL, LOG_ARGS, root, args.before)]
    times = interleaved(warm, args.rounds)
    table("log of 1,000 commits, 100,000 events (sharded), whole processes, warm", figures(times, args.before))
    # The entries stored but no output kept: a log of other options, or one that a new commit starts.
    before = args.before
    unkept = [Command(GIT_LABEL, GIT_LOG, root, env)]
    unkept += [Cleared(c.label, c.argv, root, c.env, cleared=KEPT_LOGS) for c in pair(LABEL, LOG_ARGS, root, before)]
    times = interleaved(unkept, args.rounds)
    table("the same, each commit's changes read from the cache (no kept output)", figures(times, args.before))
    cold = [Cleared(GIT_LABEL, GIT_LOG, clone, env)]
    cold += [Cleared(c.label, c.argv, clone, c.env) for c in pair(LABEL, LOG_ARGS, clone, args.before)]
    times = interleaved(cold, args.rounds)
    table("the same, cold (every cache removed before each run)", figures(times, args.before))


if __name__ == "__main__":
    main()

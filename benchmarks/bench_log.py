"""`trackplan log` of 1,000 commits on the 100,000-event sharded plan next to `git log
--name-status -n 1000` of the same commits, whole processes, warm and cold.

Target (issue 19): at most 2x `git log --name-status`. Warm: an untimed run first, so the
caches hold what the log reads. Cold: every run starts with the repository's caches
(`.git/trackplan`) removed, as after a fresh clone; git keeps no cache of its own to remove.
The cold runs use a private clone, so removing its caches leaves the shared repository's
alone. The plan and its branch `history` (1,000 one-event commits) are bench_scale's.
`--before SRC` also times `trackplan log` with the code in SRC (the `src/` folder of an
older checkout), in the same rounds.
"""

from __future__ import annotations

import argparse
import shutil
from dataclasses import dataclass
from pathlib import Path

from bench_scale import HISTORY, figure, pair, with_history
from bench_startup import Command, interleaved, prepared_repo, process_env, table
from common import SCRATCH, git
from trackplan.repo.git.store import GitStore

LOG_ARGS = ["log", "--ref", "history", "--limit", str(HISTORY)]
GIT_LOG = ["git", "log", "--name-status", "-n", str(HISTORY), "history"]
GIT_LABEL = f"git log --name-status -n {HISTORY}"
LABEL = f"trackplan log --limit {HISTORY}"


@dataclass(frozen=True)
class Cold(Command):
    """A command each run of which starts with the repository's trackplan caches removed."""

    def run(self) -> tuple[float, float]:
        shutil.rmtree(self.cwd / ".git" / "trackplan", ignore_errors=True)
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
    cold = [Cold(GIT_LABEL, GIT_LOG, clone, env)]
    cold += [Cold(c.label, c.argv, clone, c.env) for c in pair(LABEL, LOG_ARGS, clone, args.before)]
    times = interleaved(warm, args.rounds)
    table(
        "log of 1,000 commits, 100,000 events (sharded), whole processes, warm",
        [
            figure(times, LABEL, GIT_LABEL, "<= 2x"),
        ],
    )
    times = interleaved(cold, args.rounds)
    table(
        "the same, cold (the repository's trackplan caches removed before each run)",
        [
            figure(times, LABEL, GIT_LABEL, "<= 2x"),
        ],
    )


if __name__ == "__main__":
    main()

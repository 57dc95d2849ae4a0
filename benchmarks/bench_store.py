"""Loading a plan at a ref (cold and warm) and committing 100 changed events.

Reference measured in the same run: `git archive` and `git cat-file --batch` of the same tree.
Targets: warm load of 10k events <= 2x git archive; commit of 100 changed events <= 50 ms.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

from common import git, report, timed
from plans import plan_repo
from synthetic import synthetic_event
from trackplan.repo.cache import cache_file
from trackplan.repo.workspace import Workspace


def main(sizes: list[int]) -> None:
    for n in sizes:
        for events_layout in ("flat", "sharded"):
            measure(n, events_layout)


def measure(n: int, events_layout: str) -> None:
    with plan_repo(n, events_layout=events_layout) as (root, ws, commit):
        paths = git("ls-tree", "-r", "--format=%(objectname)", commit, cwd=root)
        archive = timed(lambda: git("archive", commit, cwd=root))
        catfile = timed(lambda: git("cat-file", "--batch", cwd=root, stdin=paths))

        runs = iter(range(1, 1000))

        def commit_100() -> float:
            """One commit of 100 events changed afresh (new blobs every time), on a new branch."""
            run = next(runs)
            fresh = Workspace(root)
            before = fresh.load(commit)
            events = list(before.plan.events)
            for k in range(0, len(events), max(1, len(events) // 100))[:100]:
                events[k] = synthetic_event(int(str(events[k].id)[4:]), revision=run)
            after = before.plan.replace(events=tuple(events))
            fresh.store.create_branch(f"bench-{run}", commit)
            start = time.perf_counter()
            result = fresh.commit_plan(f"bench-{run}", commit, before, after, "100 changes")
            elapsed = time.perf_counter() - start
            assert len(result.changed_paths) == 100
            return elapsed

        # As after any write by the tool (the cache knows its files), then with a cache
        # rebuilt from reading only (each changed file is read to look for people's edits).
        commit_t = statistics.median(commit_100() for _ in range(5))

        def cold() -> None:
            cache = cache_file(ws.store.git_dir)
            for suffix in ("", "-wal", "-shm"):
                Path(f"{cache}{suffix}").unlink(missing_ok=True)
            _ = Workspace(root).load(commit).plan

        cold_t = timed(cold, repeat=1 if n > 5000 else 3)
        warm_t = timed(lambda: Workspace(root).load(commit))
        model_t = timed(lambda: Workspace(root).load(commit).plan, repeat=3)
        commit_read_t = commit_100()

        print(f"\nN = {n} events, {events_layout} layout")
        report(
            [
                ("git archive", archive, "reference"),
                ("git cat-file --batch", catfile, "reference"),
                ("load cold (parse + fill cache + model)", cold_t, f"{cold_t / archive:.1f}x git archive"),
                (
                    "load warm: index (names, paths, blob ids)",
                    warm_t,
                    f"{warm_t / archive:.2f}x git archive (target <= 2x)",
                ),
                ("load warm: index + whole model", model_t, f"{model_t / archive:.1f}x git archive"),
                ("commit 100 changed events", commit_t, "target <= 50 ms"),
                ("commit 100 changed events, cache from reads only", commit_read_t, "files read to keep edits"),
            ]
        )


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])

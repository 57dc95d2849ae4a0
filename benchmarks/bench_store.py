"""Loading a plan at a ref (cold and warm) and committing 100 changed events.

Reference measured in the same run: `git archive` and `git cat-file --batch` of the same tree.
Targets: warm load of 10k events <= 2x git archive; commit of 100 changed events <= 50 ms.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import git, pack, report, timed
from synthetic import synthetic_event, synthetic_plan
from trackplan.initplan import init_plan
from trackplan.workspace import Workspace


def build(n: int, root: Path) -> tuple[Workspace, str]:
    init_plan(root, name="bench", with_examples=False)
    ws = Workspace(root)
    head = ws.store.resolve("HEAD")
    before = ws.load(head)
    plan = synthetic_plan(n)
    commit = ws.commit_plan("main", head, before, plan.replace(settings=before.plan.settings), "seed").commit
    assert commit
    pack(root)
    return ws, commit


def main(sizes: list[int]) -> None:
    for n in sizes:
        measure(n)


def measure(n: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix="tp-bench-"))
    try:
        ws, commit = build(n, tmp / "plan")
        paths = git("ls-tree", "-r", "--format=%(objectname)", commit, cwd=tmp / "plan")
        archive = timed(lambda: git("archive", commit, cwd=tmp / "plan"))
        catfile = timed(lambda: git("cat-file", "--batch", cwd=tmp / "plan", stdin=paths))

        def commit_100(branch: str) -> float:
            fresh = Workspace(tmp / "plan")
            before = fresh.load(commit)
            events = list(before.plan.events)
            for k in range(0, len(events), max(1, len(events) // 100))[:100]:
                events[k] = synthetic_event(int(str(events[k].id)[4:]), revision=1)
            after = before.plan.replace(events=tuple(events))
            fresh.store.create_branch(branch, commit)
            start = time.perf_counter()
            result = fresh.commit_plan(branch, commit, before, after, "100 changes")
            elapsed = time.perf_counter() - start
            assert len(result.changed_paths) == 100
            return elapsed

        # As after any write by the tool (the cache knows its files), then with a cache
        # rebuilt from reading only (each changed file is read to look for people's edits).
        commit_t = commit_100("bench-commit")

        def cold() -> None:
            cache = ws.store.git_dir / "trackplan" / "blobs.sqlite"
            for suffix in ("", "-wal", "-shm"):
                Path(f"{cache}{suffix}").unlink(missing_ok=True)
            _ = Workspace(tmp / "plan").load(commit).plan

        cold_t = timed(cold, repeat=1 if n > 5000 else 3)
        warm_t = timed(lambda: Workspace(tmp / "plan").load(commit))
        model_t = timed(lambda: Workspace(tmp / "plan").load(commit).plan, repeat=3)
        commit_read_t = commit_100("bench-commit-2")

        print(f"\nN = {n} events")
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
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1000, 10000])

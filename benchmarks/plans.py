"""Throw-away plan repositories for benchmarks, and shared ones that are built once.

`shared_plan_repo(n, layout)` is a packed repository of the synthetic N-event plan on main,
kept under the benchmarks' scratch folder and reused by every later run (a 100,000-event one
takes about a minute to build). Benchmarks only read it; one that writes works on
`copied(root)`. Run `python benchmarks/plans.py 100000 sharded` to build one and print its path.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import SCRATCH, git, pack, scratch_dir
from synthetic import GENERATOR_VERSION, synthetic_plan
from trackplan.repo.cache import cache_file
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace


def _seed(root: Path, n: int, events_layout: str) -> tuple[Workspace, str]:
    init_plan(root, name="bench", with_examples=False, events_layout=events_layout)
    ws = Workspace(root)
    head = ws.store.resolve("HEAD")
    before = ws.load(head)
    plan = synthetic_plan(n).replace(settings=before.plan.settings)
    commit = ws.commit_plan("main", head, before, plan, "seed").commit
    assert commit
    return ws, commit


@contextmanager
def plan_repo(n: int, packed: bool = True, events_layout: str = "flat") -> Iterator[tuple[Path, Workspace, str]]:
    """A repository holding an N-event synthetic plan on main; yields (root, ws, commit)."""
    tmp = scratch_dir("tp-bench-")
    try:
        root = tmp / "plan"
        ws, commit = _seed(root, n, events_layout)
        if packed:
            pack(root)
        yield root, ws, commit
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def shared_plan_repo(n: int, events_layout: str = "sharded") -> Path:
    """The root of a packed repository holding the N-event synthetic plan on main, built on
    first use (other processes asking meanwhile wait for it). Read it, never write to it."""
    root = SCRATCH / f"shared-{n}-{events_layout}-v{GENERATOR_VERSION}"
    SCRATCH.mkdir(parents=True, exist_ok=True)
    with open(f"{root}.lock", "a+b") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not root.is_dir():
            building = scratch_dir("tp-shared-")
            try:
                ws, _ = _seed(building / "plan", n, events_layout)
                ws.cache.close()
                pack(building / "plan")
                os.replace(building / "plan", root)  # whole or not at all
            finally:
                shutil.rmtree(building, ignore_errors=True)
    return root


@contextmanager
def copied(root: Path) -> Iterator[Path]:
    """A private clone of a (shared) plan repository, with every branch, to write to."""
    tmp = scratch_dir("tp-copy-")
    try:
        git("clone", "-q", "--no-hardlinks", str(root), str(tmp / "plan"), cwd=tmp)
        git("update-ref", "refs/heads/main", "origin/main", cwd=tmp / "plan")
        yield tmp / "plan"
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def drop_cache(ws: Workspace) -> None:
    cache = cache_file(ws.store.git_dir)
    ws.cache.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)


if __name__ == "__main__":
    print(shared_plan_repo(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else "sharded"))

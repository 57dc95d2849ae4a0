"""Throw-away plan repositories for benchmarks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from common import pack, scratch_dir
from synthetic import synthetic_plan
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace


@contextmanager
def plan_repo(n: int, packed: bool = True, events_layout: str = "flat") -> Iterator[tuple[Path, Workspace, str]]:
    """A repository holding an N-event synthetic plan on main; yields (root, ws, commit)."""
    tmp = scratch_dir("tp-bench-")
    try:
        root = tmp / "plan"
        init_plan(root, name="bench", with_examples=False, events_layout=events_layout)
        ws = Workspace(root)
        head = ws.store.resolve("HEAD")
        before = ws.load(head)
        plan = synthetic_plan(n).replace(settings=before.plan.settings)
        commit = ws.commit_plan("main", head, before, plan, "seed").commit
        assert commit
        if packed:
            pack(root)
        yield root, ws, commit
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def drop_cache(ws: Workspace) -> None:
    cache = ws.store.git_dir / "trackplan" / "blobs.sqlite"
    ws.cache.close()
    for suffix in ("", "-wal", "-shm"):
        Path(f"{cache}{suffix}").unlink(missing_ok=True)

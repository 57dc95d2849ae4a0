"""The collector stays out of a plan being built: paused while it is built, and the plan
frozen before the collector is on again, so no collection scans what was just made."""

from __future__ import annotations

import gc

from trackplan.memory import building


def test_no_collection_scans_what_was_built() -> None:
    collections: list[int] = []

    def record(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            collections.append(info["generation"])

    before = gc.get_freeze_count()
    gc.callbacks.append(record)
    try:
        with building():
            built = [[i] for i in range(100_000)]  # lists: always tracked by the collector
        after = [{"after": i} for i in range(10)]  # the first allocations with the collector on
        frozen = gc.get_freeze_count() - before
    finally:
        gc.callbacks.remove(record)
        gc.unfreeze()
    assert collections == []
    assert gc.isenabled()
    assert frozen >= len(built) + 1
    assert len(after) == 10

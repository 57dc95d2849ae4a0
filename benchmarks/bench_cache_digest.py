"""What checking the cache's digests costs on a warm read of a 10k-event plan.

Every cached value carries an 8-byte BLAKE2b digest over its key and value (repo/cache.py),
checked on each read. Reference measured in the same run: the same warm reads with the
digest function replaced by a constant (nothing hashed, every row trusted), and git archive.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

from common import git, report, timed
from plans import drop_cache, plan_repo
from trackplan.repo import cache
from trackplan.repo.workspace import Workspace


def warm_reads(ws: Workspace, root: object, commit: str) -> tuple[float, float]:
    """(index only, index + whole model) on a warm cache filled under the current digest."""
    drop_cache(ws)
    _ = Workspace(root).load(commit).plan  # type: ignore[arg-type]  # fills the cache
    index = timed(lambda: Workspace(root).load(commit))  # type: ignore[arg-type]
    model = timed(lambda: Workspace(root).load(commit).plan, repeat=5)  # type: ignore[arg-type]
    return index, model


def main(n: int, rounds: int = 3) -> None:
    real: Callable[..., str] = cache._digest
    results: dict[bool, list[tuple[float, float]]] = {True: [], False: []}
    with plan_repo(n) as (root, ws, commit):
        archive = timed(lambda: git("archive", commit, cwd=root))
        for _ in range(rounds):  # alternated, so neither side gets the warmer machine
            for check in (False, True):
                cache._digest = real if check else (lambda key, *values: "")
                try:
                    results[check].append(warm_reads(ws, root, commit))
                finally:
                    cache._digest = real
    checked = tuple(min(r[i] for r in results[True]) for i in (0, 1))
    unchecked = tuple(min(r[i] for r in results[False]) for i in (0, 1))
    print(f"\nN = {n} events, warm cache")
    report(
        [
            ("git archive", archive, "reference"),
            ("index, digests not checked", unchecked[0], "reference"),
            ("index, digests checked", checked[0], f"{checked[0] / unchecked[0]:.2f}x unchecked"),
            ("index + model, digests not checked", unchecked[1], "reference"),
            ("index + model, digests checked", checked[1], f"{checked[1] / unchecked[1]:.2f}x unchecked"),
        ]
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)

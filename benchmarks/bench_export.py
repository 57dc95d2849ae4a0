"""Export a 10,000-event plan to avo-json from a ref, warm (cache filled) and cold.
Reference in the same run: `git archive` of the same tree.
Targets: warm <= 2x git archive; cold <= 5 s. Reports the memory peak of a cold
`trackplan export` process (max RSS).

`--processes` times whole processes instead, on bench_scale's 10,000-event plan: a warm
`export` and a warm `export --gzip` (the kept output, and its kept gzip), next to `git
archive` of the same tree in the same rounds; `--before SRC` times the code in SRC (the
`src/` folder of an older checkout) alongside."""

from __future__ import annotations

import argparse
import resource
import time
from pathlib import Path

from common import git, report, timed, trackplan_process
from plans import drop_cache, plan_repo
from trackplan.exporting.run import ExportRequest, render
from trackplan.repo.workspace import Workspace


def main(n: int) -> None:
    with plan_repo(n) as (root, ws, commit):
        archive = timed(lambda: git("archive", commit, cwd=root))
        request = ExportRequest(ref=commit, to="avo-json")
        drop_cache(ws)
        start = time.perf_counter()
        cold_out = render(Workspace(root), request)
        cold = time.perf_counter() - start
        warm = timed(lambda: render(Workspace(root), request), repeat=3)
        assert render(Workspace(root), request).data == cold_out.data
        drop_cache(ws)
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        process = trackplan_process("export", "--ref", commit, "-o", f"{root}.json", cwd=root)
        peak = max(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, before) * 1024
        print(f"\nexport avo-json, {n} events ({len(cold_out.data) / 1e6:.1f} MB)")
        report(
            [
                ("git archive", archive, "reference"),
                ("export warm (cache filled)", warm, f"{warm / archive:.1f}x git archive (target <= 2x)"),
                ("export cold (in-process)", cold, "target <= 5 s"),
                ("trackplan export, cold, whole process", process, f"memory peak {peak / 1e6:.0f} MB (max RSS)"),
            ]
        )


def processes(before: Path | None, rounds: int) -> None:
    """Warm whole-process exports, plain and gzipped, next to `git archive` and the older code."""
    from bench_scale import before_cpu, figure, pair
    from bench_startup import Command, interleaved, prepared_repo, process_env, table

    root, _ = prepared_repo(10_000, "flat")
    plain, gzipped = "trackplan export --ref main", "trackplan export --ref main --gzip"
    commands = [
        Command("git archive main", ["git", "archive", "main"], root, process_env()),
        *pair(plain, ["export", "--ref", "main"], root, before),
        *pair(gzipped, ["export", "--ref", "main", "--gzip"], root, before),
    ]
    times = interleaved(commands, rounds)
    figures = [figure(times, plain, "git archive main", "<= 2x"), figure(times, gzipped, "git archive main", "")]
    table("10,000 events (flat), whole processes, warm", figures)
    before_cpu(times, figures)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("events", type=int, nargs="?", default=10_000)
    parser.add_argument("--processes", action="store_true", help="whole processes, warm, on bench_scale's plan")
    parser.add_argument("--before", type=Path, help="with --processes: the src/ folder of older code, timed alongside")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    if args.processes:
        processes(args.before, args.rounds)
    else:
        main(args.events)

"""Helpers for benchmarks: timing, isolated git identity, throw-away plan repositories."""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import pygit2

from trackplan.repo import parallel

parallel.enable()  # as the CLI does; every benchmark script guards its __main__

os.environ.setdefault("GIT_AUTHOR_NAME", "Bench")
os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.com")
os.environ.setdefault("GIT_COMMITTER_NAME", "Bench")
os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.com")


# Repositories live where repositories live, not in /tmp: on this machine kind, creating
# files under /tmp was measured 5-10x slower than anywhere else on the same disk.
SCRATCH = Path(os.environ.get("TRACKPLAN_BENCH_DIR") or Path.home() / ".cache" / "trackplan-bench")


def scratch_dir(prefix: str) -> Path:
    SCRATCH.mkdir(parents=True, exist_ok=True)
    # A plan made inside another repository becomes a folder of it (trackplan init's rule).
    enclosing = pygit2.discover_repository(str(SCRATCH))
    if enclosing is not None:
        raise SystemExit(f"{SCRATCH} is inside the git repository {enclosing}; set TRACKPLAN_BENCH_DIR elsewhere")
    return Path(tempfile.mkdtemp(prefix=prefix, dir=SCRATCH))


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def trackplan_process(*args: str, cwd: Path) -> float:
    """Wall time of one whole `trackplan` process (start-up included), in seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "trackplan", *args], cwd=cwd, capture_output=True, check=True)
    return time.perf_counter() - start


def git(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    # Never inherit our stdin: git gc's pack-objects reads revisions from stdin when it has one.
    if stdin is None:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, stdin=subprocess.DEVNULL)
    else:
        result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, input=stdin)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def pack(cwd: Path, tries: int = 3) -> None:
    """Pack the repository as a long-lived one would be. git gc has been seen to fail now
    and then on this machine; it is tried again, and a repository left loose is reported
    because git's own timings (the references) are slower on loose objects."""
    for attempt in range(tries):
        try:
            git("gc", "-q", cwd=cwd)
            return
        except RuntimeError as exc:
            if attempt == tries - 1:
                print(f"  (warning: {exc}; objects left loose, so git's reference timings are slower)", flush=True)


def report(rows: list[tuple[str, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"  {label:<{width}}  {seconds * 1000:9.1f} ms  {note}", flush=True)

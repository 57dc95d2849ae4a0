"""Helpers for benchmarks: timing, isolated git identity, throw-away plan repositories."""

from __future__ import annotations

import os
import statistics
import subprocess
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("GIT_AUTHOR_NAME", "Bench")
os.environ.setdefault("GIT_AUTHOR_EMAIL", "bench@example.com")
os.environ.setdefault("GIT_COMMITTER_NAME", "Bench")
os.environ.setdefault("GIT_COMMITTER_EMAIL", "bench@example.com")


def timed(fn: Callable[[], object], repeat: int = 5) -> float:
    """Median wall time in seconds over `repeat` runs."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def git(*args: str, cwd: Path, stdin: bytes | None = None) -> bytes:
    result = subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def pack(cwd: Path) -> None:
    """Pack the repository as a long-lived one would be; a failed gc only leaves it loose."""
    try:
        git("gc", "-q", cwd=cwd)
    except RuntimeError as exc:
        print(f"  (note: {exc}; objects left loose)", flush=True)


def report(rows: list[tuple[str, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"  {label:<{width}}  {seconds * 1000:9.1f} ms  {note}", flush=True)

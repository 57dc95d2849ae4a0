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
    return subprocess.run(["git", *args], cwd=cwd, input=stdin, capture_output=True, check=True).stdout


def report(rows: list[tuple[str, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"  {label:<{width}}  {seconds * 1000:9.1f} ms  {note}", flush=True)

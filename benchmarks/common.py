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


def git(*args: str, cwd: Path, stdin: bytes = b"") -> bytes:
    # stdin is a pipe, never ours nor /dev/null: git reads revisions from stdin (pack-objects),
    # and /dev/null has been seen to be a plain file holding whatever was written to it last.
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, input=stdin)
    if result.returncode != 0:
        raise RuntimeError(f"git {' '.join(args[:2])} failed: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


def pack(cwd: Path) -> None:
    """Pack the repository as a long-lived one would be: every object in one pack, refs packed.
    Not `git gc`: its repack runs pack-objects with /dev/null as stdin, which pack-objects reads
    revisions from, so a /dev/null that is a plain file (on this machine an export once replaced
    it) failed with "bad revision '<whatever was written there>'". Here pack-objects reads an
    empty pipe; the rest is what gc's repack -d and pack-refs do."""
    pack_dir = cwd / ".git" / "objects" / "pack"
    earlier = list(pack_dir.glob("pack-*"))
    args = ["pack-objects", "--all", "--reflog", "--indexed-objects", "--delta-base-offset", "--local", "-q"]
    name = "pack-" + git(*args, str(pack_dir / "pack"), cwd=cwd).decode().strip()
    for path in earlier:
        if not path.name.startswith(name + "."):
            path.unlink()
    git("prune-packed", cwd=cwd)
    git("pack-refs", "--all", cwd=cwd)


def report(rows: list[tuple[str, float, str]]) -> None:
    width = max(len(r[0]) for r in rows)
    for label, seconds, note in rows:
        print(f"  {label:<{width}}  {seconds * 1000:9.1f} ms  {note}", flush=True)

"""Import a 100,000-event plan (sharded layout) into an empty plan, then re-import it with 100
events changed, for Avo's JSON export and for the standard JSON Schema, each import a whole
`trackplan import FILE` process (wall time, CPU time and memory peak from the kernel).

References measured in the same run, as processes too:
- the floor of any import: `orjson.loads` of the input file;
- for a first import: `git fast-import` of the files it wrote;
- for a re-import: the full import of the same file on the same tree in a copy of the
  repository without its import notes (what a re-import cost before it followed the change),
  and `git add` + `git commit` of the same changed files.
Targets (issue #19): first import <= 60 s with a peak <= 2 GB; re-import of 100 changed
events <= 5 s, for both formats.
"""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from common import git, scratch_dir
from synthetic import avo_export, jsonschema_export
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace

FILES = {"avo-json": avo_export, "jsonschema": jsonschema_export}
REIMPORTS = 3
CHANGED = 100
FLOOR_RUNS = 3
GNU_TIME = Path("/usr/bin/time")


@dataclass(frozen=True)
class Run:
    wall: float
    cpu: float
    peak: int  # bytes
    output: str

    def __add__(self, other: Run) -> Run:
        return Run(self.wall + other.wall, self.cpu + other.cpu, max(self.peak, other.peak), self.output + other.output)


def process(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> Run:
    """One process, its wall time, and its own CPU time and memory peak (wait4's rusage).
    A child forked from this large process starts its peak at this one's size, so the peak
    is that of a grandchild started by GNU time, where the machine has it."""
    out, peak_file = cwd / ".bench-out", cwd / ".bench-peak"
    wrapped = [str(GNU_TIME), "-o", str(peak_file), "-f", "%M", *args] if GNU_TIME.exists() else args
    with open(out, "wb") as sink:
        start = time.perf_counter()
        # An empty pipe for stdin: /dev/null is a regular file on some machines, with whatever was written to it.
        child = subprocess.Popen(
            wrapped, cwd=cwd, env=env, stdout=sink, stderr=subprocess.STDOUT, stdin=subprocess.PIPE
        )
        assert child.stdin is not None
        child.stdin.close()
        _, status, usage = os.wait4(child.pid, 0)  # the usage of GNU time's child included
        wall = time.perf_counter() - start
    child.returncode = os.waitstatus_to_exitcode(status)
    text = out.read_text(errors="replace")
    out.unlink()
    if child.returncode != 0:
        raise SystemExit(f"{' '.join(args)} failed ({child.returncode}):\n{text}")
    peak = usage.ru_maxrss * 1024
    if GNU_TIME.exists():
        peak = int(peak_file.read_text().split()[-1]) * 1024
        peak_file.unlink()
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, text)


def trackplan_import(root: Path, file: Path, fmt: str) -> tuple[Run, dict[str, int]]:
    args = [sys.executable, "-m", "trackplan", "import", str(file), "--from", fmt, "--method", "addAndUpdate"]
    args += ["--branch", "import", "--max-bytes", str(2**31), "--format", "json"]
    run = process(args, root)
    counts: dict[str, int] = json.loads(run.output)["result"]
    return run, counts


def parse_floor(file: Path) -> Run:
    code = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"
    return process([sys.executable, "-c", code, str(file)], file.parent)


def drop_notes(root: Path) -> None:
    """Forget what earlier imports noted, so the next import is a full one (the cache stays warm)."""
    db = sqlite3.connect(root / ".git" / "trackplan" / "blobs.sqlite")
    with db:
        db.execute("DELETE FROM fragments WHERE key LIKE 'import-note/%'")
    db.close()


def git_commit(root: Path, before: str, after: str) -> Run:
    """`git add` + `git commit` of the files that `after` changed over `before`, from an index of `before`."""
    paths = git("diff", "--name-only", before, after, cwd=root).decode().split()
    scratch = scratch_dir("tp-bench-commit-")
    env = {**os.environ, "GIT_INDEX_FILE": str(scratch / "index"), "GIT_WORK_TREE": str(scratch / "tree")}
    subprocess.run(["git", "read-tree", before], cwd=root, env=env, check=True)
    for path in paths:
        target = scratch / "tree" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(git("show", f"{after}:{path}", cwd=root))
    try:
        added = process(["git", "add", "--", *paths], root, env)
        return added + process(["git", "commit", "-q", "--no-verify", "-m", "reference"], root, env)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


def fast_import_stream(ws: Workspace, ref: str) -> bytes:
    out = [b"commit refs/heads/fi\ncommitter B <b@x> 0 +0000\ndata 2\nfi\n"]
    blobs = ws.store.list_tree(ws.store.subtree_id(ws.store.resolve(ref), ws.prefix))
    for path, blob in sorted(blobs.items()):
        data = ws.store.read_blob(blob)
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    return b"".join(out)


def fast_import(stream: bytes) -> Run:
    target = scratch_dir("tp-bench-fi-")
    git("init", "-q", str(target), cwd=target)
    (target / "stream").write_bytes(stream)
    try:
        return process(["sh", "-c", "git fast-import --quiet < stream"], target)
    finally:
        shutil.rmtree(target, ignore_errors=True)


def spread(runs: list[Run]) -> str:
    walls, cpus = [r.wall for r in runs], [r.cpu for r in runs]
    return (
        f"wall {statistics.median(walls):7.2f} s ({min(walls):.2f}-{max(walls):.2f})  "
        f"CPU {statistics.median(cpus):7.2f} s ({min(cpus):.2f}-{max(cpus):.2f})  n={len(runs)}"
    )


def ratio(runs: list[Run], reference: list[Run]) -> str:
    wall = statistics.median(r.wall for r in runs) / statistics.median(r.wall for r in reference)
    cpu = statistics.median(r.cpu for r in runs) / statistics.median(r.cpu for r in reference)
    return f"{wall:6.2f}x wall, {cpu:6.2f}x CPU"


def show(label: str, runs: list[Run], reference: list[Run] | None = None) -> None:
    peak = max(r.peak for r in runs) / 2**30
    against = f"  {ratio(runs, reference)}" if reference else ""
    print(f"  {label:<58} {spread(runs)}  peak {peak:.2f} GiB{against}", flush=True)


def formatted(tmp: Path, n: int, fmt: str) -> None:
    make = FILES[fmt]
    file = tmp / f"{fmt}.json"
    file.write_bytes(make(n))
    print(f"{fmt}: {file.stat().st_size / 1e6:.0f} MB, {n} events", flush=True)
    floor = [parse_floor(file) for _ in range(FLOOR_RUNS)]
    show("orjson.loads of the file (floor)", floor)
    root = tmp / fmt
    init_plan(root, with_examples=False, events_layout="sharded")
    first, counts = trackplan_import(root, file, fmt)
    assert counts["newEvents"] == n, counts
    show("import into an empty plan (target <= 60 s, <= 2 GB)", [first], floor)
    show("git fast-import of the same files", [fast_import(fast_import_stream(Workspace(root), "import"))])
    reference = tmp / f"{fmt}-full"
    shutil.copytree(root, reference, symlinks=True)
    quick, full, commits = [], [], []
    for revision in range(1, REIMPORTS + 1):
        file.write_bytes(make(n, CHANGED, revision))
        before = git("rev-parse", "import", cwd=root).decode().strip()
        run, counts = trackplan_import(root, file, fmt)
        assert counts["updatedEvents"] == CHANGED, counts
        quick.append(run)
        drop_notes(reference)
        run, counts = trackplan_import(reference, file, fmt)
        assert counts["updatedEvents"] == CHANGED, counts
        full.append(run)
        after = git("rev-parse", "import", cwd=root).decode().strip()
        commits.append(git_commit(root, before, after))
        floor.append(parse_floor(file))
        print(f"    revision {revision}: quick {quick[-1].wall:.2f} s, full {full[-1].wall:.2f} s", flush=True)
    show(f"re-import, {CHANGED} events changed (target <= 5 s)", quick, floor)
    show("  the full import of the same files (before)", full, floor)
    show("  git add + git commit of the same changed files", commits)
    show("  orjson.loads of the file, all runs", floor)
    print(f"  re-import against the full import: {ratio(quick, full)}; against git commit: {ratio(quick, commits)}")


def main(n: int, formats: list[str]) -> None:
    tmp = scratch_dir("tp-bench-import-")
    try:
        print(f"import of a {n}-event plan, sharded layout; each import a process of its own; median (min-max)")
        for fmt in formats:
            formatted(tmp, n, fmt)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000, sys.argv[2:] or list(FILES))

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

The generated files are kept in the scratch folder (they take a minute to make at 100,000
events). `--before SRC` runs each first import with the code of an older checkout's `src/`
too, in the same rounds, alternating with today's. CPU time counts the import's worker
processes; the peak is the largest single process's.
"""

from __future__ import annotations

import argparse
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

from common import SCRATCH, git, scratch_dir
from synthetic import GENERATOR_VERSION, avo_export, jsonschema_export
from trackplan.repo.cache import cache_file
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


def trackplan_import(root: Path, file: Path, fmt: str, src: Path | None = None) -> tuple[Run, dict[str, int]]:
    """One `trackplan import` process; with `src`, the code in that folder (an older checkout's src/)."""
    args = [sys.executable, "-m", "trackplan", "import", str(file), "--from", fmt, "--method", "addAndUpdate"]
    args += ["--branch", "import", "--max-bytes", str(2**31), "--format", "json"]
    env = None if src is None else {**os.environ, "PYTHONPATH": str(src)}
    run = process(args, root, env)
    counts: dict[str, int] = json.loads(run.output)["result"]
    return run, counts


def parse_floor(file: Path) -> Run:
    code = "import orjson, sys; orjson.loads(open(sys.argv[1], 'rb').read())"
    return process([sys.executable, "-c", code, str(file)], file.parent)


def drop_notes(root: Path) -> None:
    """Forget what earlier imports noted, so the next import is a full one (the cache stays warm)."""
    db = sqlite3.connect(cache_file(root / ".git"))
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


def load() -> str:
    return f"load {os.getloadavg()[0]:.1f}"


def generated(n: int, fmt: str, changed: int = 0, revision: int = 1) -> Path:
    """The generated file, made once and kept in the scratch folder."""
    file = SCRATCH / f"import-input-v{GENERATOR_VERSION}" / f"{fmt}-{n}-{changed}-{revision}.json"
    if not file.exists():
        file.parent.mkdir(parents=True, exist_ok=True)
        partial = file.with_suffix(".part")
        partial.write_bytes(FILES[fmt](n, changed, revision))
        os.replace(partial, file)
    return file


def first_imports(tmp: Path, n: int, fmt: str, rounds: int, before: Path | None) -> Path:
    """`rounds` first imports of the file into an empty plan (and as many with the code in
    `before`), each round beside a `git fast-import` of the files written; returns the plan."""
    file = generated(n, fmt)
    print(f"{fmt}: {file.stat().st_size / 1e6:.0f} MB, {n} events", flush=True)
    floor = [parse_floor(file) for _ in range(FLOOR_RUNS)]
    show(f"orjson.loads of the file (floor), {load()}", floor)
    variants: list[tuple[str, Path | None]] = [("today", None), *([("before", before)] if before else [])]
    runs: dict[str, list[Run]] = {label: [] for label, _ in variants}
    references: list[Run] = []
    stream = b""
    root = tmp / fmt
    for round_ in range(rounds):
        for label, src in variants if round_ % 2 == 0 else variants[::-1]:
            target = tmp / f"{fmt}-{label}"
            shutil.rmtree(target, ignore_errors=True)
            init_plan(target, with_examples=False, events_layout="sharded")
            started = load()
            run, counts = trackplan_import(target, file, fmt, src)
            assert counts["newEvents"] == n, counts
            runs[label].append(run)
            print(
                f"    round {round_ + 1}, {label}: wall {run.wall:.2f} s, CPU {run.cpu:.2f} s, "
                f"peak {run.peak / 2**30:.2f} GiB ({started}, then {load()})",
                flush=True,
            )
            if label == "today" and not stream:
                stream = fast_import_stream(Workspace(target), "import")
        references.append(fast_import(stream))
        print(f"    round {round_ + 1}, git fast-import: wall {references[-1].wall:.2f} s ({load()})", flush=True)
    show("import into an empty plan (target <= 60 s, <= 2 GB)", runs["today"], references)
    if before:
        show("  the same with the code before", runs["before"], references)
        print(f"  today against before: {ratio(runs['today'], runs['before'])}")
        shutil.rmtree(tmp / f"{fmt}-before", ignore_errors=True)
    show("  git fast-import of the same files", references)
    os.replace(tmp / f"{fmt}-today", root)
    return root


def reimports(tmp: Path, root: Path, n: int, fmt: str, count: int) -> None:
    """`count` re-imports of 100 changed events into the plan at `root`, each beside the full
    import of the same file (a copy without its notes) and `git add` + `git commit`."""
    reference = tmp / f"{fmt}-full"
    shutil.copytree(root, reference, symlinks=True)
    quick, full, commits, floor = [], [], [], []
    for revision in range(1, count + 1):
        file = generated(n, fmt, CHANGED, revision)
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
        print(
            f"    revision {revision}: quick {quick[-1].wall:.2f} s, full {full[-1].wall:.2f} s ({load()})", flush=True
        )
    show(f"re-import, {CHANGED} events changed (target <= 5 s)", quick, floor)
    show("  the full import of the same files (before)", full, floor)
    show("  git add + git commit of the same changed files", commits)
    show("  orjson.loads of the file", floor)
    print(f"  re-import against the full import: {ratio(quick, full)}; against git commit: {ratio(quick, commits)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("n", nargs="?", type=int, default=100_000, help="events in the plan (default 100,000)")
    parser.add_argument("formats", nargs="*", metavar="FORMAT", help=f"{' and '.join(FILES)} (default: both)")
    parser.add_argument("--rounds", type=int, default=2, help="first imports per format (default 2)")
    parser.add_argument("--reimports", type=int, default=REIMPORTS, help=f"re-imports per format (default {REIMPORTS})")
    parser.add_argument("--before", type=Path, help="the src/ folder of an older checkout, timed alongside")
    args = parser.parse_args()
    if unknown := set(args.formats) - set(FILES):
        parser.error(f"unknown format {', '.join(sorted(unknown))}: use {' or '.join(FILES)}")
    tmp = scratch_dir("tp-bench-import-")
    try:
        print(f"import of a {args.n}-event plan, sharded layout; each import a process of its own; median (min-max)")
        for fmt in args.formats or list(FILES):
            root = first_imports(tmp, args.n, fmt, args.rounds, args.before)
            if args.reimports:
                reimports(tmp, root, args.n, fmt, args.reimports)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()

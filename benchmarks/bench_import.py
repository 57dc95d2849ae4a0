"""Import a 100,000-event plan (sharded layout) into an empty plan, then re-import it with 100
events changed, for Avo's JSON export and for the standard JSON Schema. Each import runs in
its own process, which reports the import's wall time and the process's memory peak.
Reference in the same run: `git fast-import` of the files the import wrote.
Targets (issue #19): first import <= 60 s with a peak <= 2 GB; re-import of 100 changed
events <= 5 s, for both formats.
"""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

from common import git, scratch_dir
from synthetic import avo_export, jsonschema_export
from trackplan.importing.run import ImportRequest, run_import
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace

FILES = {"avo-json": avo_export, "jsonschema": jsonschema_export}
FIRST_RUNS, REIMPORTS = 2, 3
CHANGED = 100


def child(root: str, file: str) -> None:
    """One import in this process: prints its seconds, its counts and the memory peak."""
    data = Path(file).read_bytes()
    start = time.perf_counter()
    outcome = run_import(Workspace(Path(root)), ImportRequest(data, file, method="addAndUpdate", branch="import"))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    counts = outcome.result.counts()
    print(
        json.dumps({"seconds": seconds, "peak": peak, "new": counts["newEvents"], "updated": counts["updatedEvents"]})
    )


def imported(root: Path, file: Path) -> dict[str, float]:
    out = subprocess.run([sys.executable, __file__, "--child", str(root), str(file)], capture_output=True, text=True)
    if out.returncode != 0:
        raise SystemExit(f"the import of {file.name} failed:\n{out.stderr}")
    result: dict[str, float] = json.loads(out.stdout.splitlines()[-1])
    return result


def fast_import_stream(ws: Workspace, ref: str) -> bytes:
    out = [b"commit refs/heads/fi\ncommitter B <b@x> 0 +0000\ndata 2\nfi\n"]
    blobs = ws.store.list_tree(ws.store.subtree_id(ws.store.resolve(ref), ws.prefix))
    for path, blob in sorted(blobs.items()):
        data = ws.store.read_blob(blob)
        out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    return b"".join(out)


def fast_import(tmp: Path, stream: bytes) -> float:
    target = Path(
        scratch_dir(
            "tp-bench-fi-",
        )
    )
    git("init", "-q", str(target), cwd=tmp)
    start = time.perf_counter()
    git("fast-import", "--quiet", cwd=target, stdin=stream)
    seconds = time.perf_counter() - start
    shutil.rmtree(target, ignore_errors=True)
    return seconds


def spread(samples: list[float]) -> str:
    return (
        f"median {statistics.median(samples):7.2f} s  (min-max {min(samples):.2f}-{max(samples):.2f}, n={len(samples)})"
    )


def main(n: int) -> None:
    tmp = scratch_dir("tp-bench-import-")
    try:
        rows: list[tuple[str, list[float], str]] = []
        peaks: list[float] = []
        reference: list[float] = []
        for fmt, make in FILES.items():
            file = tmp / f"{fmt}.json"
            file.write_bytes(make(n))
            firsts = []
            print(f"  {fmt}: {len(make(n)) / 1e6:.0f} MB", flush=True)
            for run in range(FIRST_RUNS if fmt == "avo-json" else 1):
                root = tmp / f"{fmt}-{run}"
                init_plan(root, with_examples=False, events_layout="sharded")
                first = imported(root, file)
                assert first["new"] == n, first
                firsts.append(first["seconds"])
                peaks.append(first["peak"])
                print(
                    f"    import into an empty plan: {first['seconds']:.1f} s, peak {first['peak'] / 2**30:.2f} GiB",
                    flush=True,
                )
            if fmt == "avo-json":
                stream = fast_import_stream(Workspace(root), "import")
                reference = [fast_import(tmp, stream) for _ in range(3)]
                print(f"    git fast-import of the same files: {spread(reference)}", flush=True)
            again = []
            for revision in range(1, REIMPORTS + 1):
                file.write_bytes(make(n, CHANGED, revision))
                second = imported(root, file)
                assert second["updated"] == CHANGED, second
                again.append(second["seconds"])
                print(f"    re-import, {CHANGED} events changed: {second['seconds']:.2f} s", flush=True)
            size = len(make(n)) / 1e6
            rows.append((f"{fmt} ({size:.0f} MB): import into an empty plan", firsts, "target <= 60 s"))
            rows.append((f"{fmt}: re-import, {CHANGED} events changed", again, "target <= 5 s"))
        print(f"\nimport of a {n}-event plan, sharded layout; each import a process of its own")
        ref = statistics.median(reference)
        print(f"  {'git fast-import of the same files (reference)':<60} {spread(reference)}")
        for label, samples, note in rows:
            print(f"  {label:<60} {spread(samples)}  {statistics.median(samples) / ref:5.1f}x reference; {note}")
        print(f"  memory peak of a first import: max {max(peaks) / 2**30:.2f} GiB over {len(peaks)} (target <= 2 GB)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(sys.argv[2], sys.argv[3])
    else:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)

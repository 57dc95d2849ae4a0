"""Import a 10,000-event Avo JSON export into an empty plan, then re-import it with 100
events changed. Reference in the same run: `git fast-import` of the same files.
Targets: first import <= 5 s; re-import <= 1 s.
"""

from __future__ import annotations

import json
import shutil
import sys
import time

from common import git, report, scratch_dir
from synthetic import synthetic_plan
from trackplan.importing.run import ImportRequest, run_import
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace
from trackplan.repo.writing import plan_files


def avo_export(n: int, changed: int = 0) -> bytes:
    events = []
    for i, event in enumerate(synthetic_plan(n).events):
        props = {
            p.name: {"id": p.id, **{k: v for k, v in p.to_json().items() if k != "x-send-as"}} for p in event.properties
        }
        events.append(
            {
                "id": event.id,
                "name": event.name,
                "description": event.description + (" Changed." if i < changed else ""),
                "tags": list(event.tags),
                "sources": [{"id": s, "name": s} for s in event.sources],
                "rules": {
                    "properties": {
                        "properties": {
                            "type": "object",
                            "properties": props,
                            "required": [p.name for p in event.properties if p.required],
                        }
                    }
                },
            }
        )
    return json.dumps({"name": "Exported Tracking Plan: main", "events": events}).encode()


def fast_import_stream(files: dict[str, bytes | None]) -> bytes:
    out = [b"commit refs/heads/fi\ncommitter B <b@x> 0 +0000\ndata 2\nfi\n"]
    for path, data in sorted(files.items()):
        if data is not None:
            out.append(f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n")
    return b"".join(out)


def main(n: int) -> None:
    tmp = scratch_dir("tp-bench-import-")
    try:
        init_plan(tmp / "plan", with_examples=False)
        ws = Workspace(tmp / "plan")
        data = avo_export(n)
        start = time.perf_counter()
        first = run_import(ws, ImportRequest(data, "export.json", method="addAndUpdate", branch="import"))
        first_t = time.perf_counter() - start
        changed = avo_export(n, changed=100)
        start = time.perf_counter()
        second = run_import(
            Workspace(tmp / "plan"),
            ImportRequest(changed, "export.json", method="addAndUpdate", branch="import"),
        )
        second_t = time.perf_counter() - start
        files, _ = plan_files(None, ws.load("import").plan)
        stream = fast_import_stream(files)
        git("init", "-q", str(tmp / "fi"), cwd=tmp)
        start = time.perf_counter()
        git("fast-import", "--quiet", cwd=tmp / "fi", stdin=stream)
        fast_t = time.perf_counter() - start
        assert first.result.new_events == n and second.result.updated_events == 100
        print(f"\nAvo JSON export of {n} events ({len(data) / 1e6:.1f} MB)")
        report(
            [
                ("git fast-import of the same files", fast_t, "reference"),
                (
                    "import into an empty plan",
                    first_t,
                    f"{first_t / fast_t:.1f}x fast-import (target <= 5 s)",
                ),
                (
                    "re-import, 100 events changed",
                    second_t,
                    f"{second_t / fast_t:.1f}x fast-import (target <= 1 s)",
                ),
            ]
        )
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)

"""`validate` on 10,000 event files, cold and warm, next to
`check-jsonschema --check-metaschema` on the same files in the same run.
Targets: cold <= 1.5x check-jsonschema; warm <= 0.3x."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from common import report
from plans import drop_cache, plan_repo
from trackplan.linting.run import lint_ref
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


def main(n: int) -> None:
    with plan_repo(n) as (root, ws, _):
        files = sorted(str(p) for p in (root / "events").glob("*.yaml"))
        checker = Path(sys.executable).with_name("check-jsonschema")
        start = time.perf_counter()
        subprocess.run([str(checker), "--check-metaschema", *files], capture_output=True, check=False)
        reference = time.perf_counter() - start
        drop_cache(ws)
        start = time.perf_counter()
        cold_report = lint_ref(Workspace(root), WORKTREE)
        cold = time.perf_counter() - start
        start = time.perf_counter()
        warm_report = lint_ref(Workspace(root), WORKTREE)
        warm = time.perf_counter() - start
        assert [f.to_json() for f in warm_report.findings] == [f.to_json() for f in cold_report.findings]
        print(f"\nvalidate, {n} event files ({len(cold_report.findings)} findings)")
        report(
            [
                ("check-jsonschema --check-metaschema", reference, "reference"),
                ("validate cold", cold, f"{cold / reference:.2f}x (target <= 1.5x)"),
                ("validate warm", warm, f"{warm / reference:.2f}x (target <= 0.3x)"),
            ]
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)

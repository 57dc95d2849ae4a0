"""Export a 10,000-event plan to avo-json from a ref, warm (cache filled) and cold.
Reference in the same run: `git archive` of the same tree.
Targets: warm <= 2x git archive; cold <= 5 s. Reports the memory peak of a cold
`trackplan export` process (max RSS)."""

from __future__ import annotations

import resource
import sys
import time

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


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000)

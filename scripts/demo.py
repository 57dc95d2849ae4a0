"""The main job on the bundled example plan, in a throw-away folder.

Creates a plan repository from plan-template, changes it on a branch, and shows the
result with trackplan's own commands. Run with `make demo`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

TRACKPLAN = [sys.executable, "-m", "trackplan"]
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Demo",
    "GIT_AUTHOR_EMAIL": "demo@example.com",
    "GIT_COMMITTER_NAME": "Demo",
    "GIT_COMMITTER_EMAIL": "demo@example.com",
}


def run(*args: str, cwd: Path) -> None:
    shown = " ".join(a if " " not in a else repr(a) for a in args)
    print(f"\n$ {shown}", flush=True)
    command = [*TRACKPLAN, *args[1:]] if args[0] == "trackplan" else list(args)
    subprocess.run(command, cwd=cwd, env=ENV, check=True)


def main() -> None:
    work = Path(tempfile.mkdtemp(prefix="trackplan-demo-"))
    plan = work / "plan"
    try:
        run("trackplan", "init", str(plan), "--name", "Acme shop", cwd=work)
        run("trackplan", "events", cwd=plan)
        # A plan change, committed with plain git, so there is an older ref to look at.
        event = plan / "events" / "checkout-completed.yaml"
        text = event.read_text().replace(
            "  coupon:\n",
            "  shipping_method:\n    type: string\n    description: Chosen shipping option.\n"
            "    enum: [standard, express]\n  coupon:\n",
        )
        event.write_text(text)
        run("git", "commit", "-q", "-am", "Add shipping_method to Checkout Completed", cwd=plan)
        run("trackplan", "show", "Checkout Completed", "--ref", "HEAD~1", cwd=plan)
        run("trackplan", "show", "Checkout Completed", "--format", "json", cwd=plan)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()

"""The built wheel: what `pip install trackplan` gets."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

from tests.helpers import ROOT


def test_the_wheel_ships_the_whole_plan_template(tmp_path: Path) -> None:
    root = ROOT
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            str(root),
            "-w",
            str(tmp_path),
        ],
        check=True,
        capture_output=True,
    )
    [wheel] = tmp_path.glob("trackplan-*.whl")
    shipped = {
        n.removeprefix("trackplan/plan-template/") for n in zipfile.ZipFile(wheel).namelist() if "/plan-template/" in n
    }
    template = {
        p.relative_to(root / "plan-template").as_posix() for p in (root / "plan-template").rglob("*") if p.is_file()
    }
    assert shipped == template and ".github/workflows/trackplan.yml" in shipped

"""What the codegen tests share: the hostile plan, golden-file comparison, and the compilers
that check generated code."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import DATA, ROOT

CODEGEN_DATA = DATA / "codegen"
GOLDEN = CODEGEN_DATA / "golden"
HOSTILE_PLAN = CODEGEN_DATA / "hostile"
UPDATE = os.environ.get("TRACKPLAN_UPDATE_GOLDEN") == "1"
NODE = shutil.which("node")
TSC = ROOT / ".tools" / "typescript" / "node_modules" / ".bin" / "tsc"
if NODE is None:
    _NO_TSC = "node is not installed: the TypeScript checks need node, and tsc from `make typescript`"
elif not TSC.exists():
    _NO_TSC = f"{TSC} is missing: `make typescript` installs it (`make test` does wherever node is installed)"
else:
    _NO_TSC = ""
NEEDS_TSC = pytest.mark.skipif(bool(_NO_TSC), reason=_NO_TSC)
# Every flag a strict project may turn on, beyond --strict itself.
TSC_STRICTEST = (
    "--strict",
    "--noUnusedLocals",
    "--noUnusedParameters",
    "--exactOptionalPropertyTypes",
    "--noUncheckedIndexedAccess",
    "--noPropertyAccessFromIndexSignature",
    "--noImplicitReturns",
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout.strip()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD")


def use_hostile_plan(repo: Path) -> str:
    """Replace the plan in `repo` by tests/data/codegen/hostile and commit it; returns the commit."""
    for name in ("events", "identify.yaml", "trackplan.yaml"):
        target = repo / name
        shutil.rmtree(target) if target.is_dir() else target.unlink()
    shutil.copytree(HOSTILE_PLAN, repo, dirs_exist_ok=True)
    return commit_all(repo, "The hostile plan")


def assert_golden(name: str, actual: str, commit: str) -> None:
    """Compare with a golden file, in which `commit` (the plan's, different in every run) reads
    <commit>."""
    path = GOLDEN / name
    actual = actual.replace(commit, "<commit>")
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        return
    assert path.exists(), f"{path} is missing; TRACKPLAN_UPDATE_GOLDEN=1 pytest tests/codegen writes it"
    assert actual == path.read_text(encoding="utf-8"), (
        f"{path} differs; if the change is intended, TRACKPLAN_UPDATE_GOLDEN=1 pytest tests/codegen rewrites it"
    )


def tsc(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(TSC), *args], cwd=cwd, capture_output=True, text=True, timeout=300, check=False)


def mypy_strict(*files: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """mypy --strict on some files, away from this project's own configuration."""
    command = [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--config-file", os.devnull]
    return subprocess.run(
        [*command, *map(str, files)], cwd=cwd, capture_output=True, text=True, timeout=300, check=False
    )

"""Golden files: what each good import example becomes, and what each export format makes of
plan-template, byte for byte.

`make golden` rewrites every golden file (it runs this module with TRACKPLAN_UPDATE_GOLDEN=1);
the diff is then reviewed like any other change.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan.formats import EXPORT_FORMATS

UPDATE = os.environ.get("TRACKPLAN_UPDATE_GOLDEN") == "1"
IMPORT_EXAMPLES = sorted((DATA / "import" / "good").iterdir())
IMPORT_GOLDEN = DATA / "import" / "expected"
EXPORT_GOLDEN = DATA / "export"
# The file suffix of each export format's golden file, so that it opens as what it is.
SUFFIXES = {
    "avo-json": "json",
    "jsonschema": "json",
    "itly": "json",
    "ampli": "json",
    "rudderstack": "yaml",
    "snowplow-ds": "yaml",
    "csv": "csv",
    "ndjson": "ndjson",
    "snowplow": "json",
    "snowplow-dp": "yaml",
    "segment": "json",
    "trackplan": "json",
    "markdown": "md",
    "html": "html",
}
# Git identity and dates of the pinned commit: the same commit id in every run.
PINNED = {
    "GIT_AUTHOR_NAME": "Test User",
    "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_NAME": "Test User",
    "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
}


def import_golden(example: Path) -> Path:
    return IMPORT_GOLDEN / f"{example.name}.json"


def export_golden(fmt: str) -> Path:
    return EXPORT_GOLDEN / f"{fmt}.{SUFFIXES[fmt]}"


def assert_golden(path: Path, actual: bytes) -> None:
    if UPDATE:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(actual)
        return
    assert path.exists(), f"{path} is missing; `make golden` writes it"
    assert actual == path.read_bytes(), f"{path} differs; if the change is intended, `make golden` rewrites it"


def git(repo: Path, *args: str) -> str:
    env = {**os.environ, **PINNED}
    return subprocess.run(["git", *args], cwd=repo, env=env, capture_output=True, text=True, check=True).stdout.strip()


def pin_head(repo: Path) -> None:
    """Make the checked-out branch's only commit again with a fixed author, committer and
    date: the markdown and html exports print its id."""
    commit = git(repo, "commit-tree", "HEAD^{tree}", "-m", "Create tracking plan")
    git(repo, "update-ref", "HEAD", commit)


@pytest.mark.parametrize("example", IMPORT_EXAMPLES, ids=lambda p: p.name)
def test_an_import_into_an_empty_plan_gives_the_golden_plan(
    example: Path, tmp_path: Path, run_cli: CliRunnerCall
) -> None:
    repo = tmp_path / "plan"
    assert run_cli("init", repo, "--empty", "--name", "Test plan").exit_code == 0
    imported = run_cli("-C", repo, "import", example, "--branch", "import/golden")
    assert imported.exit_code == 0, imported.output
    exported = run_cli("-C", repo, "export", "--ref", "import/golden", "--to", "trackplan")
    assert exported.exit_code == 0, exported.output
    assert_golden(import_golden(example), exported.stdout_bytes)


@pytest.mark.parametrize("fmt", EXPORT_FORMATS)
def test_an_export_of_plan_template_gives_the_golden_bytes(fmt: str, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    pin_head(plan_repo)
    exported = run_cli("-C", plan_repo, "export", "--to", fmt)
    assert exported.exit_code == 0, exported.output
    assert_golden(export_golden(fmt), exported.stdout_bytes)


def test_every_golden_file_belongs_to_an_example_or_a_format() -> None:
    wanted = {import_golden(e) for e in IMPORT_EXAMPLES} | {export_golden(f) for f in EXPORT_FORMATS}
    left_over = {*IMPORT_GOLDEN.glob("*"), *EXPORT_GOLDEN.glob("*")} - wanted
    if UPDATE:
        for path in left_over:
            path.unlink()
        return
    assert sorted(left_over) == []

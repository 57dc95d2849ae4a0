"""`trackplan validate`: exit codes by --fail-on, and the job summary of --format github."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall

BROKEN = "::error file=events/broken.yaml,line=2,col=1,title=TP101 parse-error::invalid YAML: did not find expected ',' or ']' — Fix the syntax at the position shown."


def test_github_format_annotates_and_adds_the_findings_to_the_job_summary(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    clean = run_cli("-C", plan_repo, "validate", "--format", "github")
    assert (clean.exit_code, clean.stdout) == (0, "7 files checked: 0 errors, 0 warnings, 0 info\n")
    assert not summary.exists()  # nothing to report, nothing added
    (plan_repo / "events" / "broken.yaml").write_text("title: [unclosed\n")
    broken = run_cli("-C", plan_repo, "validate", "--format", "github")
    assert broken.exit_code == 1
    assert broken.stdout.splitlines()[0] == BROKEN
    assert summary.read_text() == (
        "### Plan lint\n\n| | Where | Rule | Finding |\n|---|---|---|---|\n"
        "| error | `events/broken.yaml:2` | TP101 | invalid YAML: did not find expected ',' or ']' |\n\n"
    )


def test_only_the_given_paths_are_reported(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    (plan_repo / "events" / "broken.yaml").write_text("title: [unclosed\n")
    other = run_cli("-C", plan_repo / "events", "validate", "signed-up.yaml")
    assert (other.exit_code, other.stdout) == (0, "1 file checked: 0 errors, 0 warnings, 0 info\n")
    assert run_cli("-C", plan_repo / "events", "validate", "broken.yaml").exit_code == 1

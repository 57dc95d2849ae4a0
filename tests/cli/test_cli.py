from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.helpers import CliRunnerCall


def test_init_creates_a_repo_on_main_whatever_the_default_branch(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("init", tmp_path / "p", "--name", "Acme")
    assert result.exit_code == 0, result.output
    head = subprocess.run(
        ["git", "symbolic-ref", "HEAD"],
        cwd=tmp_path / "p",
        capture_output=True,
        text=True,
        check=True,
    )
    assert head.stdout.strip() == "refs/heads/main"  # the isolated config says init.defaultBranch=trunk
    assert "name: Acme" in (tmp_path / "p" / "trackplan.yaml").read_text()
    again = run_cli("init", tmp_path / "p")
    assert again.exit_code == 2 and "already exists" in again.output


def test_events_json_lists_the_required_fields(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "events", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.output)["events"]
    assert [r["name"] for r in rows] == sorted(r["name"] for r in rows)
    signed_up = next(r for r in rows if r["name"] == "Signed Up")
    assert signed_up["path"] == "events/signed-up.yaml"
    assert signed_up["sources"] == ["android", "backend", "ios", "web"]
    assert signed_up["owner"] == "Growth" and signed_up["tags"] == ["acquisition", "core"]


def test_show_at_an_older_ref(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    file = plan_repo / "events" / "signed-up.yaml"
    original = file.read_text()
    file.write_text(original.replace("Sent when a visitor", "Fired when a visitor"))
    subprocess.run(["git", "commit", "-qam", "reword"], cwd=plan_repo, check=True)
    old = run_cli("-C", plan_repo, "show", "Signed Up", "--ref", "HEAD~1")
    assert old.output == original
    new = json.loads(run_cli("-C", plan_repo, "show", "Signed Up", "--format", "json").output)["event"]
    assert new["description"].startswith("Fired when")
    assert new["properties"]["signup_method"]["enum"] == ["email", "google", "apple"]


def test_errors_are_one_line_with_exit_code_2(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    for args in (("show", "Nope"), ("events", "--ref", "nope")):
        result = run_cli("-C", plan_repo, *args)
        assert result.exit_code == 2
        assert result.output.count("\n") == 1 and result.output.startswith("trackplan: error:")
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    result = run_cli("-C", outside, "events")
    assert result.exit_code == 2 and "trackplan.yaml" in result.output


def test_broken_event_file_names_the_file_and_line(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    (plan_repo / "events" / "broken.yaml").write_text("title: Broken\nproperties: [\n")
    result = run_cli("-C", plan_repo, "events", "--ref", "WORKTREE")
    assert result.exit_code == 2
    assert "events/broken.yaml:3" in result.output


def test_plan_dir_option(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    result = run_cli("-C", tmp_path, "--plan-dir", "plan", "events", "--format", "json")
    assert result.exit_code == 0, result.output
    assert len(json.loads(result.output)["events"]) == 5


def _run_module(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "trackplan", *args], cwd=cwd, capture_output=True, text=True)


def test_subprocess_version_and_module_entry_point(plan_repo: Path) -> None:
    version = _run_module("--version")
    assert version.returncode == 0 and version.stdout.startswith("trackplan, version ")
    events = _run_module("events", cwd=plan_repo)
    assert events.returncode == 0 and "Checkout Completed" in events.stdout
    bad = _run_module("events", "--ref", "x", cwd=plan_repo)
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    debug = _run_module("--debug", "events", "--ref", "x", cwd=plan_repo)
    assert "Traceback" in debug.stderr

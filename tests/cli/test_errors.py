"""The one error handler: the project's errors, bugs, Ctrl-C and click's own exits."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan.repo.git.store import GitStore
from trackplan.repo.workspace import Workspace

BUG = (
    "trackplan: internal error: ValueError: boom in the core "
    "(this is a bug; run again with --debug for the traceback and report it)\n"
)


def boom(*args: object) -> None:
    raise ValueError("boom\nin the core")


def interrupt(*args: object) -> None:
    raise KeyboardInterrupt


def test_a_bug_is_one_line_that_says_so_with_exit_70(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Workspace, "load", boom)
    result = run_cli("-C", plan_repo, "events")
    assert (result.exit_code, result.stdout, result.stderr) == (70, "", BUG)


def test_a_bug_under_debug_raises_with_its_traceback(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Workspace, "load", boom)
    with pytest.raises(ValueError, match="boom"):
        run_cli("-C", plan_repo, "--debug", "events")


def run_with_a_bug(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """trackplan in its own process, with Workspace.load broken."""
    script = (
        "from trackplan.cli import main\n"
        "from trackplan.repo.workspace import Workspace\n"
        "def boom(*args):\n"
        "    raise ValueError('boom\\nin the core')\n"
        "Workspace.load = boom\n"
        "main()\n"
    )
    return subprocess.run([sys.executable, "-c", script, *args], cwd=cwd, capture_output=True, text=True, check=False)


def test_a_bug_in_a_real_process(plan_repo: Path) -> None:
    plain = run_with_a_bug("events", cwd=plan_repo)
    assert (plain.returncode, plain.stdout, plain.stderr) == (70, "", BUG)
    debug = run_with_a_bug("--debug", "events", cwd=plan_repo)
    assert debug.returncode == 1
    assert debug.stderr.startswith("Traceback (most recent call last):")
    assert debug.stderr.endswith("ValueError: boom\nin the core\n")


def test_ctrl_c_exits_130(plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Workspace, "load", interrupt)
    result = run_cli("-C", plan_repo, "events")
    assert (result.exit_code, result.stdout, result.stderr) == (
        130,
        "",
        "\ntrackplan: interrupted; nothing was written\n",
    )


def test_ctrl_c_after_the_branch_moved_says_which_commit_landed(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(GitStore, "_update_worktree", interrupt)
    monkeypatch.setattr(GitStore, "current_branch", lambda self: "import/x")
    result = run_cli("-C", plan_repo, "import", DATA / "import" / "good" / "standard.json", "--branch", "import/x")
    commit = GitStore(plan_repo).resolve("import/x")
    paths = "':(top,literal)events/button-clicked.yaml' ':(top,literal)events/merged.yaml'"
    repair = f"git restore --source=HEAD --staged --worktree -- {paths}"
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == (
        f"trackplan: interrupted; branch 'import/x' had already moved to {commit[:12]}: that commit landed; "
        f"the work tree did not follow: run `{repair}`"
    )


def test_ctrl_c_before_a_new_branch_moved_leaves_no_branch(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(GitStore, "_compare_and_swap", interrupt)
    result = run_cli("-C", plan_repo, "import", DATA / "import" / "good" / "standard.json", "--branch", "import/x")
    assert (result.exit_code, result.stderr) == (130, "\ntrackplan: interrupted; nothing was written\n")
    assert GitStore(plan_repo).branch_head("import/x") is None


def test_no_arguments_print_the_help_and_succeed(run_cli: CliRunnerCall) -> None:
    result = run_cli()
    assert result.exit_code == 0
    assert result.stdout.startswith("Usage: cli [OPTIONS] COMMAND [ARGS]...\n\n  Keep an analytics tracking plan")


@pytest.mark.parametrize(
    ("args", "option"),
    [
        (["import", str(DATA / "import" / "good" / "standard.json"), "--branch", ""], "--branch"),
        (["import", str(DATA / "import" / "good" / "standard.json"), "--branch", "x", "--base", ""], "--base"),
        (["import", str(DATA / "import" / "good" / "standard.json"), "--branch", "x", "-m", ""], "--message"),
        (["layout", "sharded", "--branch", ""], "--branch"),
        (["validate", "--ref", ""], "--ref"),
        (["export", "--changed-since", ""], "--changed-since"),
        (["export", "-o", ""], "--output"),
        (["export", "--to", "csv", "--tag", ""], "--tag"),
        (["diff", "", "HEAD"], "BASE"),
    ],
)
def test_an_empty_value_is_invalid_input(args: list[str], option: str, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    before = GitStore(plan_repo).branch_names()
    result = run_cli("-C", plan_repo, *args)
    assert (result.exit_code, result.stdout) == (2, "")
    assert result.stderr == f"trackplan: error: {option}: the value is empty; leave the option out to use its default\n"
    assert GitStore(plan_repo).branch_names() == before


def test_clicks_own_exits_are_unchanged(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    usage = run_cli("-C", plan_repo, "events", "--format", "xml")
    assert usage.exit_code == 2
    assert usage.stderr.endswith("Error: Invalid value for '--format': 'xml' is not one of 'text', 'json'.\n")
    assert run_cli("--version").exit_code == 0
    assert run_cli("events", "--help").exit_code == 0


def test_import_errors_follow_format_json(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    missing = run_cli("-C", plan_repo, "import", tmp_path / "nope.json", "--format", "json")
    assert missing.exit_code == 2 and missing.stderr == ""
    assert json.loads(missing.stdout) == {
        "version": 1,
        "command": "import",
        "message": f"{tmp_path / 'nope.json'}: cannot read: No such file or directory",
        "warnings": [],
    }
    source = DATA / "import" / "good" / "avo-export.json"
    refused = run_cli("-C", plan_repo, "import", source, "--branch", "main", "--format", "json")
    assert refused.exit_code == 3
    assert json.loads(refused.stdout)["message"].startswith("branch 'main' is protected")
    text = run_cli("-C", plan_repo, "import", tmp_path / "nope.json")
    assert (text.exit_code, text.stdout) == (2, "")
    assert text.stderr == f"trackplan: error: {tmp_path / 'nope.json'}: cannot read: No such file or directory\n"

"""Plans in existing repositories and clones: init protects the branch that is there, a failed init
leaves nothing, and a clone without a local main compares with origin's."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.repo.workspace import Workspace


def test_init_in_a_repository_on_master_makes_master_the_protected_main_branch(
    tmp_path: Path, run_cli: CliRunnerCall
) -> None:
    repo = tmp_path / "existing"
    subprocess.run(["git", "init", "-q", "-b", "master", str(repo)], check=True)
    assert run_cli("init", repo).exit_code == 0
    settings = Workspace(repo).settings("HEAD")
    assert (settings.main_branch, list(settings.protected_branches)) == ("master", ["master"])
    refused = run_cli("-C", repo, "import", repo / "events" / "signed-up.yaml", "--from", "jsonschema")
    assert refused.exit_code == 3 and "branch 'master' is protected" in refused.stderr


def test_an_init_without_a_git_identity_leaves_nothing_behind(
    tmp_path: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch, isolated_git: Path
) -> None:
    (isolated_git / ".gitconfig").write_text("")
    result = run_cli("init", tmp_path / "new")
    assert result.exit_code == 2 and result.stderr.startswith("trackplan: error: no git identity")
    assert not (tmp_path / "new").exists()
    (tmp_path / "kept").mkdir()
    assert run_cli("init", tmp_path / "kept").exit_code == 2
    assert list((tmp_path / "kept").iterdir()) == []


def test_diff_in_a_clone_without_a_local_main_compares_with_origins(plan_repo: Path, tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(plan_repo), str(clone)], check=True)
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=clone, check=True)
    subprocess.run(["git", "branch", "-q", "-D", "main"], cwd=clone, check=True)
    ws = Workspace(clone)
    assert ws.resolve_main("main") == ws.store.resolve("origin/main")


def test_init_inside_a_plan_is_refused_and_commits_nothing(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    head = subprocess.run(["git", "rev-parse", "HEAD"], cwd=plan_repo, capture_output=True, text=True).stdout
    result = run_cli("init", plan_repo / "events")
    assert (result.exit_code, result.stderr) == (
        2,
        f"trackplan: error: {plan_repo / 'events'}: is inside the plan at {plan_repo}; make a new plan outside it\n",
    )
    assert subprocess.run(["git", "rev-parse", "HEAD"], cwd=plan_repo, capture_output=True, text=True).stdout == head

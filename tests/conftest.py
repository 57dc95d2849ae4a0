"""Shared fixtures. Git never sees the machine's own config: HOME and every config level
point into the test's temporary folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pygit2
import pytest
from hypothesis import settings

from tests.helpers import CliRunnerCall

# CI runs the same examples every time, so a red run is reproducible and never a coin toss.
settings.register_profile("ci", derandomize=True, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")


@pytest.fixture(autouse=True)
def isolated_git(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    home = tmp_path_factory.mktemp("home")
    (home / ".gitconfig").write_text(
        "[user]\n\tname = Test User\n\temail = test@example.com\n[init]\n\tdefaultBranch = trunk\n"
    )
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(home / ".gitconfig"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(home / ".config"))
    for name in list(os.environ):
        if name.startswith(("GIT_AUTHOR_", "GIT_COMMITTER_", "GITHUB_")):
            monkeypatch.delenv(name)
    levels = pygit2.enums.ConfigLevel
    saved = {level: pygit2.settings.search_path[level] for level in (levels.GLOBAL, levels.XDG, levels.SYSTEM)}
    pygit2.settings.search_path[levels.GLOBAL] = str(home)
    pygit2.settings.search_path[levels.XDG] = str(home / ".config")
    pygit2.settings.search_path[levels.SYSTEM] = str(home / "no-system")
    yield home
    for level, value in saved.items():
        pygit2.settings.search_path[level] = value


@pytest.fixture
def run_cli() -> CliRunnerCall:
    return CliRunnerCall()


@pytest.fixture
def plan_repo(tmp_path: Path, run_cli: CliRunnerCall) -> Path:
    """A plan repository made from plan-template by `trackplan init`."""
    root = tmp_path / "plan"
    result = run_cli("init", root, "--name", "Test plan")
    assert result.exit_code == 0, result.output
    return root

"""What the tracking-plan tests share: git in a plan repository, and `plans` commands with
their JSON documents."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import CliRunnerCall


def git(repo: Path, *args: str, date: str | None = None) -> str:
    """Run git in `repo`; `date` (ISO-8601) is the author and committer date of a commit."""
    env = {**os.environ, **({"GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else {})}
    done = subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True, env=env)
    return done.stdout


def commits(repo: Path, ref: str = "HEAD") -> int:
    return int(git(repo, "rev-list", "--count", ref))


def plans(run_cli: CliRunnerCall, repo: Path, command: str, *args: str, exit_code: int = 0) -> dict[str, Any]:
    """`trackplan plans COMMAND --format json ARGS` in `repo`: its document, after checking the exit code."""
    result = run_cli("-C", repo, "plans", command, "--format", "json", *args)
    assert result.exit_code == exit_code, result.output
    document: dict[str, Any] = json.loads(result.stdout)
    return document

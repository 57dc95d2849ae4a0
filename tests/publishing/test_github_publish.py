"""The composite action's publish mode and the template's publish job: the step's own script,
run in a fresh clone each time, delivers a commit once, keeping the record in origin's notes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from tests.helpers import ROOT
from tests.publishing.support import SECRET, SECRET_ENV, configure, receiver
from tests.serving.support import git
from trackplan.publishing.ledger import NOTES_REF


def publish_step() -> dict[str, object]:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    [step] = [s for s in action["runs"]["steps"] if s.get("if") == "inputs.mode == 'publish'"]
    return dict(step)


def run_step(clone: Path, step: dict[str, object]) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, **{k: v for k, v in dict(step["env"]).items() if "${{" not in v}}  # type: ignore[call-overload]
    env.update({"INPUT_INTEGRATION": "", SECRET_ENV: SECRET, "PATH": f"{Path(sys.executable).parent}:{env['PATH']}"})
    return subprocess.run(["bash", "-c", str(step["run"])], cwd=clone, env=env, capture_output=True, text=True)


def test_the_publish_step_delivers_each_commit_once_across_fresh_clones(plan_repo: Path, tmp_path: Path) -> None:
    step = publish_step()
    origin = tmp_path / "origin.git"
    with receiver() as hook:
        commit = configure(plan_repo, hook.url)
        git(tmp_path, "clone", "-q", "--bare", str(plan_repo), str(origin))
        for run in ("first", "second"):
            clone = tmp_path / run
            git(tmp_path, "clone", "-q", str(origin), str(clone))
            result = run_step(clone, step)
            assert result.returncode == 0, result.stderr
        assert len(hook.requests) == 1
        assert "was already delivered" in result.stdout
    annotated = [line.split()[1] for line in git(origin, "notes", "--ref", NOTES_REF, "list").splitlines()]
    assert annotated == [commit]


def test_the_template_publishes_on_push_to_main_with_write_access_only_there() -> None:
    workflow = yaml.safe_load((ROOT / "plan-template/.github/workflows/trackplan.yml").read_text())
    assert workflow[True]["push"]["branches"] == ["main"]
    publish = workflow["jobs"]["publish"]
    assert publish["if"] == "github.event_name == 'push'" and publish["permissions"] == {"contents": "write"}
    assert publish["steps"][-1]["with"] == {"mode": "publish"}
    assert workflow["jobs"]["review"]["if"] == "github.event_name == 'pull_request'"

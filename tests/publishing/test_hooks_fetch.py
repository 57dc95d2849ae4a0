"""`POST /hooks/git` for a commit the served repository does not have yet: it is fetched from
the remote the main branch tracks (origin by default), then published. Two real repositories:
the served clone, and the upstream a second clone pushes to."""

from __future__ import annotations

import json
import logging
import subprocess
from pathlib import Path

import pytest

from tests.publishing.support import SECRET, SECRET_ENV, configure, receiver
from tests.publishing.test_hooks import HOOK_SECRET, headers, push
from tests.serving.support import served_plan
from trackplan.serving.hooks import HOOK_SECRET_ENV


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=True).stdout.strip()


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOOK_SECRET_ENV, HOOK_SECRET)
    monkeypatch.setenv(SECRET_ENV, SECRET)


def pushed_elsewhere(served: Path, upstream: Path, work: Path, url: str) -> str:
    """`upstream` made from the served plan, which fetches from it as `remote`; a commit pushed
    to upstream's main from another clone (adding the `hook` integration), which the served
    repository does not have: its id."""
    git(served.parent, "clone", "-q", "--bare", str(served), str(upstream))
    git(served.parent, "clone", "-q", str(upstream), str(work))
    commit = configure(work, url)
    git(work, "push", "-q", "origin", "main")
    return commit


@pytest.mark.parametrize("remote", ["origin", "upstream"])
def test_a_pushed_commit_the_repository_lacks_is_fetched_then_published(tmp_path: Path, remote: str) -> None:
    served = served_plan(tmp_path)
    with receiver() as hook, served.client() as client:
        commit = pushed_elsewhere(served.root, tmp_path / "upstream.git", tmp_path / "work", hook.url)
        git(served.root, "remote", "add", remote, str(tmp_path / "upstream.git"))
        if remote != "origin":
            git(served.root, "config", "branch.main.remote", remote)
        with pytest.raises(subprocess.CalledProcessError):
            git(served.root, "cat-file", "-e", commit)
        body = push(commit)
        answer = client.post("/hooks/git", content=body, headers=headers(body, "d-1"))
        assert (answer.status_code, answer.json()) == (202, {"message": "Publishing", "warnings": [], "commit": commit})
        [request] = hook.requests
        info = json.loads(request.body)["context"]["publishInfo"]
        assert (info["branchName"], info["lastUpdateId"]) == ("main", commit)
    assert git(served.root, "cat-file", "-t", commit) == "commit"
    assert git(served.root, "rev-parse", "main") != commit  # fetched, not merged: main is the served repository's


@pytest.mark.parametrize("remote", [True, False], ids=["origin lacks it", "no remote"])
def test_a_commit_no_remote_has_is_logged_and_publishes_nothing(
    tmp_path: Path, caplog: pytest.LogCaptureFixture, remote: bool
) -> None:
    served = served_plan(tmp_path)
    with receiver() as hook, served.client() as client:
        pushed_elsewhere(served.root, tmp_path / "upstream.git", tmp_path / "work", hook.url)
        if remote:
            git(served.root, "remote", "add", "origin", str(tmp_path / "upstream.git"))
        missing = "1" * 40
        body = push(missing)
        with caplog.at_level(logging.ERROR, logger="trackplan.serving"):
            answer = client.post("/hooks/git", content=body, headers=headers(body, "d-1"))
        assert answer.status_code == 202
        assert hook.requests == []
    [record] = caplog.records
    said = (
        f"publish {missing[:12]} of workspace test failed: commit {missing} is not in this repository, "
        "and fetching main from origin did not bring it"
    )
    if remote:
        assert record.getMessage() == said
    else:  # git's own last line says why the fetch failed
        assert record.getMessage().startswith(said + " (fatal: ") and record.getMessage().endswith(")")

"""Workspace.resolve_base: a base missing from a shallow clone is fetched from origin."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from trackplan.errors import RefError
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace

TEMPLATE_DESCRIPTION = "Sent when a visitor creates an account and the account is confirmed."


def git(repo: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=check)


@pytest.fixture
def shallow_clone(tmp_path: Path) -> tuple[Path, str]:
    """A clone of depth 1 of an origin's `feature` branch, and the commit origin's main is at:
    main is neither a branch nor an object in the clone."""
    origin = tmp_path / "origin"
    init_plan(origin, name="Origin")
    git(origin, "switch", "-q", "-c", "feature")
    (origin / "events" / "signed-up.yaml").write_text("title: Signed Up\ndescription: On feature.\n")
    git(origin, "commit", "-qam", "feature work")
    main = git(origin, "rev-parse", "main").stdout.strip()
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth=1", "--single-branch", "--branch", "feature", origin.as_uri(), str(clone))
    return clone, main


def test_a_base_missing_from_a_shallow_clone_is_fetched_from_origin(shallow_clone: tuple[Path, str]) -> None:
    clone, main = shallow_clone
    ws = Workspace(clone)
    with pytest.raises(RefError):
        ws.store.resolve("origin/main")
    assert git(clone, "cat-file", "-e", main, check=False).returncode != 0
    assert ws.resolve_base("origin/main") == main
    assert git(clone, "cat-file", "-t", main).stdout == "commit\n"
    assert git(clone, "rev-parse", "FETCH_HEAD").stdout.strip() == main
    events = {ref: ws.load(ref).plan.event("Signed Up") for ref in (main, "HEAD")}
    assert {ref: event.description for ref, event in events.items() if event} == {
        main: TEMPLATE_DESCRIPTION,
        "HEAD": "On feature.",
    }


def test_a_base_already_in_the_clone_is_not_fetched(shallow_clone: tuple[Path, str]) -> None:
    clone, _ = shallow_clone
    head = git(clone, "rev-parse", "HEAD").stdout.strip()
    assert Workspace(clone).resolve_base("origin/feature") == head
    assert not (clone / ".git" / "FETCH_HEAD").exists()


def test_a_base_origin_does_not_have_says_how_to_fetch_it(shallow_clone: tuple[Path, str]) -> None:
    clone, _ = shallow_clone
    with pytest.raises(RefError) as caught:
        Workspace(clone).resolve_base("origin/nope")
    assert str(caught.value) == (
        "the base 'origin/nope' is not in this clone (shallow checkout?) and fetching it failed "
        "(fatal: couldn't find remote ref nope); run `git fetch --no-tags --depth=1 origin nope` "
        "or check out with fetch-depth: 0"
    )


def test_without_an_origin_the_message_still_says_how(tmp_path: Path) -> None:
    init_plan(tmp_path / "plan", name="Alone")
    with pytest.raises(RefError) as caught:
        Workspace(tmp_path / "plan").resolve_base("origin/main")
    text = str(caught.value)
    assert text.startswith("the base 'origin/main' is not in this clone (shallow checkout?) and fetching it failed (")
    assert text.endswith("); run `git fetch --no-tags --depth=1 origin main` or check out with fetch-depth: 0")


def test_a_fetch_lands_in_the_repository_read_whatever_git_dir_names(
    shallow_clone: tuple[Path, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A server or hook started with GIT_DIR (and GIT_WORK_TREE) naming another repository: pygit2
    reads the plan's, so git must fetch into the plan's too, not into the one the variables name."""
    clone, main = shallow_clone
    other = tmp_path / "other"
    git(tmp_path, "init", "-q", str(other))
    monkeypatch.setenv("GIT_DIR", str(other / ".git"))
    monkeypatch.setenv("GIT_WORK_TREE", str(other))
    assert Workspace(clone).resolve_base("origin/main") == main
    monkeypatch.delenv("GIT_DIR")
    monkeypatch.delenv("GIT_WORK_TREE")
    assert git(clone, "cat-file", "-t", main).stdout == "commit\n"
    assert git(other, "cat-file", "-e", main, check=False).returncode != 0
    assert not (other / ".git" / "FETCH_HEAD").exists()

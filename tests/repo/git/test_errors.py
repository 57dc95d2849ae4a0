"""The git layer's errors: pygit2's never reach a caller, and a refused write changes nothing."""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pygit2
import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan.errors import ConcurrentUpdateError, GitError, RefError, RefNameError
from trackplan.repo.git.store import GitStore, init_repository

BAD_NAMES = [
    "bad..name",
    "with space",
    "ends.lock",
    "tilde~1",
    "colon:x",
    "trailing/",
    "x@{1}",
    "a\x01b",
    "-f",
    "--force",
    "HEAD",
    "a" * 300,
]
UNKNOWN = "0123456789abcdef0123456789abcdef01234567"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def snapshot(repo: Path) -> tuple[str, str, str]:
    """Every ref, every object and the work tree's status: what a refused write must leave alone."""
    objects = git(repo, "cat-file", "--batch-all-objects", "--batch-check=%(objectname)")
    return git(repo, "for-each-ref", "--format=%(refname) %(objectname)"), objects, git(repo, "status", "--porcelain")


def message(name: str) -> str:
    shown = name if len(name) <= 60 else name[:57] + "..."
    return f"{shown!r} is not a valid branch name (see git check-ref-format --branch)"


@pytest.mark.parametrize("name", BAD_NAMES)
def test_import_to_a_bad_branch_name_is_one_line_exit_2_and_changes_nothing(
    name: str, plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    before = snapshot(plan_repo)
    result = run_cli("-C", plan_repo, "import", DATA / "import" / "good" / "standard.json", "--branch", name)
    assert result.exit_code == 2
    assert result.output == f"trackplan: error: {message(name)}\n"
    assert snapshot(plan_repo) == before


def test_an_unknown_ref_is_one_line_exit_2(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    for args in (["log", "--ref", "nope"], ["events", "--ref", "bad..name"], ["diff", "nope", "main"]):
        result = run_cli("-C", plan_repo, *args)
        assert result.exit_code == 2, args
        assert result.output.startswith("trackplan: error: unknown ref ")
        assert len(result.output.splitlines()) == 1


@pytest.mark.parametrize("name", BAD_NAMES)
def test_writes_to_a_bad_branch_name_are_refused_before_anything_is_written(name: str, plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    before = snapshot(plan_repo)
    with pytest.raises(RefNameError, match=f"^{re.escape(message(name))}$"):
        store.create_branch(name, head)
    with pytest.raises(RefNameError):
        store.commit_changes(name, None, {"trackplan.yaml": b"name: other\n"}, "refused")
    with pytest.raises(RefNameError):
        store.commit_changes(name, head, {"events/new.yaml": b"title: New\n"}, "refused")
    assert snapshot(plan_repo) == before
    assert store.branch_head(name) is None


def test_a_repository_is_not_created_with_a_bad_branch_name(tmp_path: Path) -> None:
    with pytest.raises(RefNameError, match="'bad..name' is not a valid branch name"):
        init_repository(tmp_path / "new", "bad..name")
    assert not (tmp_path / "new").exists()


def test_unknown_refs_and_commits_are_ref_errors(plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: store.resolve("bad..name"), "unknown ref 'bad..name'"),
        (lambda: store.resolve(UNKNOWN), f"unknown ref '{UNKNOWN}'"),
        (lambda: list(store.iter_commits("nope")), "unknown ref 'nope'"),
        (lambda: store.merge_base("zz", head), f"unknown commit 'zz' or '{head}'"),
        (lambda: store.merge_base(head, UNKNOWN), f"unknown commit '{head}' or '{UNKNOWN}'"),
        (lambda: store.is_ancestor("zz", head), f"unknown commit 'zz' or '{head}'"),
        (lambda: store.subtree_id(UNKNOWN, ""), f"unknown commit '{UNKNOWN}'"),
        (lambda: store.blob_at("not an id", "trackplan.yaml"), "unknown commit 'not an id'"),
    ]
    for call, text in cases:
        with pytest.raises(RefError) as caught:
            call()
        assert str(caught.value) == text
        assert isinstance(caught.value.__cause__, pygit2.GitError | KeyError | ValueError)


def test_unreadable_objects_are_git_errors(plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    tree = store.subtree_id(store.resolve("HEAD"), "")
    cases: list[tuple[Callable[[], object], str]] = [
        (lambda: store.list_tree(UNKNOWN), f"cannot read tree {UNKNOWN}: "),
        (lambda: store.read_blob(UNKNOWN), f"cannot read blob {UNKNOWN}: "),
        (lambda: store.diff_trees(tree, UNKNOWN), f"cannot compare trees {tree} and {UNKNOWN}: "),
    ]
    for call, start in cases:
        with pytest.raises(GitError) as caught:
            call()
        assert str(caught.value).startswith(start)
        assert isinstance(caught.value.__cause__, pygit2.GitError | KeyError | ValueError)


def test_writes_from_an_unknown_commit_are_git_errors_and_change_nothing(plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    git(plan_repo, "branch", "side")
    before = snapshot(plan_repo)
    with pytest.raises(GitError, match="^cannot create branch 'feature': "):
        store.create_branch("feature", "not an id")
    with pytest.raises(GitError, match="^cannot write to branch 'side': "):
        store.commit_changes("side", UNKNOWN, {"events/new.yaml": b"title: New\n"}, "from nowhere")
    with pytest.raises(GitError, match=f"^cannot compare the work tree with {UNKNOWN}: "):
        store.commit_changes("main", UNKNOWN, {"events/new.yaml": b"title: New\n"}, "from nowhere")
    assert snapshot(plan_repo) == before


def test_a_locked_branch_is_a_concurrent_update(plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    lock = plan_repo / ".git" / "refs" / "heads" / "feature.lock"
    lock.write_text("")
    with pytest.raises(ConcurrentUpdateError, match="^branch 'feature' is locked by another writer; "):
        store.create_branch("feature", head)
    lock.unlink()
    store.create_branch("feature", head)
    assert store.branch_head("feature") == head


def test_a_folder_outside_any_repository_is_a_git_error(tmp_path: Path) -> None:
    with pytest.raises(GitError, match="not inside a git repository"):
        GitStore(tmp_path)

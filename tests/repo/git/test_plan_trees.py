"""What the git executable answers for a diff of two commits (`repo.git.plan_trees`, and
`tree_diffs.started_diff`) equals what pygit2 answers (`GitStore`), on real repositories
holding every kind of entry; where git cannot answer alike, the answer is None."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from trackplan.repo.git import plan_trees
from trackplan.repo.git.store import GitStore
from trackplan.repo.git.tree_diffs import started_diff, tree_diffs


def git(repo: Path, *args: str, stdin: bytes | None = None) -> str:
    done = subprocess.run(["git", *args], cwd=repo, input=stdin, capture_output=True, check=True)
    return done.stdout.decode()


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """Two commits of a plan folder `plan/` beside other files: files changed, added and
    removed, in nested folders, a symlink, an executable, a submodule entry, names with
    spaces, non-ASCII letters and a newline."""
    root = tmp_path / "repo"
    (root / "plan" / "events" / "ab").mkdir(parents=True)
    git(root, "init", "-qb", "main")
    plan = root / "plan"
    (plan / "trackplan.yaml").write_text("name: x\n")
    (plan / "events" / "kept.yaml").write_text("title: Kept\n")
    (plan / "events" / "changed.yaml").write_text("title: Changed\n")
    (plan / "events" / "removed.yaml").write_text("title: Removed\n")
    (plan / "events" / "ab" / "nested.yaml").write_text("title: Nested\n")
    (plan / "events" / "mode.yaml").write_text("title: Mode\n")
    (root / "README.md").write_text("outside the plan\n")
    first = commit_all(root, "first")
    (plan / "events" / "changed.yaml").write_text("title: Changed again\n")
    (plan / "events" / "removed.yaml").unlink()
    (plan / "events" / "ab" / "nested.yaml").write_text("title: Nested, changed\n")
    (plan / "events" / "ab" / "café größe.yaml").write_text("title: Accents\n")
    (plan / "events" / "new\nline.yaml").write_text("title: Newline\n")
    (plan / "events" / "link.yaml").symlink_to("kept.yaml")
    os.chmod(plan / "events" / "mode.yaml", 0o755)
    (plan / "tracking-plans").mkdir()
    (plan / "tracking-plans" / "a.yaml").write_text("name: A\n")
    git(root, "add", "-A")
    git(root, "update-index", "--add", "--cacheinfo", f"160000,{first},plan/events/sub")
    git(root, "commit", "-qm", "second")
    return root


def test_trees_and_commits_are_the_stores(repo: Path) -> None:
    store = GitStore(repo)
    found = plan_trees.plan_trees(repo / "plan", ["main~1", "HEAD"])
    assert found is not None
    commits = (store.resolve("main~1"), store.resolve("HEAD"))
    assert found.commits == commits
    assert found.trees == tuple(store.subtree_id(commit, "plan") for commit in commits)
    assert (found.git_dir, found.path_prefix, found.shallow) == (store.git_dir, "plan/", False)
    top = plan_trees.plan_trees(repo, ["HEAD"])
    assert top is not None and (top.path_prefix, top.trees) == ("", (store.subtree_id(commits[1], ""),))


def test_refs_git_cannot_answer_alike(repo: Path) -> None:
    for refs in (["nosuch"], ["HEAD", "nosuch"], ["main@{0}"], ["HEAD:plan"], ["-q"], ["main..HEAD"], ["v1-2-gabc"]):
        assert plan_trees.plan_trees(repo / "plan", refs) is None, refs
    outside = repo.parent / "outside"
    outside.mkdir()
    assert plan_trees.plan_trees(outside, ["HEAD"]) is None


def test_the_tree_diff_is_the_stores(repo: Path) -> None:
    store = GitStore(repo)
    old, new = (store.subtree_id(store.resolve(ref), "plan") for ref in ("HEAD~1", "HEAD"))
    assert old is not None and new is not None
    by_store = [change for change in store.diff_trees(old, new) if change[1] != change[2]]
    assert started_diff(repo, old, new)() == by_store == tree_diffs(repo, [(old, new)])[0]  # type: ignore[index]
    assert {path for path, _, _ in by_store} >= {"events/new\nline.yaml", "events/ab/café größe.yaml"}
    assert "events/mode.yaml" not in {path for path, _, _ in by_store}  # a mode change alone
    assert started_diff(repo, new, old)() == sorted((path, b, a) for path, a, b in by_store)
    assert started_diff(repo, old, "not a tree")() is None
    assert started_diff(repo, old, "0" * 40)() is None


def test_entries_are_the_stores(repo: Path) -> None:
    store = GitStore(repo)
    head = store.resolve("HEAD")
    tree = store.subtree_id(head, "plan/events")
    assert tree is not None
    names = ("kept.yaml", "link.yaml", "sub", "ab", "nosuch.yaml", "mode.yaml")
    found = plan_trees.started_entries(repo, tree, names)()
    assert found is not None
    assert sorted(found) == ["ab", "kept.yaml", "link.yaml", "mode.yaml", "sub"]
    for name in ("kept.yaml", "link.yaml", "mode.yaml"):
        assert found[name] == ("blob", store.blob_at(head, f"plan/events/{name}"))
    assert found["ab"] == ("tree", store.subtree_id(head, "plan/events/ab"))
    assert found["sub"][0] == "commit" and store.blob_at(head, "plan/events/sub") is None
    assert plan_trees.started_entries(repo, tree, ["*.yaml"])() == {}  # names, not patterns
    assert plan_trees.started_entries(repo, "HEAD", ["kept.yaml"])() is None  # ids only


def test_blobs_are_the_stores(repo: Path) -> None:
    store = GitStore(repo)
    empty = git(repo, "hash-object", "-w", "--stdin", stdin=b"").strip()
    binary = git(repo, "hash-object", "-w", "--stdin", stdin=b"\n\0 7 blob\n\n").strip()
    kept = store.blob_at(store.resolve("HEAD"), "plan/events/kept.yaml")
    assert kept is not None
    found = plan_trees.read_blobs(repo, [binary, kept, empty, kept])
    assert found == {blob: store.read_blob(blob) for blob in (binary, kept, empty)}
    assert plan_trees.read_blobs(repo, []) == {}
    assert plan_trees.read_blobs(repo, [kept, "1" * 40]) is None  # missing
    assert plan_trees.read_blobs(repo, [store.resolve("HEAD")]) is None  # a commit
    assert plan_trees.read_blobs(repo, ["HEAD"]) is None


def test_merge_bases(repo: Path) -> None:
    git(repo, "checkout", "-qb", "side", "HEAD~1")
    (repo / "side.txt").write_text("side\n")
    side = commit_all(repo, "side")
    first = git(repo, "rev-parse", "main~1").strip()
    assert plan_trees.merge_bases(repo, side, "main") == [first]
    git(repo, "checkout", "-q", "--orphan", "alone")
    alone = commit_all(repo, "unrelated")
    assert plan_trees.merge_bases(repo, alone, "main") is None  # git answers none with exit 1


def test_without_git_nothing_is_answered(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    store = GitStore(repo)
    tree = store.subtree_id(store.resolve("HEAD"), "plan")
    assert tree is not None
    monkeypatch.setenv("PATH", "")
    assert plan_trees.plan_trees(repo, ["HEAD"]) is None
    assert plan_trees.started_entries(repo, tree, ["trackplan.yaml"])() is None
    assert plan_trees.read_blobs(repo, [tree]) is None
    assert started_diff(repo, tree, tree)() is None

"""What a server keeps from one import to the next (the memo's plan indexes, the store's sorted
large folders) must never change what an import commits: a served workspace, kept across
imports into alternating branches with small rooms (so both evict), meets commits by another
writer and edits committed from the work tree, and commits exactly the trees a fresh
workspace without a memo commits."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.importing.test_trees import schema_file, seeded, summary, tree
from trackplan.importing import run as imports
from trackplan.importing import trees
from trackplan.importing.run import ImportRequest, run_import
from trackplan.repo.cache import EventMemo
from trackplan.repo.git import objects as gitobjects
from trackplan.repo.git import store as stores
from trackplan.repo.workspace import Workspace

BRANCHES = ("x", "y/z", "w")
SIDES = ("kept", "fresh")


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def by_another_writer(root: Path, branch: str, rng: random.Random) -> None:
    """A CLI process edits one event's description on the branch."""
    ws = Workspace(root)
    before = ws.load(branch)
    name = rng.choice(sorted(before.event_paths))
    edited = [e.replace(description=f"Edited {rng.random()}.") if e.name == name else e for e in before.plan.events]
    ws.commit_plan(branch, ws.store.resolve(branch), before, before.plan.replace(events=tuple(edited)), "by hand")


def from_the_work_tree(root: Path, branch: str, rng: random.Random) -> None:
    """Someone checks the branch out, edits an event file in an editor and commits it with git."""
    git(root, "checkout", "-q", branch)
    paths = sorted(p.relative_to(root).as_posix() for p in (root / "events").glob("*.yaml"))
    path = root / rng.choice(paths)
    path.write_text(path.read_text() + f"# checked {rng.random()}\n")
    git(root, "commit", "-q", "-am", "edit in the work tree")


def _spies(monkeypatch: pytest.MonkeyPatch) -> tuple[list[bool], list[int]]:
    """Whether each import read only the events it touches; each use of a kept folder."""
    indexed: list[bool] = []
    kept: list[int] = []
    touched, copy = trees.touched, gitobjects.SortedTree.copy

    def spied_touched(*args: Any) -> Any:
        found = touched(*args)
        indexed.append(found is not None)
        return found

    def spied_copy(self: gitobjects.SortedTree) -> gitobjects.SortedTree:
        kept.append(len(self))
        return copy(self)

    monkeypatch.setattr(imports, "touched", spied_touched)
    monkeypatch.setattr(gitobjects.SortedTree, "copy", spied_copy)
    return indexed, kept


@pytest.mark.parametrize("seed", range(4))
def test_kept_indexes_and_folders_commit_what_a_fresh_workspace_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, seed: int
) -> None:
    monkeypatch.setattr(stores, "LARGE_TREE_ENTRIES", 5)  # the 25-event folder counts as large
    monkeypatch.setattr(stores, "SORTED_TREES_KEPT", 2)
    rng = random.Random(seed)
    root = tmp_path / "plan"
    seeded(root, None, rng)
    start = git(root, "rev-parse", "seed").strip()
    for side in SIDES:
        for branch in BRANCHES:
            git(root, "branch", f"{side}/{branch}", start)
    served = Workspace(root, memo=EventMemo(indexes=3))
    indexed, kept_folders = _spies(monkeypatch)
    for step in range(24):
        branch = rng.choice(BRANCHES)
        if rng.random() < 0.35:  # the branch moves under the server first
            edit = rng.choice([by_another_writer, from_the_work_tree])
            state = rng.getstate()
            for side in SIDES:
                rng.setstate(state)  # the same edit on both sides
                edit(root, f"{side}/{branch}", rng)
        names = rng.sample([f"Event {i}" for i in range(25)], rng.randint(1, 3))
        names += [f"New {step} {i}" for i in range(rng.randint(0, 2))]
        data = schema_file(rng, names)
        method = rng.choice(["addOnly", "addAndUpdate", "addUpdateAndRemove"])
        checked_out = rng.random() < 0.3  # the import moves a checked-out branch's work tree too
        outcomes = []
        for side, ws in (("kept", served), ("fresh", Workspace(root))):
            if checked_out:
                git(root, "checkout", "-q", f"{side}/{branch}")
            request = ImportRequest(data, "one.json", method=method, branch=f"{side}/{branch}")
            outcomes.append(run_import(ws, request))
        assert summary(outcomes[0]) == summary(outcomes[1]), (step, method)
        git(root, "checkout", "-q", "--detach", "seed")
        plain = Workspace(root)
        for name in BRANCHES:
            assert tree(plain, f"kept/{name}") == tree(plain, f"fresh/{name}"), (step, name)
    assert sum(indexed) >= 4, "imports read only what they touch"
    assert kept_folders, "commits edited a kept folder"
    git(root, "fsck", "--strict")

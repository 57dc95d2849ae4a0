"""The memo of built events: never a stale or wrong event, and the same results as without it."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers import plan_with
from trackplan.importing.run import ImportRequest, run_import
from trackplan.model import Event
from trackplan.repo.cache import EventMemo
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace

UNTITLED = b"description: One body, two files.\ntype: object\nproperties:\n  step: {type: integer}\n"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, check=True, capture_output=True, text=True).stdout.strip()


def commit_files(root: Path, files: dict[str, bytes], message: str) -> str:
    for path, data in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_bytes(data)
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)
    return git(root, "rev-parse", "HEAD")


def fresh_plan(root: Path, ref: str) -> object:
    """The plan at `ref` read without a memo."""
    return Workspace(root).load(ref).plan


def test_one_blob_under_two_paths_gives_each_file_its_own_event(plan_repo: Path) -> None:
    commit = commit_files(
        plan_repo,
        {"events/first-step.yaml": UNTITLED, "events/nested/second-step.yml": UNTITLED, "events/third.json": UNTITLED},
        "one body, three files",
    )
    ws = Workspace(plan_repo, memo=EventMemo())
    loaded = ws.load(commit)
    blobs = {loaded.blob_ids[p] for p in ("events/first-step.yaml", "events/nested/second-step.yml")}
    assert len(blobs) == 1
    assert [loaded.event(n).name for n in ("first-step", "second-step", "third")] == [  # type: ignore[union-attr]
        "first-step",
        "second-step",
        "third",
    ]
    assert ws.load(commit).plan == loaded.plan == fresh_plan(plan_repo, commit)


def test_two_refs_edited_apart_read_their_own_events(plan_repo: Path) -> None:
    base = git(plan_repo, "rev-parse", "HEAD")
    path = plan_repo / "events" / "signed-up.yaml"
    original = path.read_bytes()
    git(plan_repo, "checkout", "-q", "-b", "left")
    left = commit_files(
        plan_repo, {"events/signed-up.yaml": original.replace(b"description:", b"description: Left.", 1)}, "left"
    )
    git(plan_repo, "checkout", "-q", "-b", "right", base)
    right = commit_files(
        plan_repo, {"events/signed-up.yaml": original.replace(b"description:", b"description: Right.", 1)}, "right"
    )
    ws = Workspace(plan_repo, memo=EventMemo())
    for _ in range(2):  # the second round reads every event from the memo
        for ref in (base, left, right, WORKTREE):
            assert ws.load(ref).plan == fresh_plan(plan_repo, ref)
    descriptions = [ws.load(ref).event("Signed Up").description[:6] for ref in (left, right)]  # type: ignore[union-attr]
    assert descriptions == ["Left. ", "Right."]


def test_an_edit_in_the_work_tree_is_read_and_so_is_its_undoing(plan_repo: Path) -> None:
    ws = Workspace(plan_repo, memo=EventMemo())
    path = plan_repo / "events" / "signed-up.yaml"
    original = path.read_bytes()
    before = ws.load(WORKTREE).event("Signed Up")
    path.write_bytes(original.replace(b"description:", b"description: Edited.", 1))
    edited = ws.load(WORKTREE).event("Signed Up")
    path.write_bytes(original)
    assert before is not None and edited is not None
    assert edited.description.startswith("Edited.")
    assert ws.load(WORKTREE).event("Signed Up") == before != edited


def test_entries_no_recent_load_used_are_built_again() -> None:
    memo = EventMemo(loads=2)
    builds: list[str] = []

    def build(name: str) -> Event:
        builds.append(name)
        return Event(name=name)

    memo.loaded()
    memo.event("events/a.yaml", "blob-a", lambda: build("a"))
    memo.event("events/b.yaml", "blob-b", lambda: build("b"))
    memo.add_titles({"blob-a": "A"})
    for _ in range(2):  # two loads use a, none uses b or the title
        memo.loaded()
        assert memo.event("events/a.yaml", "blob-a", lambda: build("a")).name == "a"
    memo.loaded()
    assert memo.has_event("events/a.yaml", "blob-a") and not memo.has_event("events/b.yaml", "blob-b")
    assert memo.titles(["blob-a"]) == {}
    memo.event("events/b.yaml", "blob-b", lambda: build("b"))
    assert builds == ["a", "b", "b"]


def one_event(i: int, props: int) -> bytes:
    properties = {f"prop_{k}": {"type": "string", "description": f"Changed {i}."} for k in range(props)}
    return json.dumps(
        {"schema": {"events": {f"Imported {i % 3}": {"type": "object", "properties": properties}}}}
    ).encode()


def test_imports_through_one_long_lived_handle_match_imports_through_fresh_ones(tmp_path: Path) -> None:
    plan_with(tmp_path / "kept", 12, n_props=3)
    kept = Workspace(tmp_path / "kept", memo=EventMemo())
    plan_with(tmp_path / "fresh", 12, n_props=3)
    for i in range(8):
        branch, method = ("left", "addAndUpdate") if i % 2 else ("right", "addUpdateAndRemove")
        request = ImportRequest(one_event(i, i % 4), "one.json", "jsonschema", method, branch=branch)
        fresh = Workspace(tmp_path / "fresh")
        a, b = run_import(kept, request), run_import(fresh, request)
        assert (a.result, a.changed_paths, a.diff) == (b.result, b.changed_paths, b.diff)
        trees = [git(tmp_path / name, "rev-parse", f"{branch}^{{tree}}") for name in ("kept", "fresh")]
        assert trees[0] == trees[1]
        assert kept.load(branch).plan == fresh.load(branch).plan

"""The sharded events layout: events/<xx>/<slug>.yaml, and moving a plan between layouts."""

from __future__ import annotations

import subprocess
from pathlib import Path, PurePosixPath

import pygit2
import pytest

from tests.helpers import CliRunnerCall, plan_with
from tests.repo.test_layout import HOSTILE
from trackplan.errors import InputError
from trackplan.model import Event, Plan, Settings
from trackplan.repo.paths import event_path, shard
from trackplan.repo.refs import WORKTREE
from trackplan.repo.relayout import moves
from trackplan.repo.workspace import Workspace
from trackplan.repo.writing import plan_files

SHARDED = Settings(events_layout="sharded")


@pytest.mark.parametrize("name", HOSTILE)
def test_sharded_paths_stay_two_levels_below_events(name: str) -> None:
    path = PurePosixPath(event_path(name, sharded=True))
    assert path.parts[0] == "events" and len(path.parts) == 3
    assert path.parts[1] == shard(path.stem) and len(path.parts[1]) == 2
    assert ".." not in path.parts and path.stem == path.stem.lower()


def test_names_that_slug_alike_get_distinct_sharded_files() -> None:
    plan = Plan(settings=SHARDED, events=tuple(Event(n) for n in ["Sign Up", "sign_up", "SIGN UP"]))
    changes, warnings = plan_files(None, plan)
    event_files = [p for p in changes if p.startswith("events/")]
    assert len({p.lower() for p in event_files}) == 3 and len(warnings) == 2
    assert f"events/{shard('sign-up')}/sign-up.yaml" in event_files


def test_unknown_layout_is_refused_naming_the_key() -> None:
    with pytest.raises(ValueError, match="events_layout: 'deep'"):
        Settings.from_json({"events_layout": "deep"})


def test_flat_settings_stay_unwritten_and_sharded_round_trips() -> None:
    assert "events_layout" not in Settings().to_json()
    assert Settings.from_json(SHARDED.to_json()) == SHARDED


def test_a_sharded_plan_reads_the_same_from_a_ref_and_the_work_tree(tmp_path: Path) -> None:
    ws, commit = plan_with(tmp_path / "p", 40, "sharded", n_props=4)
    loaded = ws.load(commit)
    assert len(loaded.plan.events) == 40
    assert all(len(PurePosixPath(p).parts) == 3 for p in loaded.event_paths.values())
    assert ws.load(WORKTREE).plan == loaded.plan


def test_one_change_in_a_sharded_plan_rewrites_one_shard(tmp_path: Path) -> None:
    ws, commit = plan_with(tmp_path / "p", 60, "sharded", n_props=4)
    before = ws.load(commit)
    events = list(before.plan.events)
    events[7] = events[7].replace(description="Changed.")
    result = ws.commit_plan("main", commit, before, before.plan.replace(events=tuple(events)), "one")
    assert result.commit is not None
    repo = ws.store.repo
    old_events = repo[commit].peel(pygit2.Tree)["events"].peel(pygit2.Tree)
    new_events = repo[result.commit].peel(pygit2.Tree)["events"].peel(pygit2.Tree)
    old_ids = {e.name: e.id for e in old_events}
    changed_shards = {e.name for e in new_events if old_ids.get(e.name) != e.id}
    assert changed_shards == {PurePosixPath(result.changed_paths[0]).parts[1]}


def test_layout_command_moves_files_unchanged_and_back(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    subprocess.run(["git", "checkout", "-q", "-b", "big"], cwd=plan_repo, check=True)
    flat = sorted(p.name for p in (plan_repo / "events").iterdir())
    ws = Workspace(plan_repo)
    before = ws.load("HEAD")

    result = run_cli("-C", plan_repo, "layout", "sharded")
    assert result.exit_code == 0, result.output
    after = Workspace(plan_repo).load("HEAD")
    assert after.plan.events == before.plan.events
    assert after.plan.settings.events_layout == "sharded"
    # Same bytes under new paths: git sees renames and history follows each event.
    assert sorted(after.blob_ids[p] for p in after.event_paths.values()) == sorted(
        before.blob_ids[p] for p in before.event_paths.values()
    )
    assert sorted(p.name for p in (plan_repo / "events").glob("*/*.yaml")) == flat
    settings_diff = subprocess.run(
        ["git", "diff", "HEAD~1", "HEAD", "--", "trackplan.yaml"], cwd=plan_repo, capture_output=True, text=True
    ).stdout
    assert [line for line in settings_diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")] == [
        "+events_layout: sharded"
    ]
    renames = subprocess.run(
        ["git", "diff", "--name-status", "-M", "HEAD~1", "HEAD", "--", "events"],
        cwd=plan_repo,
        capture_output=True,
        text=True,
    ).stdout.splitlines()
    assert len(renames) == len(flat) and all(line.startswith("R100") for line in renames)

    assert "already uses" in run_cli("-C", plan_repo, "layout", "sharded").output
    assert run_cli("-C", plan_repo, "layout", "flat").exit_code == 0
    assert sorted(p.name for p in (plan_repo / "events").iterdir()) == flat  # emptied shards are gone
    assert subprocess.run(["git", "status", "--porcelain"], cwd=plan_repo, capture_output=True).stdout == b""


def test_layout_command_refuses_a_protected_branch(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    head = Workspace(plan_repo).store.resolve("HEAD")
    result = run_cli("-C", plan_repo, "layout", "sharded", "--branch", "main")
    assert result.exit_code == 3 and "--branch layout/main-update" in result.output
    assert Workspace(plan_repo).store.resolve("main") == head


def test_flattening_refuses_two_files_that_would_meet() -> None:
    with pytest.raises(InputError, match="events/b/Started.yaml and events/a/started.yaml would both become"):
        moves(["events/a/started.yaml", "events/b/Started.yaml"], sharded=False)
    assert moves(["events/x.yaml", "trackplan.yaml"], sharded=True) == {"events/x.yaml": f"events/{shard('x')}/x.yaml"}


def test_events_in_folders_people_made_are_read(plan_repo: Path) -> None:
    folder = plan_repo / "events" / "checkout"
    folder.mkdir()
    (plan_repo / "events" / "checkout-completed.yaml").rename(folder / "completed.yaml")
    loaded = Workspace(plan_repo).load(WORKTREE)
    assert loaded.event_paths["Checkout Completed"] == "events/checkout/completed.yaml"


def test_layout_on_a_new_branch_starts_it_at_main(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """As the README's example runs it: the branch does not exist yet."""
    result = run_cli("-C", plan_repo, "layout", "sharded", "--branch", "plan/shard")
    assert result.exit_code == 0, result.output
    log = subprocess.run(
        ["git", "log", "--format=%s", "plan/shard"], cwd=plan_repo, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    main = subprocess.run(["git", "log", "--format=%s", "main"], cwd=plan_repo, capture_output=True, text=True).stdout
    assert log == ["Move event files to the sharded layout", *main.splitlines()]

"""Writes to the checked-out branch check every obstacle before the ref moves; new branches
come with their first commit; lost compare-and-swaps are retried; file modes follow the umask."""

from __future__ import annotations

import os
import stat
import subprocess
import threading
from pathlib import Path

import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan.errors import ConcurrentUpdateError, DirtyWorktreeError
from trackplan.repo import atomic
from trackplan.repo.atomic import atomic_write
from trackplan.repo.git.store import GitStore
from trackplan.repo.workspace import retried

STANDARD = DATA / "import" / "good" / "standard.json"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def feature(plan_repo: Path) -> Path:
    """The plan with an unprotected branch checked out: imports write to the work tree."""
    git(plan_repo, "checkout", "-q", "-b", "feature")
    return plan_repo


def state(repo: Path) -> tuple[str, str]:
    return git(repo, "rev-parse", "HEAD"), git(repo, "status", "--porcelain", "--ignored")


@pytest.mark.parametrize(
    ("obstacle", "named"),
    [
        ("events-is-a-file", "is in the way of events/button-clicked.yaml"),
        ("folder-in-place", "uncommitted edits in events/merged.yaml"),
        ("index-lock", "index.lock exists: another git command is running"),
    ],
)
def test_an_obstacle_in_the_work_tree_is_refused_before_the_ref_moves(
    obstacle: str, named: str, feature: Path, run_cli: CliRunnerCall
) -> None:
    if obstacle == "events-is-a-file":
        git(feature, "rm", "-q", "-r", "events")
        git(feature, "commit", "-q", "-m", "no events")
        (feature / "events").write_text("in the way\n")
    elif obstacle == "folder-in-place":
        (feature / "events" / "merged.yaml").mkdir()
    else:
        (feature / ".git" / "index.lock").write_text("")
    before = state(feature)
    result = run_cli("-C", feature, "import", STANDARD)
    assert result.exit_code == 3
    assert named in result.stderr and len(result.stderr.splitlines()) == 1
    assert state(feature) == before


@pytest.mark.parametrize("edit", ["chmod +x", "symlink"])
def test_a_mode_change_or_a_symlink_counts_as_an_uncommitted_edit(edit: str, feature: Path) -> None:
    event = feature / "events" / "signed-up.yaml"
    if edit == "chmod +x":
        event.chmod(event.stat().st_mode | stat.S_IXUSR)
    else:
        event.unlink()
        event.symlink_to(feature / "trackplan.yaml")
    store = GitStore(feature)
    before = state(feature)
    assert store.dirty_paths(store.resolve("HEAD"), ["events/signed-up.yaml"]) == ["events/signed-up.yaml"]
    with pytest.raises(DirtyWorktreeError, match="^uncommitted edits in events/signed-up.yaml;"):
        store.commit_changes("feature", store.resolve("HEAD"), {"events/signed-up.yaml": b"title: X\n"}, "overwrite")
    assert state(feature) == before


def test_a_failed_import_into_a_new_branch_leaves_no_branch(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object) -> None:
        raise ConcurrentUpdateError("branch 'import/x' is locked by another writer")

    monkeypatch.setattr(GitStore, "_compare_and_swap", refuse)
    result = run_cli("-C", plan_repo, "import", STANDARD, "--branch", "import/x")
    assert result.exit_code == 3
    assert GitStore(plan_repo).branch_head("import/x") is None


def test_a_new_branch_records_its_base_for_the_merged_branch_guard(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    base = GitStore(plan_repo).resolve("HEAD")
    assert run_cli("-C", plan_repo, "import", STANDARD, "--branch", "import/x").exit_code == 0
    store = GitStore(plan_repo)
    assert store.branch_creation_point("import/x") == base
    git(plan_repo, "merge", "-q", "--ff-only", "import/x")
    again = run_cli("-C", plan_repo, "import", DATA / "import" / "good" / "itly.json", "--branch", "import/x")
    assert (again.exit_code, again.stderr) == (
        3,
        "trackplan: error: branch 'import/x' is already merged into 'main'; write to a new branch with --branch\n",
    )


def test_a_lost_compare_and_swap_is_prepared_again() -> None:
    attempts: list[int] = []

    def write() -> str:
        attempts.append(1)
        if len(attempts) < 3:
            raise ConcurrentUpdateError("moved")
        return "landed"

    assert (retried(write), len(attempts)) == ("landed", 3)
    attempts.clear()
    with pytest.raises(ConcurrentUpdateError):
        retried(write, attempts=2)  # the last refusal is the caller's
    assert len(attempts) == 2


def test_a_refusal_that_is_not_a_lost_race_is_not_retried() -> None:
    attempts: list[int] = []

    def write() -> None:
        attempts.append(1)
        raise DirtyWorktreeError("uncommitted edits")

    with pytest.raises(DirtyWorktreeError):
        retried(write)
    assert len(attempts) == 1


def test_new_files_follow_the_umask_and_rewritten_files_keep_their_mode(tmp_path: Path) -> None:
    old = os.umask(0o027)
    atomic._umask.cache_clear()  # the umask is read once per process
    try:
        atomic_write(tmp_path / "new.html", b"new")
        kept = tmp_path / "kept.yaml"
        kept.write_bytes(b"old")
        kept.chmod(0o604)
        atomic_write(kept, b"rewritten")
    finally:
        os.umask(old)
        atomic._umask.cache_clear()
    assert stat.S_IMODE((tmp_path / "new.html").stat().st_mode) == 0o640
    assert (stat.S_IMODE(kept.stat().st_mode), kept.read_bytes()) == (0o604, b"rewritten")


def test_codegen_into_a_fifo_writes_into_it_and_leaves_it_a_fifo(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    """`-o /dev/null` once replaced the device with a plain file: a target that is not a
    regular file is written in place."""
    (tmp_path / "out").mkdir()
    fifo = tmp_path / "out" / "tracking.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    result = run_cli("-C", plan_repo, "codegen", "--lang", "ts", "-o", fifo)
    reader.join(10)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert received == [run_cli("-C", plan_repo, "codegen", "--lang", "ts").stdout_bytes]
    assert [p.name for p in fifo.parent.iterdir()] == ["tracking.fifo"]  # no temporary file left

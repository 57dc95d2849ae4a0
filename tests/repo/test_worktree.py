"""Reading the work tree through git's index: a file the stat cache vouches for is not read,
and every file it cannot vouch for is, with the same verdict `git status` gives, racy
timestamps included."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pygit2
import pytest

from trackplan.repo.git.objects import hash_blob
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace

EVENT = "events/product-viewed.yaml"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def git_sees_modified(repo: Path, path: str) -> bool:
    return any(line[3:] == path for line in git(repo, "status", "--porcelain").splitlines())


def hashed(root: Path) -> dict[str, str]:
    """The plan files on disk, every one read and hashed."""
    files = {"trackplan.yaml", "identify.yaml", "group.yaml"} | {
        p.relative_to(root).as_posix() for p in (root / "events").rglob("*")
    }
    return {p: hash_blob((root / p).read_bytes()) for p in sorted(files) if (root / p).is_file()}


def same_size_edit(file: Path) -> None:
    """Change the file's bytes in place, keeping its size and its mtime to the nanosecond."""
    before = file.stat()
    data = file.read_bytes()
    with open(file, "r+b") as handle:
        handle.write(b"X" + data[1:])
    os.utime(file, ns=(before.st_atime_ns, before.st_mtime_ns))


def test_a_clean_work_tree_reads_no_file(plan_repo: Path) -> None:
    ws = Workspace(plan_repo)
    known = ws.store.worktree_files("")
    assert known is not None
    assert known.unsure == []
    assert ws.plan_blobs(WORKTREE) == ws.plan_blobs("HEAD") == hashed(plan_repo)


def test_edited_untracked_ignored_and_deleted_files_are_read(plan_repo: Path) -> None:
    (plan_repo / ".gitignore").write_text("events/ignored.yaml\nevents/ignored-folder/\n")
    (plan_repo / EVENT).write_text((plan_repo / EVENT).read_text() + "# edited\n")
    (plan_repo / "events/new.yaml").write_text("name: New\n")
    (plan_repo / "events/ignored.yaml").write_text("name: Ignored\n")
    for folder in ("events/untracked-folder", "events/ignored-folder"):
        (plan_repo / folder).mkdir()
        (plan_repo / folder / "deep.yaml").write_text(f"name: {folder}\n")
    (plan_repo / "events/search-performed.yaml").unlink()
    ws = Workspace(plan_repo)
    known = ws.store.worktree_files("")
    assert known is not None
    assert EVENT in known.unsure and "events/untracked-folder/" in known.unsure
    blobs = ws.plan_blobs(WORKTREE)
    assert blobs == hashed(plan_repo)
    assert "events/search-performed.yaml" not in blobs
    assert {"events/ignored-folder/deep.yaml", "events/untracked-folder/deep.yaml", "events/ignored.yaml"} <= set(blobs)


def test_a_staged_file_has_the_index_id(plan_repo: Path) -> None:
    (plan_repo / EVENT).write_text((plan_repo / EVENT).read_text() + "# staged\n")
    git(plan_repo, "add", EVENT)
    ws = Workspace(plan_repo)
    known = ws.store.worktree_files("")
    assert known is not None
    assert known.unsure == []
    assert known.clean[EVENT] == hash_blob((plan_repo / EVENT).read_bytes())
    assert ws.plan_blobs(WORKTREE) == hashed(plan_repo)


@pytest.mark.parametrize("racy", [True, False])
def test_a_same_size_edit_with_the_same_mtime_is_judged_as_git_judges_it(plan_repo: Path, racy: bool) -> None:
    """git trusts the stat data only for entries older than the index file; an entry as new
    as the index ("racily clean") is hashed. With core.trustctime off, the stat data of a
    same-size, same-mtime, same-inode edit is unchanged: only the racy check can see it."""
    git(plan_repo, "config", "core.trustctime", "false")
    git(plan_repo, "update-index", "--refresh")
    file = plan_repo / EVENT
    index = plan_repo / ".git" / "index"
    entry_mtime = file.stat().st_mtime_ns
    index_mtime = entry_mtime if racy else entry_mtime + 10 * 10**9
    os.utime(index, ns=(index_mtime, index_mtime))
    same_size_edit(file)
    assert git_sees_modified(plan_repo, EVENT) is racy
    os.utime(index, ns=(index_mtime, index_mtime))  # git status may have rewritten the index
    blobs = Workspace(plan_repo).plan_blobs(WORKTREE)
    assert (blobs[EVENT] == hash_blob(file.read_bytes())) is racy


def test_a_same_size_edit_changes_the_ctime_which_git_trusts(plan_repo: Path) -> None:
    same_size_edit(plan_repo / EVENT)
    assert git_sees_modified(plan_repo, EVENT)
    assert Workspace(plan_repo).plan_blobs(WORKTREE) == hashed(plan_repo)


def test_without_a_readable_index_every_file_is_hashed(plan_repo: Path) -> None:
    (plan_repo / EVENT).write_text((plan_repo / EVENT).read_text() + "# edited\n")
    (plan_repo / ".git" / "index").write_bytes(b"not an index")
    ws = Workspace(plan_repo)
    assert ws.store.worktree_files("") is None
    assert ws.plan_blobs(WORKTREE) == hashed(plan_repo)


def test_a_plan_in_a_folder_of_a_larger_repository(tmp_path: Path, plan_repo: Path) -> None:
    outer = tmp_path / "app"
    (outer / "src").mkdir(parents=True)
    (outer / "src" / "main.py").write_text("print('app')\n")
    os.rename(plan_repo / ".git", tmp_path / "plan-git")
    os.rename(plan_repo, outer / "tracking")
    pygit2.init_repository(str(outer))
    git(outer, "add", ".")
    git(outer, "commit", "-qm", "app and plan")
    edited = outer / "tracking" / EVENT
    edited.write_text(edited.read_text() + "# edited\n")
    ws = Workspace(outer / "tracking")
    known = ws.store.worktree_files("tracking/")
    assert known is not None
    assert known.unsure == [f"tracking/{EVENT}"]
    assert ws.plan_blobs(WORKTREE) == hashed(outer / "tracking")


def test_a_symlinked_event_is_not_followed(plan_repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text("name: Outside\n")
    (plan_repo / "events/linked.yaml").symlink_to(outside)
    git(plan_repo, "add", "events/linked.yaml")
    git(plan_repo, "commit", "-qm", "a symlink")
    assert "events/linked.yaml" not in Workspace(plan_repo).plan_blobs(WORKTREE)


def test_a_plan_folder_git_does_not_track_yet_is_read_whole(tmp_path: Path, plan_repo: Path) -> None:
    outer = tmp_path / "app"
    (outer / "src").mkdir(parents=True)
    (outer / "src" / "main.py").write_text("print('app')\n")
    pygit2.init_repository(str(outer))
    git(outer, "add", ".")
    git(outer, "commit", "-qm", "the app")
    os.rename(plan_repo / ".git", tmp_path / "plan-git")
    os.rename(plan_repo, outer / "tracking")
    ws = Workspace(outer / "tracking")
    known = ws.store.worktree_files("tracking/")
    assert known is not None
    assert known.unsure == ["tracking/"]
    assert ws.plan_blobs(WORKTREE) == hashed(outer / "tracking")

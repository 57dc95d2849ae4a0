"""What `log` keeps (each commit's changes in the blob cache, whole outputs as files) reads back
exactly what comparing the commits again gives, on real histories: merges, renames, a
comment-only edit, a file that is no event, a plan in a subfolder, a rewritten history."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.diffing.history import HistoryEntry, LogRequest, history
from trackplan.exporting import outputs
from trackplan.repo.cache import cache_file
from trackplan.repo.git.tree_diffs import tree_diffs
from trackplan.repo.workspace import Workspace


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def rows(entries: list[HistoryEntry]) -> list[tuple[object, ...]]:
    return [
        (e.commit, e.author, e.time, e.summary, e.added, e.updated, e.removed, e.renamed, e.other_files)
        for e in entries
    ]


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def busy_history(repo: Path, plan: Path) -> None:
    """On top of the template's plan: an event renamed in place, then moved to a new file; a
    comment-only edit; a file that does not read as an event; a branch merged with --no-ff
    while the trunk moved on; a settings change; an event removed."""
    events = plan / "events"
    cancelled = events / "subscription-cancelled.yaml"
    cancelled.write_text(cancelled.read_text().replace("title: Subscription Cancelled", "title: Subscription Ended"))
    commit_all(repo, "Rename in place")
    (events / "subscription-closed.yaml").write_text(
        cancelled.read_text()
        .replace("title: Subscription Ended", "title: Subscription Closed")
        .replace("x-status: draft", "x-status: live")
    )
    cancelled.unlink()
    commit_all(repo, "Move, rename and mark live")
    signed_up = events / "signed-up.yaml"
    signed_up.write_text("# owned by Growth\n" + signed_up.read_text())
    commit_all(repo, "Comment only")
    (events / "broken.yaml").write_text("title: [unclosed\n")
    commit_all(repo, "A file that is no event")
    trunk = git(repo, "branch", "--show-current").strip()
    git(repo, "switch", "-qc", "feature", "HEAD~1")
    (events / "feature-used.yaml").write_text("title: Feature Used\ndescription: A feature was used.\n")
    commit_all(repo, "Add Feature Used")
    git(repo, "switch", "-q", trunk)
    settings = plan / "trackplan.yaml"
    settings.write_text(settings.read_text() + "breaking_profile: validation\n")
    commit_all(repo, "Settings")
    git(repo, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature")
    (events / "search-performed.yaml").unlink()
    commit_all(repo, "Drop Search Performed")


def fresh(plan: Path, request: LogRequest) -> list[HistoryEntry]:
    """The entries with nothing kept: every commit compared."""
    shutil.rmtree(Workspace(plan).store.git_dir / "trackplan", ignore_errors=True)
    return history(Workspace(plan), request)


def stored(plan: Path, request: LogRequest, monkeypatch: pytest.MonkeyPatch) -> list[HistoryEntry]:
    """The entries read back from what an earlier log kept: no commit compared."""
    ws = Workspace(plan)
    with monkeypatch.context() as patched:
        patched.setattr(ws.store, "diff_trees", lambda *_: pytest.fail("a kept commit was compared again"))
        return history(ws, request)


@pytest.fixture
def subfolder_plan(tmp_path: Path, run_cli: CliRunnerCall) -> Path:
    """A plan in the folder `analytics/` of a repository that holds other files."""
    repo = tmp_path / "mono"
    repo.mkdir()
    git(repo, "init", "-q")
    (repo / "README.md").write_text("an app\n")
    commit_all(repo, "App")
    result = run_cli("init", repo / "analytics", "--name", "Mono plan")
    assert result.exit_code == 0, result.output
    return repo / "analytics"


@pytest.mark.parametrize("where", ["root", "subfolder"])
def test_stored_entries_are_the_compared_ones(
    where: str, plan_repo: Path, subfolder_plan: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    plan = plan_repo if where == "root" else subfolder_plan
    busy_history(plan if where == "root" else plan.parent, plan)
    compared = fresh(plan, LogRequest())
    assert [(e.summary, e.added, e.updated, e.removed, e.renamed, e.other_files) for e in compared[:6]] == [
        ("Drop Search Performed", [], [], ["Search Performed"], [], []),
        ("Merge feature", ["Feature Used"], [], [], [], []),
        ("Settings", [], [], [], [], ["trackplan.yaml"]),
        ("A file that is no event", ["events/broken.yaml"], [], [], [], []),
        (
            "Move, rename and mark live",
            [],
            ["Subscription Closed"],
            [],
            [("Subscription Ended", "Subscription Closed")],
            [],
        ),
        ("Rename in place", [], [], [], [("Subscription Cancelled", "Subscription Ended")], []),
    ]
    assert [e.summary.split()[0] for e in compared[6:]] == ["Create"]
    assert rows(stored(plan, LogRequest(), monkeypatch)) == rows(compared)
    for request in (LogRequest(ref="feature"), LogRequest(event="Subscription Closed"), LogRequest(limit=2, offset=1)):
        expected = fresh(plan, request)
        assert rows(stored(plan, request, monkeypatch)) == rows(expected)


def test_a_rewritten_history_is_compared_where_it_changed(plan_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Dropping a commit from the middle gives every later one a new id (a new parent): those
    are compared again, the ones before it are read back, and the log is a fresh one's."""
    busy_history(plan_repo, plan_repo)
    history(Workspace(plan_repo), LogRequest())
    comment_only = git(plan_repo, "log", "--format=%H", "--grep", "Comment only").strip()
    git(plan_repo, "rebase", "-q", "--rebase-merges", "--onto", f"{comment_only}~1", comment_only)
    signed_up = plan_repo / "events" / "signed-up.yaml"
    signed_up.write_text(signed_up.read_text().replace("is confirmed", "is live"))
    git(plan_repo, "commit", "-q", "--amend", "-am", "Drop Search Performed, edit Signed Up")
    compared: list[str | None] = []
    ws = Workspace(plan_repo)
    real = ws.store.diff_trees

    def counted(old: str | None, new: str | None) -> list[tuple[str, str | None, str | None]]:
        compared.append(new)
        return real(old, new)

    monkeypatch.setattr(ws.store, "diff_trees", counted)
    rewritten = history(ws, LogRequest())
    assert len(compared) == 4  # the amended commit, the merge and the two commits replayed on its first-parent line
    assert rows(rewritten) == rows(fresh(plan_repo, LogRequest()))
    assert (rewritten[0].summary, rewritten[0].updated, rewritten[0].removed) == (
        "Drop Search Performed, edit Signed Up",
        ["Signed Up"],
        ["Search Performed"],
    )


def odd_entries(repo: Path) -> None:
    """Commits of what a tree comparison must get right: a mode change alone, a symlink, a file
    that becomes a folder, a subfolder added and removed, a name with a space and accents."""
    events = repo / "events"
    (events / "signed-up.yaml").chmod(0o755)
    commit_all(repo, "Executable")
    (events / "link.yaml").symlink_to("signed-up.yaml")
    (events / "événement ü.yaml").write_text("title: Événement\n")
    commit_all(repo, "A symlink and an accented name")
    (events / "link.yaml").unlink()
    (events / "link.yaml").write_text("title: Link\n")
    (events / "00").mkdir()
    (events / "00" / "sharded.yaml").write_text("title: Sharded\n")
    commit_all(repo, "The symlink becomes a file; a subfolder")
    shutil.rmtree(events / "00")
    (events / "00").write_text("not a folder any more\n")
    commit_all(repo, "The subfolder becomes a file")


@pytest.mark.parametrize("history_of", [busy_history, lambda repo, _: odd_entries(repo)])
def test_one_git_pass_compares_as_the_store_does(history_of: Callable[[Path, Path], None], plan_repo: Path) -> None:
    history_of(plan_repo, plan_repo)
    ws = Workspace(plan_repo)
    pairs = []
    for info in ws.store.iter_commits("HEAD"):
        parent = ws.store.subtree_id(info.parents[0], ws.prefix) if info.parents else None
        pairs.append((parent, ws.store.subtree_id(info.id, ws.prefix)))
    by_store = [[c for c in ws.store.diff_trees(old, new) if c[1] != c[2]] for old, new in pairs]
    assert tree_diffs(plan_repo, pairs) == by_store
    assert sum(map(len, by_store)) > len(pairs)


def test_without_git_the_store_compares(plan_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    busy_history(plan_repo, plan_repo)
    odd_entries(plan_repo)
    with_git = fresh(plan_repo, LogRequest())
    monkeypatch.setenv("PATH", "")
    store = Workspace(plan_repo).store
    assert tree_diffs(plan_repo, [(None, store.subtree_id(store.resolve("HEAD"), ""))]) is None
    assert rows(fresh(plan_repo, LogRequest())) == rows(with_git)


def test_a_new_code_version_drops_the_changes_older_code_stored(
    plan_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    busy_history(plan_repo, plan_repo)

    def stored() -> set[str]:
        with sqlite3.connect(cache_file(plan_repo / ".git")) as db:
            return {row[0].split("/")[1] for row in db.execute("SELECT key FROM fragments WHERE key LIKE 'log/%'")}

    first = rows(history(Workspace(plan_repo), LogRequest()))
    assert stored() == {outputs.code_digest()[:24]}
    monkeypatch.setattr(outputs, "code_digest", lambda: "b" * 64)
    assert rows(history(Workspace(plan_repo), LogRequest())) == first
    assert stored() == {"b" * 24}

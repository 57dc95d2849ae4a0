"""A default `diff` answered from git's index (`worktree_state`) prints what the full diff
prints, on real repositories in every state a work tree can be in: empty without reading the
plan only when nothing the diff reads differs from the base, otherwise read on just the
paths git lists."""

from __future__ import annotations

import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.ci.review import source_text_at
from trackplan.diffing import ranges
from trackplan.diffing.ranges import parse_range, worktree_state
from trackplan.diffing.run import changed_blobs
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace

FORMATS = ("text", "json", "markdown", "github", "sarif")
EVENT = "events/signed-up.yaml"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def commit_all(repo: Path, message: str) -> None:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)


def app_with_plan(tmp_path: Path, run_cli: CliRunnerCall) -> Path:
    """An app's repository, one commit on main, with a plan made in its folder `analytics`."""
    app = tmp_path / "app"
    app.mkdir()
    git(app, "init", "-q", "-b", "main")
    (app / "src.py").write_text("print('app')\n")
    commit_all(app, "app")
    assert run_cli("init", app / "analytics", "--name", "App plan").exit_code == 0
    return app


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def outputs(
    run_cli: CliRunnerCall, args: tuple[str | Path, ...], formats: tuple[str, ...]
) -> list[tuple[int, str, str]]:
    """(exit code, stdout, stderr) of `diff` in each format."""
    results = [run_cli(*args, "diff", "--format", fmt, "--fail-on", "warning") for fmt in formats]
    return [(r.exit_code, r.stdout, r.stderr) for r in results]


def assert_same_as_full_diff(
    monkeypatch: pytest.MonkeyPatch, run_cli: CliRunnerCall, *args: str | Path, formats: tuple[str, ...] = FORMATS
) -> list[tuple[int, str, str]]:
    """`diff`'s output in each format, asserted equal to the full diff's (git's index not asked)."""
    quick = outputs(run_cli, args, formats)
    with monkeypatch.context() as patched:
        patched.setattr(ranges, "worktree_state", lambda cwd, plan_dir, profile: None)
        full = outputs(run_cli, args, formats)
    assert quick == full
    return quick


# Each state: (what it does to the plan repository, whether git's index answers the diff).
def clean(repo: Path) -> None:
    pass


def not_plan_files_changed(repo: Path) -> None:
    (repo / "notes.txt").write_text("untracked, not a plan file\n")
    edit(repo / "README.md", "#", "# Edited")
    (repo / ".gitignore").write_text("build/\n*.log\n")
    commit_all(repo, "ignore build output")
    (repo / "build").mkdir()
    (repo / "build" / "out.yaml").write_text("ignored, outside events/\n")
    (repo / "events" / "debug.log").write_text("ignored, not YAML\n")


def feature_branch_at_main(repo: Path) -> None:
    git(repo, "checkout", "-qb", "docs")
    edit(repo / "README.md", "#", "# Edited")
    commit_all(repo, "docs")
    git(repo, "checkout", "-q", "main")
    git(repo, "checkout", "-qb", "feature")  # the merge base is HEAD


def edited_event(repo: Path) -> None:
    edit(repo / EVENT, "required: [signup_method, plan]", "required: [signup_method]")


def staged_then_reverted(repo: Path) -> None:
    original = (repo / EVENT).read_text()
    edited_event(repo)
    git(repo, "add", EVENT)
    (repo / EVENT).write_text(original)


def untracked_event(repo: Path) -> None:
    (repo / "events" / "new-event.yaml").write_text((repo / EVENT).read_text().replace("Signed Up", "New Event"))


def untracked_event_folder(repo: Path) -> None:
    (repo / "events" / "drafts").mkdir()
    (repo / "events" / "drafts" / "new-event.yaml").write_text(
        (repo / EVENT).read_text().replace("Signed Up", "New Event")
    )


def ignored_event(repo: Path) -> None:
    (repo / ".gitignore").write_text("events/local-*.yaml\n")
    commit_all(repo, "ignore local events")
    (repo / "events" / "local-event.yaml").write_text((repo / EVENT).read_text().replace("Signed Up", "Local Event"))


def deleted_event(repo: Path) -> None:
    (repo / EVENT).unlink()


def renamed_event(repo: Path) -> None:
    git(repo, "mv", EVENT, "events/registered.yaml")


def conflicted_event(repo: Path) -> None:
    git(repo, "checkout", "-qb", "ours")
    edit(repo / EVENT, "required: [signup_method, plan]", "required: [signup_method]")
    commit_all(repo, "ours")
    git(repo, "checkout", "-q", "-b", "theirs", "main")
    edit(repo / EVENT, "required: [signup_method, plan]", "required: [plan]")
    commit_all(repo, "theirs")
    git(repo, "checkout", "-q", "ours")
    merge = ["git", "-c", "merge.trackplan.driver=false", "merge", "-q", "theirs"]  # a conflict left unresolved
    assert subprocess.run(merge, cwd=repo, capture_output=True).returncode == 1


def committed_on_feature(repo: Path) -> None:
    git(repo, "checkout", "-qb", "feature")
    edited_event(repo)
    commit_all(repo, "feature")


def settings_edited(repo: Path) -> None:
    edit(repo / "trackplan.yaml", "destinations:", "destinations:\n  - name: Mixpanel")


def identify_deleted(repo: Path) -> None:
    (repo / "identify.yaml").unlink()


def tracking_plans_folder(repo: Path) -> None:
    (repo / "tracking-plans").mkdir()
    (repo / "tracking-plans" / "notes.txt").write_text("not a tracking plan\n")


def unknown_profile(repo: Path) -> None:
    edit(repo / "trackplan.yaml", "breaking_profile: validation", "breaking_profile: strict")
    commit_all(repo, "an unknown profile")


def unreadable_settings(repo: Path) -> None:
    edit(repo / "trackplan.yaml", "main_branch: main", "main_branch: [")


def main_branch_missing(repo: Path) -> None:
    git(repo, "branch", "-m", "main", "trunk")


def no_merge_base(repo: Path) -> None:
    git(repo, "checkout", "-q", "--orphan", "other")
    commit_all(repo, "the same files, no common history")


EMPTY, LISTED, FULL = "empty", "listed", "full"
"""How a default diff runs: answered empty from git's index, read on the paths git lists,
or read in full (git could not tell)."""

STATES: list[tuple[Callable[[Path], None], str]] = [
    (clean, EMPTY),
    (not_plan_files_changed, EMPTY),
    (feature_branch_at_main, EMPTY),
    (edited_event, LISTED),
    (staged_then_reverted, LISTED),
    (untracked_event, LISTED),
    (untracked_event_folder, LISTED),
    (ignored_event, LISTED),
    (deleted_event, LISTED),
    (renamed_event, LISTED),
    (conflicted_event, LISTED),
    (committed_on_feature, LISTED),
    (settings_edited, LISTED),
    (identify_deleted, LISTED),
    (tracking_plans_folder, LISTED),
    (main_branch_missing, FULL),
    (no_merge_base, FULL),
]


def assert_runs(expected: str, cwd: Path, plan_dir: Path | None = None) -> None:
    """`diff` runs as `expected` says, and the paths git lists give the changed files the
    full listing of both sides gives."""
    state = worktree_state(cwd, plan_dir, None)
    runs = FULL if state is None else EMPTY if state.unchanged else LISTED
    assert runs == expected
    if state is not None:
        ws = Workspace(cwd, plan_dir)
        assert parse_range(ws, None, None) == state.span
        listed = changed_blobs(ws, state.span.base, WORKTREE, state.listed)
        assert listed == changed_blobs(ws, state.span.base, WORKTREE)
        if runs == EMPTY:
            assert listed == ({}, {})
        blobs = ws.plan_blobs(WORKTREE)  # a report's source text of the work tree: the files the listing has
        for path in sorted({*listed[1], EVENT, "tracking-plans/notes.txt"}):
            expected_text = ws.read_blob(blobs[path]).decode() if path in blobs else None
            assert source_text_at(ws, WORKTREE)(path) == expected_text


@pytest.mark.parametrize(("state", "expected"), STATES, ids=[s.__name__ for s, _ in STATES])
def test_root_plan(
    plan_repo: Path,
    run_cli: CliRunnerCall,
    monkeypatch: pytest.MonkeyPatch,
    state: Callable[[Path], None],
    expected: str,
) -> None:
    state(plan_repo)
    assert_runs(expected, plan_repo)
    assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan_repo)


@pytest.mark.parametrize(("state", "expected"), STATES, ids=[s.__name__ for s, _ in STATES])
def test_plan_in_a_subfolder(
    tmp_path: Path,
    run_cli: CliRunnerCall,
    monkeypatch: pytest.MonkeyPatch,
    state: Callable[[Path], None],
    expected: str,
) -> None:
    app = app_with_plan(tmp_path, run_cli)
    plan = app / "analytics"
    state(plan)
    (app / "src.py").write_text("print('edited, outside the plan')\n")
    (app / "scratch.yaml").write_text("untracked, outside the plan\n")
    assert_runs(expected, app, Path("analytics"))
    assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan, formats=("text", "json"))
    assert_same_as_full_diff(monkeypatch, run_cli, "-C", app, "--plan-dir", "analytics", formats=("json",))


def test_commits_beside_the_plan(tmp_path: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    """A branch whose commits change only files outside the plan's folder has the plan of
    its merge base: the diff is empty and names that merge base."""
    app = tmp_path / "app"
    app.mkdir()
    git(app, "init", "-q", "-b", "main")
    assert run_cli("init", app / "analytics", "--name", "App plan").exit_code == 0
    merge_base = git(app, "rev-parse", "HEAD").strip()
    git(app, "checkout", "-qb", "feature")
    (app / "src.py").write_text("print('app')\n")
    commit_all(app, "app code")
    state = worktree_state(app / "analytics", None, None)
    assert state is not None and state.unchanged
    assert (state.span.base, state.path_prefix, state.listed) == (merge_base, "analytics/", ())
    text = assert_same_as_full_diff(monkeypatch, run_cli, "-C", app / "analytics")[0][1]
    assert text.startswith(f"main (merge base {merge_base[:12]}) -> work tree: 0 events changed")


def test_commits_in_the_plan_folder(plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    """A commit to a file of the plan's folder that is not a plan file: git's index cannot
    say the plan is the base's, the full diff does (and finds nothing)."""
    git(plan_repo, "checkout", "-qb", "docs")
    edit(plan_repo / "README.md", "#", "# Edited")
    commit_all(plan_repo, "docs")
    state = worktree_state(plan_repo, None, None)
    assert state is not None and not state.unchanged and state.listed == ()
    text = assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan_repo)[0][1]
    assert text.endswith("No changes.\n")


def test_clean_work_tree_output(plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    merge_base = git(plan_repo, "rev-parse", "HEAD").strip()
    text = assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan_repo)[0]
    assert text == (
        0,
        f"main (merge base {merge_base[:12]}) -> work tree: 0 events changed, 0 breaking, 0 warnings, 0 info\n"
        "No changes.\n",
        "",
    )


def test_errors_are_the_full_diffs(plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    unknown_profile(plan_repo)
    code, _, stderr = assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan_repo)[0]
    assert code == 2
    assert "breaking_profile 'strict' is not one of validation, consumer" in stderr
    git(plan_repo, "checkout", "-q", "HEAD~1", "--", "trackplan.yaml")
    unreadable_settings(plan_repo)
    code, _, stderr = assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan_repo)[0]
    assert code == 2 and stderr.startswith("trackplan: error: trackplan.yaml:") and "invalid YAML" in stderr


def test_profile_option(plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    quick = run_cli("-C", plan_repo, "diff", "--profile", "consumer", "--format", "json")
    with monkeypatch.context() as patched:
        patched.setattr(ranges, "worktree_state", lambda cwd, plan_dir, profile: None)
        full = run_cli("-C", plan_repo, "diff", "--profile", "consumer", "--format", "json")
    assert (quick.exit_code, quick.stdout) == (full.exit_code, full.stdout) == (0, full.stdout)
    assert '"changedEvents": []' in quick.stdout


def test_hook_environment_is_not_followed(
    plan_repo: Path, tmp_path: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hook's GIT_INDEX_FILE names another index: pygit2 reads the repository's own, and
    so does the question to git."""
    other = tmp_path / "other-index"
    monkeypatch.setenv("GIT_INDEX_FILE", str(other))
    state = worktree_state(plan_repo, None, None)
    assert state is not None and state.unchanged
    assert not other.exists()


def test_replace_refs_are_not_followed(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    """libgit2 reads no refs/replace/: git is asked without them, so a replaced HEAD is
    still the HEAD pygit2 reads."""
    git(plan_repo, "checkout", "-qb", "replacement")
    edited_event(plan_repo)
    commit_all(plan_repo, "the replacement")
    replacement = git(plan_repo, "rev-parse", "HEAD").strip()
    git(plan_repo, "checkout", "-q", "main")
    git(plan_repo, "replace", "main", replacement)
    state = worktree_state(plan_repo, None, None)
    assert state is not None and state.unchanged
    assert_same_as_full_diff(monkeypatch, run_cli, "-C", plan_repo, formats=("text",))

"""`trackplan diff` answered before click loads (cli/quick.py) prints what the click path
prints, byte for byte and with its exit code, on real repositories: every work-tree state,
every argument list it takes, and the ones it leaves to click (errors included). Both run
as whole processes: the `trackplan` script, and the click group in a process of its own."""

from __future__ import annotations

import marshal
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from tests.diffing.test_clean_worktree import (
    EMPTY,
    STATES,
    app_with_plan,
    commit_all,
    edit,
    edited_event,
    git,
    unknown_profile,
)
from tests.helpers import CliRunnerCall
from trackplan.repo import settings_memo

SCRIPT = str(Path(sys.executable).with_name("trackplan"))
CLICK = "from trackplan.cli.app import cli; cli(prog_name='trackplan')"
LOADED = (
    "import atexit, sys; atexit.register(lambda: print(*sorted(sys.modules), sep='\\n', file=sys.stderr));"
    " from trackplan.cli import main; main()"
)
NOT_LOADED = ("click", "pygit2", "sqlite3", "yaml", "typing", "subprocess", "pathlib", "dataclasses")
"""What the quick path must not load: each costs a process more than the whole answer's Python."""

Outcome = tuple[int, str, str]


def run(argv: list[str], cwd: Path, env: Mapping[str, str] | None) -> Outcome:
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, done.stderr


def click_path(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Outcome:
    return run([sys.executable, "-c", CLICK, *args], cwd, env)


def script(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Outcome:
    return run([SCRIPT, *args], cwd, env)


def answered_quickly(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> bool:
    modules = run([sys.executable, "-c", LOADED, *args], cwd, env)[2].split()
    return "click" not in modules


def assert_same(cwd: Path, *args: str, env: Mapping[str, str] | None = None) -> Outcome:
    """The script's outcome, asserted equal to the click path's, which runs first: it keeps the
    settings the quick path recalls."""
    full = click_path(cwd, *args, env=env)
    quick = script(cwd, *args, env=env)
    assert quick == full
    return quick


@pytest.mark.parametrize(("state", "expected"), STATES, ids=[s.__name__ for s, _ in STATES])
def test_every_work_tree_state(plan_repo: Path, state: Callable[[Path], None], expected: str) -> None:
    state(plan_repo)
    assert_same(plan_repo, "diff")
    assert answered_quickly(plan_repo, "diff") == (expected == EMPTY)


def test_a_plan_in_a_subfolder(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    app = app_with_plan(tmp_path, run_cli)
    merge_base = git(app, "rev-parse", "HEAD").strip()
    git(app, "checkout", "-qb", "feature")
    (app / "src.py").write_text("print('edited, outside the plan')\n")
    commit_all(app, "app code")
    (app / "scratch.yaml").write_text("untracked, outside the plan\n")
    for cwd in (app / "analytics", app / "analytics" / "events"):
        code, out, _ = assert_same(cwd, "diff")
        assert (code, out.split(" -> ")[0]) == (0, f"main (merge base {merge_base[:12]})")
        assert answered_quickly(cwd, "diff")
    code, _, err = assert_same(app, "diff")  # no trackplan.yaml at or above the repository's root
    assert code == 2 and "no trackplan.yaml in" in err


TAKEN = [
    ["--format", "text"],
    ["--format=text"],
    ["--fail-on", "breaking"],
    ["--fail-on=warning", "--color", "always"],
    ["--color=never", "--fail-on", "never"],
    ["--profile", "consumer", "--format", "text", "--fail-on", "breaking", "--color", "auto"],
]
LEFT_TO_CLICK = [
    ["--format", "json"],
    ["--format", "markdown"],
    ["--format", "sarif"],
    ["--format", "text", "--format", "text"],
    ["--fail-on"],
    ["--fail-on", "Breaking"],
    ["--color=sometimes"],
    ["--fix-versions"],
    ["main"],
    ["--", "main"],
    ["--help"],
    ["--bogus"],
]


@pytest.mark.parametrize("args", TAKEN, ids=" ".join)
def test_the_options_taken(plan_repo: Path, args: list[str]) -> None:
    assert_same(plan_repo, "diff", *args)
    assert answered_quickly(plan_repo, "diff", *args)


@pytest.mark.parametrize("args", LEFT_TO_CLICK, ids=" ".join)
def test_the_arguments_left_to_click(plan_repo: Path, args: list[str]) -> None:
    assert_same(plan_repo, "diff", *args)
    assert not answered_quickly(plan_repo, "diff", *args)


def test_global_options_and_completion_are_click_s(plan_repo: Path) -> None:
    assert_same(plan_repo, "diff")  # the settings are kept: only the arguments send these to click
    for args in (["-C", str(plan_repo), "diff"], ["--debug", "diff"], ["--plan-dir", ".", "diff"]):
        assert_same(plan_repo, *args)
        assert not answered_quickly(plan_repo, *args)
    completing = {
        **os.environ,
        "_TRACKPLAN_COMPLETE": "bash_complete",
        "COMP_WORDS": "trackplan diff --f",
        "COMP_CWORD": "2",
    }
    code, out, _ = assert_same(plan_repo, "diff", env=completing)
    assert (code, out) == (0, "plain,--format\nplain,--fail-on\nplain,--fix-versions\n")
    assert not answered_quickly(plan_repo, "diff", env=completing)


def test_the_first_diff_keeps_the_settings_the_next_one_recalls(plan_repo: Path) -> None:
    assert not answered_quickly(plan_repo, "diff")  # nothing kept yet: the full read runs, and keeps them
    assert answered_quickly(plan_repo, "diff")
    assert_same(plan_repo, "diff")


def test_settings_changed_since_they_were_kept(plan_repo: Path) -> None:
    assert_same(plan_repo, "diff")
    unknown_profile(plan_repo)  # committed: the work tree is clean, the kept bytes are not these
    code, _, err = assert_same(plan_repo, "diff")
    assert code == 2 and "breaking_profile 'strict' is not one of validation, consumer" in err
    edit(plan_repo / "trackplan.yaml", "main_branch: main", "main_branch: [")
    commit_all(plan_repo, "unreadable settings")
    code, _, err = assert_same(plan_repo, "diff")
    assert code == 2 and err.startswith("trackplan: error: trackplan.yaml:") and "invalid YAML" in err
    assert not answered_quickly(plan_repo, "diff")


def test_another_main_branch(plan_repo: Path) -> None:
    assert_same(plan_repo, "diff")
    git(plan_repo, "branch", "-m", "main", "trunk")
    edit(plan_repo / "trackplan.yaml", "main_branch: main", "main_branch: trunk")
    commit_all(plan_repo, "trunk")
    assert_same(plan_repo, "diff")
    code, out, _ = assert_same(plan_repo, "diff")
    assert code == 0 and out.startswith("trunk (merge base ")
    assert answered_quickly(plan_repo, "diff")


def test_a_label_of_forty_characters(plan_repo: Path) -> None:
    """A base label as long as a commit id is printed whole, by both paths."""
    branch = "release-2026.1"  # 14 characters: "release-2026.1 (merge base 123456789abc)" is 40
    git(plan_repo, "branch", "-m", "main", branch)
    edit(plan_repo / "trackplan.yaml", "main_branch: main", f"main_branch: {branch}")
    commit_all(plan_repo, "a long main branch")
    merge_base = git(plan_repo, "rev-parse", "HEAD").strip()
    code, out, _ = assert_same(plan_repo, "diff")
    assert (code, out.split(" -> ")[0]) == (0, f"{branch} (merge base {merge_base[:12]})")
    assert answered_quickly(plan_repo, "diff")


def test_no_plan_no_repository_no_git(tmp_path: Path, plan_repo: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    code, _, err = assert_same(empty, "diff")
    assert code == 2 and "no trackplan.yaml in" in err
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "trackplan.yaml").write_bytes((plan_repo / "trackplan.yaml").read_bytes())
    code, _, err = assert_same(outside, "diff")
    assert code == 2 and err.startswith("trackplan: error: ")
    assert_same(plan_repo, "diff")
    no_git = {**os.environ, "PATH": str(empty)}  # pygit2 answers where git cannot be run
    code, out, _ = assert_same(plan_repo, "diff", env=no_git)
    assert code == 0 and out.endswith("No changes.\n")
    assert not answered_quickly(plan_repo, "diff", env=no_git)


def logged_git(tmp_path: Path) -> tuple[dict[str, str], Path]:
    """An environment whose `git` logs each command line to a file, then runs git."""
    folder, log = tmp_path / "bin", tmp_path / "git.log"
    folder.mkdir()
    real = shutil.which("git")
    assert real is not None
    (folder / "git").write_text(f'#!/bin/sh\necho "$*" >> {log}\nexec {real} "$@"\n')
    (folder / "git").chmod(0o755)
    return {**os.environ, "PATH": f"{folder}{os.pathsep}{os.environ['PATH']}"}, log


def test_a_changed_work_tree_asks_git_once(plan_repo: Path, tmp_path: Path) -> None:
    """The quick path hands what git said to the full diff of the same process."""
    env, log = logged_git(tmp_path)
    assert_same(plan_repo, "diff")
    edited_event(plan_repo)
    code, out, _ = assert_same(plan_repo, "diff", env=env)  # the click path, then the script
    assert code == 0 and "1 event changed" in out
    asked = [line.split(" ", 3)[2] for line in log.read_text().splitlines()]
    assert sorted(asked) == [
        "--no-optional-locks",
        "--no-optional-locks",
        "merge-base",
        "merge-base",
        "rev-parse",
        "rev-parse",
    ]


def test_a_hook_s_index_is_not_followed(plan_repo: Path, tmp_path: Path) -> None:
    hook = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / "other-index"), "GIT_DIR": str(tmp_path)}
    assert_same(plan_repo, "diff")
    code, out, _ = assert_same(plan_repo, "diff", env=hook)
    assert code == 0 and out.endswith("No changes.\n")
    assert answered_quickly(plan_repo, "diff", env=hook)
    assert not (tmp_path / "other-index").exists()


def test_a_reader_that_has_gone(plan_repo: Path) -> None:
    assert_same(plan_repo, "diff")
    outcomes = []
    for argv in ([SCRIPT, "diff"], [sys.executable, "-c", CLICK, "diff"]):
        read, write = os.pipe()
        os.close(read)
        done = subprocess.run(argv, cwd=plan_repo, stdout=write, stderr=subprocess.PIPE, check=False)
        os.close(write)
        outcomes.append((done.returncode, done.stderr))
    assert outcomes == [(1, b""), (1, b"")]


def test_the_quick_path_loads_no_click_pygit2_sqlite3_or_yaml(plan_repo: Path) -> None:
    assert_same(plan_repo, "diff")
    modules = set(run([sys.executable, "-c", LOADED, "diff"], plan_repo, None)[2].split())
    assert [m for m in NOT_LOADED if m in modules] == []
    assert sorted(m for m in modules if m.startswith("trackplan")) == [
        "trackplan",
        "trackplan.cli",
        "trackplan.cli.quick",
        "trackplan.diffing",
        "trackplan.diffing.clean",
        "trackplan.errors",
        "trackplan.repo",
        "trackplan.repo.git",
        "trackplan.repo.git.command",
        "trackplan.repo.git.worktree",
        "trackplan.repo.paths",
        "trackplan.repo.plan_folder",
        "trackplan.repo.settings_memo",
    ]


def test_the_memo_holds_the_bytes_and_the_code(plan_repo: Path) -> None:
    git_dir, root = str(plan_repo / ".git"), str(plan_repo)
    data = (plan_repo / "trackplan.yaml").read_bytes()
    assert settings_memo.recall(git_dir, root) is None
    settings_memo.remember(git_dir, root, data + b"# not what the file holds\n", "main")
    assert settings_memo.recall(git_dir, root) is None
    settings_memo.remember(git_dir, root, data, "main")
    assert settings_memo.recall(git_dir, root) == "main"
    memo = plan_repo / ".git" / "trackplan" / settings_memo.NAME
    form, code, kept, main = marshal.loads(memo.read_bytes())
    assert (form, kept, main) == (settings_memo.FORMAT, data, "main")
    assert settings_memo.__file__ in [file for file, _, _ in code]
    (file, size, mtime), *rest = code
    memo.write_bytes(marshal.dumps((form, ((file, size, mtime + 1), *rest), kept, main)))
    assert settings_memo.recall(git_dir, root) is None  # the code that read it has changed since
    memo.write_bytes(b"not a memo")
    assert settings_memo.recall(git_dir, root) is None
    (plan_repo / "trackplan.yaml").unlink()
    (plan_repo / "trackplan.yaml").symlink_to(plan_repo / "README.md")
    assert settings_memo.settings_bytes(root) is None

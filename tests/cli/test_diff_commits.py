"""What a whole `trackplan diff A B` process loads: a diff of two commits git can name opens
no repository with pygit2 (`diffing.commits`); one git cannot answer alike still does."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

# What a process loaded, one module name a line on stderr at its exit; its stdout as it is.
LOADED = (
    "import atexit, sys; atexit.register(lambda: print(*sorted(sys.modules), sep='\\n', file=sys.stderr));"
    " from trackplan.cli import main; main()"
)


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def diff_process(repo: Path, *args: str) -> tuple[int, str, set[str]]:
    """(exit code, stdout, the modules loaded) of a whole `trackplan -C REPO diff ARGS` process."""
    command = [sys.executable, "-c", LOADED, "-C", str(repo), "diff", *args]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    return done.returncode, done.stdout, set(done.stderr.split())


def feature_branch(repo: Path) -> None:
    git(repo, "checkout", "-qb", "feature")
    event = repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("required: [signup_method, plan]", "required: [signup_method]"))
    git(repo, "commit", "-qam", "plan optional")


def test_a_diff_of_two_commits_loads_no_pygit2(plan_repo: Path) -> None:
    feature_branch(plan_repo)
    diff_process(plan_repo, "main", "feature")  # fills the blob cache
    for args in (("main", "feature"), ("main..feature",), ("main...feature", "--format", "sarif")):
        code, out, modules = diff_process(plan_repo, *args)
        assert code == 0, out
        assert "TP027" in out
        assert "pygit2" not in modules
        assert "trackplan.repo.git.store" not in modules
        assert "yaml" not in modules  # both sides' documents were in the cache
        assert ("subprocess" in modules) == ("sarif" in args)  # git is fed stdin only for the file texts sarif shows
        assert "trackplan.diffing.commits" in modules


def test_a_cold_diff_of_two_commits_parses_without_pygit2(plan_repo: Path) -> None:
    feature_branch(plan_repo)
    code, out, modules = diff_process(plan_repo, "main", "feature", "--fail-on", "warning")
    assert (code, out.splitlines()[0]) == (1, "main -> feature: 1 event changed, 0 breaking, 2 warnings, 0 info")
    assert "yaml" in modules and "pygit2" not in modules


def test_what_git_cannot_answer_alike_opens_the_repository(plan_repo: Path) -> None:
    feature_branch(plan_repo)
    code, out, modules = diff_process(plan_repo, "main@{0}", "feature")
    assert code == 0 and "TP027" in out
    assert "pygit2" in modules
    code, out, modules = diff_process(plan_repo, "main", "nosuch")
    assert (code, out) == (2, "")
    assert "pygit2" in modules

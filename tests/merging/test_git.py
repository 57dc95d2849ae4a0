"""The merge verbs on real repositories: the driver under `git merge`, `resolve` after a plain
`git merge`, `merge` in a bare repository, and the setup that routes plan files to the driver."""

from __future__ import annotations

import shlex
import subprocess
import sys
from pathlib import Path

import pygit2

from tests.helpers import CliRunnerCall

EVENT = "events/checkout-completed.yaml"


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)


def edit(root: Path, branch: str, start: str, *replacements: tuple[str, str]) -> None:
    """A commit on a new branch from `start` with text replacements in the event file."""
    assert git(root, "checkout", "-q", "-b", branch, start).returncode == 0
    file = root / EVENT
    text = file.read_text()
    for old, new in replacements:
        assert old in text
        text = text.replace(old, new)
    file.write_text(text)
    assert git(root, "commit", "-q", "-am", f"Edit on {branch}").returncode == 0


ENUM = "enum: [card, paypal, apple_pay, invoice]"
VERSION = "x-version: 2-0-0"


def two_enum_values(root: Path) -> None:
    edit(root, "plan/klarna", "main", (ENUM, ENUM.replace("]", ", klarna]")), (VERSION, "x-version: 2-0-1"))
    edit(root, "plan/ideal", "main", (ENUM, ENUM.replace("]", ", ideal]")), (VERSION, "x-version: 2-0-1"))


def test_init_routes_plan_files_to_this_installation(plan_repo: Path) -> None:
    config = pygit2.Repository(str(plan_repo)).config
    assert config["merge.trackplan.driver"] == f"{shlex.quote(sys.executable)} -m trackplan merge-driver %O %A %B %L %P"
    assert "events/**/*.yaml merge=trackplan\n" in (plan_repo / ".gitattributes").read_text()
    assert git(plan_repo, "status", "--porcelain").stdout == ""


def test_git_merge_with_the_driver_keeps_comments_and_bumps_once(plan_repo: Path) -> None:
    two_enum_values(plan_repo)
    done = git(plan_repo, "merge", "--no-edit", "plan/klarna")
    assert done.returncode == 0, done.stdout + done.stderr
    text = (plan_repo / EVENT).read_text()
    assert text.startswith("# Revenue reporting reads this event: changes need a Payments review.\n")
    assert "    enum: [card, paypal, apple_pay, invoice, ideal, klarna]\n" in text
    assert "x-version: 2-0-1\n" in text
    assert git(plan_repo, "status", "--porcelain").stdout == ""


def test_a_conflict_marks_just_the_key_and_exits_1(plan_repo: Path) -> None:
    edit(plan_repo, "plan/one", "main", ("Order identifier.", "Order id, one."), (ENUM, ENUM.replace("]", ", a]")))
    edit(plan_repo, "plan/two", "main", ("Order identifier.", "Order id, two."))
    done = git(plan_repo, "merge", "--no-edit", "plan/one")
    assert done.returncode == 1
    assert (
        "trackplan: conflict: events/checkout-completed.yaml: properties.order_id.description: changed " in done.stderr
    )
    text = (plan_repo / EVENT).read_text()
    block = "<<<<<<< ours\n    description: Order id, two.\n=======\n    description: Order id, one.\n>>>>>>> theirs\n"
    assert block in text
    assert text.count("<<<<<<<") == 1
    assert "    enum: [card, paypal, apple_pay, invoice, a]\n" in text


def test_the_driver_exit_status_with_markers_of_the_given_size(plan_repo: Path, tmp_path: Path) -> None:
    files = []
    for name, text in (
        ("base", "title: X\ndescription: a\n"),
        ("ours", "title: X\ndescription: b\n"),
        ("theirs", "title: X\ndescription: c\n"),
    ):
        files.append(tmp_path / name)
        files[-1].write_text(text)
    driver = [sys.executable, "-m", "trackplan", "merge-driver", *map(str, files), "3", "events/x.yaml"]
    done = subprocess.run(driver, cwd=plan_repo, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert files[1].read_text() == "title: X\n<<< ours\ndescription: b\n===\ndescription: c\n>>> theirs\n"
    files[1].write_text("not: [yaml\n")  # does not parse: git merge-file merges it, with its status
    done = subprocess.run(driver, cwd=plan_repo, capture_output=True, text=True, check=False)
    assert done.returncode == 1
    assert files[1].read_text().startswith("<<< ours\nnot: [yaml\n")


def test_resolve_after_a_plain_git_merge(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert git(plan_repo, "config", "--remove-section", "merge.trackplan").returncode == 0
    two_enum_values(plan_repo)
    assert git(plan_repo, "merge", "--no-edit", "plan/klarna").returncode == 1  # git's line merge
    warned = run_cli("-C", plan_repo, "validate")
    assert "trackplan: warning: .gitattributes sends plan files to the trackplan merge driver" in warned.stderr
    result = run_cli("-C", plan_repo, "resolve")
    assert result.exit_code == 0, result.output
    assert result.stdout == f"resolved {EVENT}\n"
    assert git(plan_repo, "diff", "--name-only", "--diff-filter=U").stdout == ""
    assert git(plan_repo, "commit", "--no-edit", "-q").returncode == 0
    text = (plan_repo / EVENT).read_text()
    assert "    enum: [card, paypal, apple_pay, invoice, ideal, klarna]\n" in text
    assert "x-version: 2-0-1\n" in text
    assert run_cli("-C", plan_repo, "resolve").exit_code == 2  # nothing left to resolve


def test_resolve_lists_what_it_cannot_resolve(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert git(plan_repo, "config", "--remove-section", "merge.trackplan").returncode == 0
    edit(plan_repo, "plan/one", "main", ("Order identifier.", "Order id, one."))
    edit(plan_repo, "plan/two", "main", ("Order identifier.", "Order id, two."))
    assert git(plan_repo, "merge", "--no-edit", "plan/one").returncode == 1
    result = run_cli("-C", plan_repo, "resolve")
    assert result.exit_code == 1
    assert result.stderr == (
        "trackplan: conflict: events/checkout-completed.yaml: properties.order_id.description: "
        'changed differently on both sides ("Order id, two." / "Order id, one.")\n'
    )
    assert git(plan_repo, "diff", "--name-only", "--diff-filter=U").stdout == f"{EVENT}\n"


def bare_clone(plan_repo: Path, tmp_path: Path) -> Path:
    bare = tmp_path / "plan.git"
    assert git(tmp_path, "clone", "-q", "--bare", str(plan_repo), str(bare)).returncode == 0
    return bare


def test_merge_in_a_bare_repository(plan_repo: Path, tmp_path: Path, run_cli: CliRunnerCall) -> None:
    two_enum_values(plan_repo)
    bare = bare_clone(plan_repo, tmp_path)
    repo = pygit2.Repository(str(bare))
    before = repo.revparse_single("plan/ideal").id
    result = run_cli("-C", bare, "--plan-dir", ".", "merge", "plan/klarna", "--into", "plan/ideal", "-m", "Both")
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"merged {EVENT}\nMerged plan/klarna into 'plan/ideal' (commit ")
    commit = repo.revparse_single("plan/ideal").peel(pygit2.Commit)
    assert commit.message == "Both\n"
    assert commit.parent_ids == [before, repo.revparse_single("plan/klarna").id]
    text = repo[commit.tree[EVENT].id].peel(pygit2.Blob).data.decode()
    assert "    enum: [card, paypal, apple_pay, invoice, ideal, klarna]\n" in text
    assert "x-version: 2-0-1\n" in text
    again = run_cli("-C", bare, "--plan-dir", ".", "merge", "plan/klarna", "--into", "plan/ideal")
    assert again.stdout == "plan/klarna is already merged into 'plan/ideal'; nothing to commit.\n"


def test_merge_into_the_checked_out_branch_updates_the_work_tree(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    two_enum_values(plan_repo)  # leaves plan/ideal checked out
    result = run_cli("-C", plan_repo, "merge", "plan/klarna", "--into", "plan/ideal")
    assert result.exit_code == 0, result.output
    assert "    enum: [card, paypal, apple_pay, invoice, ideal, klarna]\n" in (plan_repo / EVENT).read_text()
    assert git(plan_repo, "status", "--porcelain").stdout == ""


def test_merge_refuses_conflicts_and_protected_targets(plan_repo: Path, tmp_path: Path, run_cli: CliRunnerCall) -> None:
    edit(plan_repo, "plan/one", "main", ("Order identifier.", "Order id, one."))
    edit(plan_repo, "plan/two", "main", ("Order identifier.", "Order id, two."))
    bare = bare_clone(plan_repo, tmp_path)
    repo = pygit2.Repository(str(bare))
    heads = {name: str(repo.revparse_single(name).id) for name in ("main", "plan/one", "plan/two")}
    result = run_cli("-C", bare, "--plan-dir", ".", "merge", "plan/one", "--into", "plan/two")
    assert result.exit_code == 3
    assert result.stderr == (
        "trackplan: conflict: events/checkout-completed.yaml: properties.order_id.description: "
        'changed differently on both sides ("Order id, two." / "Order id, one.")\n'
        "trackplan: error: 1 conflict left, so no merge commit was written; resolve them on a branch and merge that\n"
    )
    protected = run_cli("-C", bare, "--plan-dir", ".", "merge", "plan/one", "--into", "main")
    assert protected.exit_code == 3
    assert "branch 'main' is protected" in protected.stderr
    assert {name: str(repo.revparse_single(name).id) for name in heads} == heads
    allowed = run_cli("-C", bare, "--plan-dir", ".", "merge", "plan/one", "--into", "main", "--allow-protected")
    assert allowed.exit_code == 0, allowed.output
    assert repo.revparse_single("main").peel(pygit2.Commit).parent_ids[1] == repo.revparse_single("plan/one").id


def test_setup_merge_driver_in_a_fresh_clone(plan_repo: Path, tmp_path: Path, run_cli: CliRunnerCall) -> None:
    clone = tmp_path / "clone"
    assert git(tmp_path, "clone", "-q", str(plan_repo), str(clone)).returncode == 0
    assert "merge.trackplan.driver" not in pygit2.Repository(str(clone)).config
    result = run_cli("-C", clone, "setup-merge-driver")
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        ".gitattributes: already routes plan files to the driver\ngit config merge.trackplan.driver: set\n"
    )
    assert "merge.trackplan.driver" in pygit2.Repository(str(clone)).config
    assert run_cli("-C", clone, "validate").stderr == ""


def test_ci_warns_when_git_config_lacks_the_driver(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    warning = (
        "::warning::.gitattributes sends plan files to the trackplan merge driver, but this clone's git config "
        "does not declare it; run `trackplan setup-merge-driver`\n"
    )
    assert warning not in run_cli("-C", plan_repo, "ci", "--base", "main").stdout
    assert git(plan_repo, "config", "--remove-section", "merge.trackplan").returncode == 0
    assert warning in run_cli("-C", plan_repo, "ci", "--base", "main").stdout

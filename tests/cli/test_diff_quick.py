"""`trackplan diff A B` of two commits answered before click loads (cli/quick_commits.py)
prints what the click path prints, byte for byte and with its exit code, both run as whole
processes: every argument list it takes, and the ones it leaves to click (errors included)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.cli.quick_commits import ref_label, taken
from trackplan.repo.refs import WORKTREE

SCRIPT = str(Path(sys.executable).with_name("trackplan"))
CLICK = "from trackplan.cli.app import cli; cli(prog_name='trackplan')"
LOADED = (
    "import atexit, os, sys; atexit.register(lambda: open(os.environ['LOADED_TO'], 'w').write('\\n'.join(sys.modules)));"
    " from trackplan.cli import main; main()"
)

Outcome = tuple[int, str, str]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


def run(argv: list[str], cwd: Path, env: Mapping[str, str] | None = None) -> Outcome:
    done = subprocess.run(
        argv, cwd=cwd, env=env, capture_output=True, text=True, errors="backslashreplace", check=False
    )
    return done.returncode, done.stdout, done.stderr


def assert_same(cwd: Path, *args: str, quick: bool = True, env: Mapping[str, str] | None = None) -> Outcome:
    """The script's outcome, asserted equal to the click group's in a process of its own;
    `quick`: whether the script answered before loading click."""
    full = run([sys.executable, "-c", CLICK, *args], cwd, env)
    answer = run([SCRIPT, *args], cwd, env)
    assert answer == full, args
    loaded = cwd.parent / "loaded.txt"
    run([sys.executable, "-c", LOADED, *args], cwd, {**(env or os.environ), "LOADED_TO": str(loaded)})
    modules = set(loaded.read_text().split())
    assert ("click" not in modules) == quick, args
    assert "pygit2" not in modules or not quick
    return answer


@pytest.fixture
def feature(plan_repo: Path) -> Path:
    """Branch `feature` (checked out): a breaking change, a warning, a removal, a rename."""
    git(plan_repo, "checkout", "-qb", "feature")
    events = plan_repo / "events"
    edit(events / "checkout-completed.yaml", "enum: [card, paypal, apple_pay, invoice]", "enum: [card, paypal]")
    edit(events / "signed-up.yaml", "required: [signup_method, plan]", "required: [signup_method]")
    (events / "search-performed.yaml").unlink()
    edit(events / "subscription-cancelled.yaml", "title: Subscription Cancelled", "title: Subscription Ended")
    git(plan_repo, "commit", "-qam", "feature changes")
    return plan_repo


def test_every_format_fail_on_and_profile(feature: Path) -> None:
    for fmt in ("text", "json", "markdown", "sarif"):
        code, out, _ = assert_same(feature, "diff", "main", "feature", "--format", fmt, "--fail-on", "breaking")
        assert code == 1 and out
    for options in (
        ("--fail-on=warning", "--profile=consumer"),
        ("--profile", "validation", "--color", "never"),
        ("--color=auto",),
        (),
    ):
        assert_same(feature, "diff", *options, "main", "feature")
    assert_same(feature, "diff", "main", "feature", "--color", "auto", env={**os.environ, "NO_COLOR": "1"})


def test_ranges_and_refs(feature: Path) -> None:
    git(feature, "tag", "v1", "main")
    for refs in (("main..feature",), ("main...feature",), ("main...",), ("v1", "HEAD~0"), ("feature", "main")):
        code, out, err = assert_same(feature, "diff", *refs)
        assert (code, err) == (0, "") and "Subscription Ended" in out


def test_what_is_left_to_click(feature: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", feature, "plans", "create", "Checkout", "--branch", "plans/checkout")
    assert result.exit_code == 0, result.output
    for args in (
        ("diff", "main", "feature", "--format", "github"),  # its job summary is written after the report
        ("diff", "main", "feature", "--color", "always"),
        ("diff", "main", "feature", "--fix-versions"),
        ("diff", "main", "feature", "--format", "json", "--format", "text"),
        ("diff", "main", "feature", "--format", "yaml"),
        ("diff", "main", "feature", "extra"),
        ("diff", "main", "--", "feature"),
        ("diff", "main", "feature", "-h"),
        ("diff", "main", ""),
        ("diff", "main"),  # the work tree
        ("diff", "main", "nosuch"),
        ("diff", "main@{0}", "feature"),
        ("diff", "main", "plans/checkout"),  # tracking plans
    ):
        assert_same(feature, *args, quick=False)
    code, out, err = assert_same(feature, "diff", "main", "nosuch", quick=False)
    assert (code, out, err) == (2, "", "trackplan: error: unknown ref 'nosuch'\n")


def test_errors_are_the_click_paths(feature: Path) -> None:
    git(feature, "checkout", "-qb", "broken")
    (feature / "events" / "broken.yaml").write_text("title: [unclosed\n")
    edit(feature / "trackplan.yaml", "breaking_profile: validation", "breaking_profile: lenient")
    git(feature, "add", "-A")
    git(feature, "commit", "-qm", "broken")
    code, out, err = assert_same(feature, "diff", "main", "broken", quick=False)
    assert (code, out) == (2, "") and err.startswith("trackplan: error: trackplan.yaml:")


def test_text_click_would_print_otherwise(feature: Path) -> None:
    git(feature, "checkout", "-qb", "odd")
    edit(feature / "events" / "product-viewed.yaml", "title: Product Viewed", "title: Produit Consulté")
    git(feature, "commit", "-qam", "an accent")
    edit(feature / "events" / "signed-up.yaml", "title: Signed Up", 'title: "Signed \\e[31mUp"')
    git(feature, "commit", "-qam", "an escape character")
    _, text, _ = assert_same(feature, "diff", "feature", "odd", quick=False)  # click.echo strips the escape
    assert "renamed to `Signed Up`" in text and "\x1b" not in text
    for fmt in ("json", "sarif"):  # JSON escapes it
        assert "\\u001b" in assert_same(feature, "diff", "feature", "odd", "--format", fmt)[1]
    assert_same(feature, "diff", "feature", "odd", "--format", "markdown", quick=False)
    assert "Produit Consulté" in assert_same(feature, "diff", "feature", "odd~1")[1]
    latin = {**os.environ, "PYTHONIOENCODING": "latin-1"}
    assert_same(feature, "diff", "feature", "odd~1", env=latin, quick=False)


def test_outside_a_plan(tmp_path: Path) -> None:
    (tmp_path / "nowhere").mkdir()
    code, out, err = assert_same(tmp_path / "nowhere", "diff", "main", "feature", quick=False)
    assert (code, out) == (2, "") and "trackplan.yaml" in err


def test_a_reader_that_leaves_exits_1_silently(feature: Path) -> None:
    for argv in ([SCRIPT, "diff", "main", "feature"], [sys.executable, "-c", CLICK, "diff", "main", "feature"]):
        reader, writer = os.pipe()
        os.close(reader)
        done = subprocess.run(argv, cwd=feature, stdout=writer, stderr=subprocess.PIPE, check=False)
        os.close(writer)
        assert (done.returncode, done.stderr) == (1, b""), argv


def test_labels_shorten_only_commit_ids(feature: Path) -> None:
    git(feature, "branch", "release-2026.1", "main")  # 14 characters: its merge-base label has 40
    named = "topic/" + "x" * 34
    git(feature, "branch", named, "feature")
    _, out, _ = assert_same(feature, "diff", "release-2026.1..." + named)
    commit = git(feature, "rev-parse", "main").strip()
    assert out.splitlines()[0].startswith(f"release-2026.1 (merge base {commit[:12]}) -> {named}: ")
    _, out, _ = assert_same(feature, "diff", commit, "feature")
    assert out.startswith(f"{commit[:12]} -> feature: ")
    assert [ref_label(r) for r in (WORKTREE, commit, commit.upper(), "a" * 39)] == [
        "work tree",
        commit[:12],
        commit.upper(),
        "a" * 39,
    ]


def test_argument_lists_taken() -> None:
    defaults = {"--format": "text", "--fail-on": "never", "--profile": None, "--color": "auto"}
    assert taken(["a", "b"]) == (["a", "b"], defaults)
    assert taken(["--format=json", "a..b", "--fail-on", "warning"]) == (
        ["a..b"],
        {**defaults, "--format": "json", "--fail-on": "warning"},
    )
    for args in ([], ["a", "b", "c"], ["a", ""], ["a", "--format"], ["a", "--profile", "x"], ["a", "-"]):
        assert taken(args) is None, args

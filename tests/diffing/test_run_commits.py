"""`diff A B` of two commits answered by the git executable and the blob cache
(`diffing.commits`) prints what the pygit2 path (`run.diff_refs`) prints, byte for byte, with
the same exit code and the same job summary, in every format, on real repositories: ranges,
profiles, settings, traits and contexts, renamed and removed files, odd files, a plan in a
subfolder, cold caches, refs of every kind, and errors. Where git cannot answer alike
(tracking plans, several merge bases, a shallow clone's merge base, refs libgit2 reads its
own way), the pygit2 path answers, and the output is the same too."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.diffing import commits
from trackplan.repo.cache import cache_file

FORMATS = ("text", "json", "markdown", "github", "sarif")
Output = tuple[int, str, str, str]
"""(exit code, stdout, stderr, job summary) of one `diff`."""


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def commit_all(repo: Path, message: str) -> str:
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message)
    return git(repo, "rev-parse", "HEAD").strip()


def edit(file: Path, old: str, new: str) -> None:
    text = file.read_text()
    assert old in text
    file.write_text(text.replace(old, new, 1))


class Runs:
    """`diff` run both ways: the git path, then the pygit2 path, each from the same state."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, run_cli: CliRunnerCall, tmp_path: Path) -> None:
        self.monkeypatch = monkeypatch
        self.run_cli = run_cli
        self.summary = tmp_path / "summary.md"
        self.answered: list[bool] = []
        real = commits.diff_commits

        def spy(*args: object) -> commits.CommitDiff | None:
            try:
                found = real(*args)  # type: ignore[arg-type]
            except Exception:
                self.answered.append(True)  # answered with an error
                raise
            self.answered.append(found is not None)
            return found

        monkeypatch.setattr(commits, "diff_commits", spy)
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(self.summary))

    def once(self, args: tuple[str | Path, ...], cold: Path | None) -> Output:
        if cold is not None:  # the blob cache of the repository (or linked work tree) holding `cold`
            shutil.rmtree(Path(git(cold, "rev-parse", "--absolute-git-dir").strip()) / "trackplan", ignore_errors=True)
        self.summary.write_text("")
        result = self.run_cli(*args)
        return result.exit_code, result.stdout, result.stderr, self.summary.read_text()

    def both(self, args: tuple[str | Path, ...], cold: Path | None = None) -> tuple[list[bool], Output, Output]:
        """(whether the git path answered each call, its output, the pygit2 path's output)."""
        self.answered = []
        quick = self.once(args, cold)
        answered = self.answered
        with self.monkeypatch.context() as patched:
            patched.setattr(commits, "diff_commits", lambda *args: None)
            full = self.once(args, cold)
        return answered, quick, full


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, run_cli: CliRunnerCall, tmp_path: Path) -> Runs:
    return Runs(monkeypatch, run_cli, tmp_path)


def assert_same(
    runs: Runs,
    repo: Path,
    *diff_args: str,
    answered: bool = True,
    formats: tuple[str, ...] = FORMATS,
    cold: bool = False,
    where: tuple[str | Path, ...] | None = None,
) -> list[Output]:
    """`diff DIFF_ARGS` in each format (with --fail-on warning) prints the same both ways;
    `answered`: whether the git path answers it. Returns the outputs."""
    outputs = []
    for fmt in formats:
        args = (*(where or ("-C", repo)), "diff", *diff_args, "--format", fmt, "--fail-on", "warning")
        calls, quick, full = runs.both(args, cold=repo if cold else None)
        assert quick == full, (fmt, diff_args)
        assert calls == [answered], (fmt, diff_args)
        outputs.append(quick)
    return outputs


@pytest.fixture
def feature(plan_repo: Path) -> Path:
    """Branch `feature`: a breaking change, a warning, an addition, a removal, a rename in
    place, a file renamed with its event (paired by x-id), and a new event; checked out."""
    git(plan_repo, "checkout", "-qb", "feature")
    events = plan_repo / "events"
    edit(events / "checkout-completed.yaml", "enum: [card, paypal, apple_pay, invoice]", "enum: [card, paypal]")
    edit(events / "signed-up.yaml", "required: [signup_method, plan]", "required: [signup_method]")
    edit(
        events / "product-viewed.yaml", "required: [product_id", "  referrer:\n    type: string\nrequired: [product_id"
    )
    (events / "search-performed.yaml").unlink()
    edit(events / "subscription-cancelled.yaml", "title: Subscription Cancelled", "title: Subscription Ended")
    moved = (events / "signed-up.yaml").read_text().replace("title: Signed Up", "title: Account Created")
    (events / "signed-up.yaml").unlink()
    (events / "account-created.yaml").write_text(moved)
    (events / "page-shared.yaml").write_text("title: Page Shared\ntype: object\nproperties: {}\n")
    commit_all(plan_repo, "feature changes")
    return plan_repo


def test_two_refs_and_ranges(feature: Path, runs: Runs) -> None:
    for args in (
        ("main", "feature"),
        ("feature", "main"),
        ("main..feature",),
        ("main...feature",),
        ("main..",),
        ("main...",),
        ("feature", "feature"),
    ):
        assert_same(runs, feature, *args)
    [(code, text, _, _)] = assert_same(runs, feature, "main...feature", formats=("text",))
    assert code == 1
    assert text.startswith("main (merge base ")
    assert "event `Signed Up` renamed to `Account Created`" in text
    assert "event `Search Performed` removed" in text
    assert "event `Page Shared` added" in text


def test_fail_on_levels_and_profiles(feature: Path, runs: Runs) -> None:
    for fail_on in ("never", "warning", "breaking"):
        for profile in ((), ("--profile", "consumer"), ("--profile", "validation")):
            args = ("-C", feature, "diff", "main", "feature", "--fail-on", fail_on, *profile)
            calls, quick, full = runs.both(args)
            assert (calls, quick) == ([True], full)
            assert quick[0] == (0 if fail_on == "never" else 1)


def test_settings_traits_and_contexts(plan_repo: Path, runs: Runs) -> None:
    git(plan_repo, "checkout", "-qb", "settings")
    settings = plan_repo / "trackplan.yaml"
    edit(settings, "  - name: backend\n", "  - name: tv\n    destinations: [Segment]\n  - name: backend\n")
    edit(settings, "  - name: Discovery\n", "")
    edit(settings, "breaking_profile: validation", "breaking_profile: consumer")
    edit(plan_repo / "identify.yaml", "required: [email]", "required: [email, plan]")
    (plan_repo / "group.yaml").write_text(
        "title: Group Properties\ntype: object\nproperties:\n  seats:\n    type: integer\n"
    )
    (plan_repo / "contexts").mkdir()
    (plan_repo / "contexts" / "web.yaml").write_text(
        "title: Web Context\ntype: object\nx-source: web\nproperties:\n  page_url:\n    type: string\n"
    )
    commit_all(plan_repo, "settings, traits, a context")
    [(_, text, _, _), *_] = assert_same(runs, plan_repo, "main", "settings")
    assert "source `tv` added" in text and "domain `Discovery` removed" in text
    assert "trackplan.yaml settings changed" in text
    edit(plan_repo / "contexts" / "web.yaml", "type: string", "type: integer")
    commit_all(plan_repo, "the context changes")
    assert_same(runs, plan_repo, "settings~1", "settings")
    assert_same(runs, plan_repo, "settings", "main")


def test_cold_cache_reads_blobs_from_git(feature: Path, runs: Runs) -> None:
    assert_same(runs, feature, "main", "feature", cold=True)
    assert_same(runs, feature, "main...feature", cold=True, formats=("github",))


def test_no_plan_change(plan_repo: Path, runs: Runs) -> None:
    git(plan_repo, "checkout", "-qb", "docs")
    (plan_repo / "notes.txt").write_text("not a plan file\n")
    edit(plan_repo / "events" / "signed-up.yaml", "# The first event", "# Reworded: the first event")
    commit_all(plan_repo, "docs and a comment")
    [(code, text, _, _), *_] = assert_same(runs, plan_repo, "main", "docs")
    assert (code, text) == (0, "main -> docs: 0 events changed, 0 breaking, 0 warnings, 0 info\nNo changes.\n")


def test_refs_of_every_kind(feature: Path, runs: Runs) -> None:
    git(feature, "tag", "v1", "main")
    git(feature, "tag", "-a", "v2", "-m", "annotated", "feature")
    git(feature, "branch", "topic/nested", "feature")
    full = git(feature, "rev-parse", "main").strip()
    for args in (
        ("v1", "v2"),
        (full, "topic/nested"),
        (full[:10], "HEAD"),
        ("feature~1", "feature"),
        ("HEAD^", "HEAD"),
        ("v1..v2",),
        ("v1...topic/nested",),
    ):
        assert_same(runs, feature, *args, formats=("text", "json"))
    for args in (("main@{0}", "feature"), ("HEAD", ":/feature changes"), ("main", "feature^{tree}")):
        assert_same(runs, feature, *args, answered=False, formats=("text",))  # libgit2 reads these


def test_a_tag_named_like_a_branch(feature: Path, runs: Runs) -> None:
    git(feature, "tag", "main", "feature")  # refs/tags/main before refs/heads/main, as git and libgit2 both look
    [(_, text, stderr, _)] = assert_same(runs, feature, "main", "feature", formats=("text",))
    assert (text, stderr) == ("main -> feature: 0 events changed, 0 breaking, 0 warnings, 0 info\nNo changes.\n", "")


def test_errors_are_the_pygit2_paths(feature: Path, runs: Runs) -> None:
    for args in (("nosuch", "feature"), ("main", "nosuch"), ("nosuch..feature",), ("main...nosuch",), ("main...",)):
        answered = args == ("main...",)
        [(code, _, stderr, _)] = assert_same(runs, feature, *args, answered=answered, formats=("text",))
        assert code == (1 if answered else 2)
        assert answered or "unknown ref 'nosuch'" in stderr
    git(feature, "checkout", "-q", "--orphan", "unrelated")
    commit_all(feature, "unrelated history")
    [(code, _, stderr, _)] = assert_same(runs, feature, "main...unrelated", answered=False, formats=("text",))
    assert code == 2 and "have no common ancestor" in stderr


def test_unreadable_files_fail_alike(feature: Path, runs: Runs) -> None:
    git(feature, "checkout", "-qb", "broken")
    (feature / "events" / "page-shared.yaml").write_text("title: [unclosed\n")
    commit_all(feature, "a broken event")
    [(code, _, stderr, _)] = assert_same(runs, feature, "main", "broken", formats=("text",), cold=True)
    assert code == 2 and "events/page-shared.yaml" in stderr
    git(feature, "checkout", "-qb", "bad-settings", "feature")
    edit(feature / "trackplan.yaml", "breaking_profile: validation", "breaking_profile: lenient")
    commit_all(feature, "an unknown profile")
    for cold in (False, True):
        [(code, _, stderr, _)] = assert_same(runs, feature, "main", "bad-settings", formats=("text",), cold=cold)
        assert code == 2 and stderr.startswith("trackplan: error: trackplan.yaml:32:1: breaking_profile 'lenient'")


def test_odd_files(plan_repo: Path, runs: Runs) -> None:
    git(plan_repo, "checkout", "-qb", "odd")
    events = plan_repo / "events"
    (events / "linked.yaml").symlink_to("signed-up.yaml")
    os.chmod(events / "checkout-completed.yaml", 0o755)
    (events / "json-event.json").write_text('{"title": "Json Event", "type": "object", "properties": {}}\n')
    (events / "notes.txt").write_text("not an event\n")
    (events / "café größe.yaml").write_text("title: Café Größe\ntype: object\nx-id: evt_cafe\n")
    commit_all(plan_repo, "a symlink, an executable, a JSON event, a text file")
    assert_same(runs, plan_repo, "main", "odd")
    os.chmod(events / "checkout-completed.yaml", 0o644)
    (events / "json-event.json").write_text('{"title": "Json Event", "type": "object", "x-version": "1-0-0"}\n')
    commit_all(plan_repo, "the mode back, the JSON event changed")
    assert_same(runs, plan_repo, "odd~1", "odd", cold=True)
    assert_same(runs, plan_repo, "main", "odd")


def test_plan_in_a_subfolder(tmp_path: Path, run_cli: CliRunnerCall, runs: Runs) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-qb", "main")
    assert run_cli("init", repo / "analytics" / "plan", "--name", "Nested").exit_code == 0
    git(repo, "checkout", "-qb", "feature")
    plan = repo / "analytics" / "plan"
    edit(plan / "events" / "checkout-completed.yaml", "enum: [card, paypal, apple_pay, invoice]", "enum: [card]")
    (repo / "README.md").write_text("beside the plan\n")
    commit_all(repo, "feature")
    [_, _, _, (_, github, _, _), (_, sarif, _, _)] = assert_same(runs, plan, "main", "feature")
    assert "file=analytics/plan/events/checkout-completed.yaml,line=" in github
    assert "analytics/plan/events/checkout-completed.yaml" in sarif
    assert_same(runs, plan, "main", "feature", where=("-C", repo, "--plan-dir", "analytics/plan"))
    assert_same(runs, plan, "main...feature", where=("-C", plan / "events"))


def test_plan_folder_or_settings_missing_at_a_commit(tmp_path: Path, run_cli: CliRunnerCall, runs: Runs) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-qb", "main")
    (repo / "README.md").write_text("before the plan\n")
    commit_all(repo, "no plan yet")
    (repo / "plan" / "events").mkdir(parents=True)
    (repo / "plan" / "events" / "a.yaml").write_text("title: A\ntype: object\n")
    commit_all(repo, "events before settings")
    shutil.copy(Path(__file__).parents[2] / "plan-template" / "trackplan.yaml", repo / "plan" / "trackplan.yaml")
    edit(repo / "plan" / "events" / "a.yaml", "type: object", "type: object\ndescription: Now described.")
    commit_all(repo, "settings")
    plan = repo / "plan"
    assert_same(runs, plan, "HEAD~2", "HEAD", answered=False)  # no plan folder at the base
    assert_same(runs, plan, "HEAD~1", "HEAD")  # no trackplan.yaml at the base: its defaults


def test_a_linked_work_tree(feature: Path, tmp_path: Path, runs: Runs) -> None:
    linked = tmp_path / "linked"
    git(feature, "worktree", "add", "-q", str(linked), "main")
    assert_same(runs, linked, "main", "feature", cold=True, formats=("text", "github"))
    assert_same(runs, linked, "main...feature", formats=("text",))
    assert cache_file(feature / ".git" / "worktrees" / "linked").is_file()


def test_tracking_plans_take_the_pygit2_path(feature: Path, run_cli: CliRunnerCall, runs: Runs) -> None:
    result = run_cli("-C", feature, "plans", "create", "Checkout", "--branch", "plans/checkout")
    assert result.exit_code == 0, result.output
    assert_same(runs, feature, "main", "plans/checkout", answered=False)
    assert_same(runs, feature, "plans/checkout", "feature", answered=False)
    assert_same(runs, feature, "main", "feature")


def test_several_merge_bases_take_the_pygit2_path(plan_repo: Path, runs: Runs) -> None:
    def change(branch: str, file: str, old: str, new: str) -> None:
        git(plan_repo, "checkout", "-q", branch)
        edit(plan_repo / "events" / file, old, new)
        commit_all(plan_repo, f"{branch}: {file}")

    git(plan_repo, "branch", "a")
    git(plan_repo, "branch", "b")
    change("a", "signed-up.yaml", "x-status: live", "x-status: deprecated")
    change("b", "product-viewed.yaml", "x-version: 1-1-0", "x-version: 1-1-1")
    git(plan_repo, "checkout", "-q", "a")
    git(plan_repo, "merge", "-q", "--no-edit", "b^0")
    git(plan_repo, "checkout", "-q", "b")
    git(plan_repo, "merge", "-q", "--no-edit", "a~1")
    change("a", "search-performed.yaml", "title:", "title:  ")
    change("b", "checkout-completed.yaml", "enum: [card, paypal, apple_pay, invoice]", "enum: [card]")
    assert len(git(plan_repo, "merge-base", "--all", "a", "b").split()) == 2
    assert_same(runs, plan_repo, "a...b", answered=False)
    assert_same(runs, plan_repo, "a..b")


def test_a_shallow_clone(feature: Path, tmp_path: Path, runs: Runs) -> None:
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--no-single-branch", feature.as_uri(), str(clone))
    git(clone, "branch", "main", "origin/main")
    assert (clone / ".git" / "shallow").exists()
    assert_same(runs, clone, "main", "feature", formats=("text",))
    assert_same(runs, clone, "main...feature", answered=False, formats=("text",))


def test_fix_versions_takes_the_workspace(feature: Path, runs: Runs) -> None:
    calls, quick, full = runs.both(("-C", feature, "diff", "main", "feature", "--fix-versions"))
    assert calls == [] and quick == full


def test_sharded_layout(tmp_path: Path, run_cli: CliRunnerCall, runs: Runs) -> None:
    repo = tmp_path / "plan"
    assert run_cli("init", repo, "--name", "Sharded", "--layout", "sharded").exit_code == 0
    git(repo, "checkout", "-qb", "feature")
    first, second, *_ = sorted((repo / "events").glob("*/*.yaml"))
    edit(first, "type: object", "type: object\nx-status: deprecated")
    second.unlink()
    commit_all(repo, "sharded changes")
    assert_same(runs, repo, "main", "feature", cold=True)

"""Tracking-plan change records in `diff` (every format), the PR comment's markdown and `ci`,
and each change rule's own examples through `diff` on a real repository."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import git, plans
from trackplan.catalogue import Rule
from trackplan.diffing.rules import PROFILES
from trackplan.diffing.tracking_plan_rules import TRACKING_PLAN_RULES

BRANCH = "plans/review"
NARROWING = (
    "  schema:\n    type: object\n    additionalProperties: false\n    required: [query, result_count]\n"
    "    properties:\n      query: {type: string}\n      result_count: {type: integer, minimum: 1}\n"
)


@pytest.fixture
def reviewed(plan_repo: Path, run_cli: CliRunnerCall) -> Path:
    """main: a published plan with two specifications, one narrowing Search Performed. The
    branch: Search Performed loses result_count, a specification is published."""
    git(plan_repo, "checkout", "-q", "-b", "plans/setup")
    plans(run_cli, plan_repo, "create", "Discovery", "--domain", "Discovery")
    plans(run_cli, plan_repo, "add-spec", "Discovery", "--event", "Search Performed", "--spec-name", "Search")
    plans(run_cli, plan_repo, "add-spec", "Discovery", "--event", "Product Viewed", "--spec-name", "View")
    file = plan_repo / "tracking-plans" / "discovery.yaml"
    file.write_text(file.read_text().replace("  name: Search\n", "  name: Search\n" + NARROWING))
    git(plan_repo, "commit", "-qam", "Narrow the search specification")
    git(plan_repo, "checkout", "-q", "main")
    git(plan_repo, "merge", "-q", "--ff-only", "plans/setup")
    git(plan_repo, "checkout", "-q", "-b", BRANCH)
    event = plan_repo / "events" / "search-performed.yaml"
    text = event.read_text()
    start = text.index("  result_count:")
    end = text.index("\n  ", start + 1)
    event.write_text((text[:start] + text[end + 1 :]).replace("required: [query, result_count]", "required: [query]"))
    git(plan_repo, "commit", "-qam", "Drop result_count")
    plans(run_cli, plan_repo, "status", "Discovery", "published", "--spec", "View")
    return plan_repo


def changes_of(stdout: str) -> list[dict[str, Any]]:
    """Every change record of `diff --format json`, change set by change set."""
    return [change for changes in json.loads(stdout)["changeSets"].values() for change in changes]


def test_diff_flags_the_specification_whose_event_lost_a_property(reviewed: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", reviewed, "diff", "main", BRANCH, "--format", "json")
    changes = changes_of(result.stdout)
    ours = [(c["rule"], c["severity"], c["subject"], c["path"]) for c in changes if c["rule"] >= "TP070"]
    assert sorted(ours) == [
        ("TP076", "info", "event-specification", "tracking-plans/discovery.yaml"),
        ("TP081", "breaking", "event-specification", "tracking-plans/discovery.yaml"),
        ("TP082", "breaking", "event-specification", "tracking-plans/discovery.yaml"),
    ]
    messages = {c["rule"]: c["message"] for c in changes}
    assert messages["TP081"].startswith(
        "tracking plan `Discovery`: event specification `Search`: its event `Search Performed` has breaking changes ("
    )
    assert messages["TP082"].startswith(
        "tracking plan `Discovery`: event specification `Search`: the narrowing is now incompatible with event "
        "`Search Performed`: the narrowing accepts "
    )
    assert (
        messages["TP076"]
        == "tracking plan `Discovery`: event specification `View`: status changed from draft to published"
    )
    assert run_cli("-C", reviewed, "diff", "main", BRANCH, "--fail-on", "breaking").exit_code == 1


def test_the_pr_comment_and_ci_show_them(reviewed: Path, run_cli: CliRunnerCall) -> None:
    markdown = run_cli("-C", reviewed, "diff", "main", BRANCH, "--format", "markdown").stdout
    assert "event specification `Search`: its event `Search Performed` has breaking changes" in markdown
    assert "TP082" in markdown and "event specification `View`: status changed from draft to published" in markdown
    result = run_cli("-C", reviewed, "ci", "--base", "main", "--no-comment")
    assert result.exit_code == 1
    assert "TP081" in result.stdout and "TP082" in result.stdout


def test_validate_on_the_branch_reports_the_incompatible_narrowing(reviewed: Path, run_cli: CliRunnerCall) -> None:
    findings = json.loads(run_cli("-C", reviewed, "validate", "--format", "json").stdout)["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [("TP148", "tracking-plans/discovery.yaml")]


def _commit_files(repo: Path, files: tuple[tuple[str, str], ...], message: str) -> str:
    for path in {p for p in git(repo, "ls-files").split() if p.startswith(("events/", "tracking-plans/"))}:
        (repo / path).unlink()
    for path, text in files:
        file = repo / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-qm", message, "--allow-empty")
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.mark.parametrize("rule", TRACKING_PLAN_RULES.values(), ids=TRACKING_PLAN_RULES.keys())
def test_each_change_rule_fires_on_its_examples_through_diff(
    plan_repo: Path, run_cli: CliRunnerCall, rule: Rule
) -> None:
    for example in rule.examples:
        base = _commit_files(plan_repo, example.before, "before")
        head = _commit_files(plan_repo, example.after, "after")
        for profile in PROFILES:
            result = run_cli("-C", plan_repo, "diff", base, head, "--format", "json", "--profile", profile)
            fired = [c["severity"] for c in changes_of(result.stdout) if c["rule"] == rule.id]
            assert fired == ([rule.severity(profile)] if example.fires else []), (profile, result.stdout)

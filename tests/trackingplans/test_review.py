"""Tracking-plan change records in `diff` (every format), the PR comment's markdown and `ci`,
and each change rule's own examples through `diff` on a real repository."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import git, plans
from trackplan.catalogue import Rule
from trackplan.diffing.profiles import PROFILES
from trackplan.diffing.tracking_plan_rules import TRACKING_PLAN_RULES

BRANCH = "plans/review"
NARROWING = (
    "  schema:\n    type: object\n    additionalProperties: false\n"
    "    required: [order_id, revenue, currency, payment_method, coupon]\n    properties:\n"
    "      order_id: {type: string, pattern: '^ord_[A-Za-z0-9]{10}$'}\n      revenue: {type: number, minimum: 0}\n"
    "      currency: {type: string, pattern: '^[A-Z]{3}$'}\n      payment_method: {type: string, enum: [card]}\n"
    "      coupon: {type: string}\n"
)
PLAN_FILE = "tracking-plans/checkout.yaml"


@pytest.fixture
def reviewed(plan_repo: Path, run_cli: CliRunnerCall) -> Path:
    """main: a plan with two specifications, one narrowing the closed Checkout Completed to card
    payments with a coupon. The branch: Checkout Completed loses coupon, a specification is published."""
    git(plan_repo, "checkout", "-q", "-b", "plans/setup")
    plans(run_cli, plan_repo, "create", "Checkout", "--domain", "Payments")
    plans(run_cli, plan_repo, "add-spec", "Checkout", "--event", "Checkout Completed", "--spec-name", "Coupon")
    plans(run_cli, plan_repo, "add-spec", "Checkout", "--event", "Product Viewed", "--spec-name", "View")
    file = plan_repo / PLAN_FILE
    file.write_text(file.read_text().replace("  name: Coupon\n", "  name: Coupon\n" + NARROWING))
    git(plan_repo, "commit", "-qam", "Narrow the coupon specification")
    assert json.loads(run_cli("-C", plan_repo, "validate", "--format", "json").stdout)["findings"] == []
    git(plan_repo, "checkout", "-q", "main")
    git(plan_repo, "merge", "-q", "--ff-only", "plans/setup")
    git(plan_repo, "checkout", "-q", "-b", BRANCH)
    event = plan_repo / "events" / "checkout-completed.yaml"
    event.write_text(re.sub(r"\n  coupon:\n(    .*\n)*", "\n", event.read_text()))
    git(plan_repo, "commit", "-qam", "Drop coupon")
    plans(run_cli, plan_repo, "status", "Checkout", "published", "--spec", "View")
    return plan_repo


def changes_of(stdout: str) -> list[dict[str, Any]]:
    """Every change record of `diff --format json`, change set by change set."""
    return [change for changes in json.loads(stdout)["changeSets"].values() for change in changes]


def test_diff_flags_the_specification_whose_event_lost_a_property(reviewed: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", reviewed, "diff", "main", BRANCH, "--format", "json")
    changes = changes_of(result.stdout)
    ours = [(c["rule"], c["severity"], c["subject"], c["path"]) for c in changes if c["rule"] >= "TP070"]
    assert sorted(ours) == [
        ("TP076", "info", "event-specification", PLAN_FILE),
        ("TP081", "breaking", "event-specification", PLAN_FILE),
        ("TP082", "breaking", "event-specification", PLAN_FILE),
    ]
    messages = {c["rule"]: c["message"] for c in changes}
    assert messages["TP081"] == (
        "tracking plan `Checkout`: event specification `Coupon`: its event changes in a breaking way: "
        + "; ".join(c["message"] for c in changes if c["event"] == "Checkout Completed" and c["severity"] == "breaking")
    )
    assert messages["TP082"].startswith(
        "tracking plan `Checkout`: event specification `Coupon`: the narrowing is now incompatible with event "
        "`Checkout Completed`: the narrowing accepts "
    )
    assert (
        messages["TP076"]
        == "tracking plan `Checkout`: event specification `View`: status changed from draft to published"
    )
    assert run_cli("-C", reviewed, "diff", "main", BRANCH, "--fail-on", "breaking").exit_code == 1


def test_the_pr_comment_and_ci_show_them(reviewed: Path, run_cli: CliRunnerCall) -> None:
    markdown = run_cli("-C", reviewed, "diff", "main", BRANCH, "--format", "markdown").stdout
    assert "event specification `Coupon`: its event changes in a breaking way: " in markdown
    assert "TP082" in markdown and "event specification `View`: status changed from draft to published" in markdown
    result = run_cli("-C", reviewed, "ci", "--base", "main", "--no-comment")
    assert result.exit_code == 1
    assert "TP081" in result.stdout and "TP082" in result.stdout


def test_validate_on_the_branch_reports_the_incompatible_narrowing(reviewed: Path, run_cli: CliRunnerCall) -> None:
    findings = json.loads(run_cli("-C", reviewed, "validate", "--format", "json").stdout)["findings"]
    assert [(f["rule"], f["file"]) for f in findings] == [("TP148", PLAN_FILE)]


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

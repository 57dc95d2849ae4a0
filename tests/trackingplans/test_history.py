"""`plans history` against `git log --follow` of the same file: before, limit, offset, order and
a rename, on a branch mixing `plans` writes, hand edits and commits that touch other files."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import git, plans

BRANCH = "plans/history"
FILE = "tracking-plans/checkout-flow.yaml"
HOUR = timedelta(hours=1)


@pytest.fixture
def history_repo(plan_repo: Path, run_cli: CliRunnerCall) -> Path:
    """Three `plans` writes, then hand commits an hour apart: a comment, an unrelated event, a
    rename of the plan (its file moves with it), another plan, and an edit of the renamed one."""
    git(plan_repo, "checkout", "-q", "-b", BRANCH)
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    plans(run_cli, plan_repo, "add-spec", "Checkout", "--event", "Checkout Completed", "--branch", BRANCH)
    plans(run_cli, plan_repo, "status", "Checkout", "published", "--branch", BRANCH)
    start = datetime.now(UTC).replace(microsecond=0) + HOUR
    plan_file = plan_repo / "tracking-plans" / "checkout.yaml"

    def commit(hours: int, message: str) -> None:
        git(plan_repo, "add", "-A")
        git(plan_repo, "commit", "-qm", message, date=(start + hours * HOUR).isoformat())

    plan_file.write_text(plan_file.read_text() + "# Reviewed by payments.\n")
    commit(0, "Note the review")
    event = plan_repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("Sent when", "Sent once when"))
    commit(1, "Reword Signed Up")
    git(plan_repo, "mv", "tracking-plans/checkout.yaml", FILE)
    moved = plan_repo / FILE
    moved.write_text(moved.read_text().replace("name: Checkout\n", "name: Checkout flow\n"))
    commit(2, "Rename the checkout plan")
    plans(run_cli, plan_repo, "create", "Search", "--branch", BRANCH)
    git(plan_repo, "commit", "--amend", "-q", "--no-edit", date=(start + 3 * HOUR).isoformat())
    moved.write_text(moved.read_text().replace('description: ""', "description: The checkout funnel."))
    commit(4, "Describe the checkout plan")
    return plan_repo


def git_log(repo: Path, *args: str) -> list[str]:
    return git(repo, "log", "--follow", "--format=%H", *args, BRANCH, "--", FILE).split()


def history(run_cli: CliRunnerCall, repo: Path, *args: str) -> list[str]:
    document = plans(run_cli, repo, "history", "checkout FLOW", "--branch", BRANCH, *args)
    return [record["commit"] for record in document["history"]]


def test_history_is_git_log_of_the_file_across_the_rename(history_repo: Path, run_cli: CliRunnerCall) -> None:
    logged = git_log(history_repo)
    assert len(logged) == 6
    assert history(run_cli, history_repo) == logged
    document = plans(run_cli, history_repo, "history", "Checkout flow", "--branch", BRANCH)
    assert [(r["message"], r["path"]) for r in document["history"]] == [
        ("Describe the checkout plan", FILE),
        ("Rename the checkout plan", FILE),
        ("Note the review", "tracking-plans/checkout.yaml"),
        ("Set tracking plan Checkout to published", "tracking-plans/checkout.yaml"),
        ("Add event specification Checkout Completed to tracking plan Checkout", "tracking-plans/checkout.yaml"),
        ("Add tracking plan Checkout", "tracking-plans/checkout.yaml"),
    ]
    assert [[c["rule"] for c in r["changes"]] for r in document["history"]] == [
        ["TP073"],
        ["TP073"],
        [],
        ["TP072"],
        ["TP074"],
        ["TP070"],
    ]
    [rename] = document["history"][1]["changes"]
    assert (rename["message"], rename["before"], rename["after"]) == (
        "tracking plan `Checkout` renamed to `Checkout flow`",
        "Checkout",
        "Checkout flow",
    )
    first = document["history"][-1]
    assert first["author"] == "Test User <test@example.com>"
    assert first["date"] == git(history_repo, "log", "-1", "--format=%cI", first["commit"]).strip().replace(
        "+00:00", "Z"
    )


@pytest.mark.parametrize(
    ("offset", "limit"), [(0, 2), (1, 3), (5, None), (0, 0), (2, 10), (6, 1)], ids=lambda value: str(value)
)
def test_limit_and_offset_page_the_git_log(
    history_repo: Path, run_cli: CliRunnerCall, offset: int, limit: int | None
) -> None:
    """git applies --skip before --follow's filtering, so the pages are cut from the whole log."""
    paging = ("--offset", str(offset), *(("--limit", str(limit)) if limit is not None else ()))
    whole = git_log(history_repo)
    assert history(run_cli, history_repo, *paging) == whole[offset : offset + limit if limit is not None else None]


def test_limit_alone_is_git_log_n(history_repo: Path, run_cli: CliRunnerCall) -> None:
    assert history(run_cli, history_repo, "--limit", "4") == git_log(history_repo, "-n", "4")


def test_order_asc_is_oldest_first_before_the_paging(history_repo: Path, run_cli: CliRunnerCall) -> None:
    oldest_first = list(reversed(git_log(history_repo)))
    assert history(run_cli, history_repo, "--order", "asc") == oldest_first
    assert history(run_cli, history_repo, "--order", "asc", "--offset", "1", "--limit", "2") == oldest_first[1:3]


def test_before_keeps_commits_at_or_before_the_time(history_repo: Path, run_cli: CliRunnerCall) -> None:
    dates = git(history_repo, "log", "--follow", "--format=%cI", BRANCH, "--", FILE).split()
    rename_time = dates[1]  # the rename's own time: `before` includes it
    assert history(run_cli, history_repo, "--before", rename_time) == git_log(history_repo, f"--before={rename_time}")
    assert history(run_cli, history_repo, "--before", rename_time)[0] == git_log(history_repo)[1]
    utc = datetime.fromisoformat(rename_time).astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert history(run_cli, history_repo, "--before", utc, "--limit", "1") == git_log(history_repo)[1:2]
    assert history(run_cli, history_repo, "--before", "2000-01-01") == []
    refused = plans(
        run_cli, history_repo, "history", "Checkout flow", "--branch", BRANCH, "--before", "soon", exit_code=2
    )
    assert refused["message"] == "--before 'soon': expected an ISO-8601 timestamp"


def test_include_events_adds_the_changes_of_the_specified_events(history_repo: Path, run_cli: CliRunnerCall) -> None:
    event = history_repo / "events" / "checkout-completed.yaml"
    event.write_text(event.read_text().replace("Sent when the order", "Sent when an order"))
    git(history_repo, "commit", "-qam", "Reword Checkout Completed")
    other = history_repo / "events" / "product-viewed.yaml"
    other.write_text(other.read_text().replace("Sent when", "Sent each time"))
    git(history_repo, "commit", "-qam", "Reword Product Viewed")
    without = history(run_cli, history_repo, "--limit", "1")
    document = plans(
        run_cli, history_repo, "history", "Checkout flow", "--branch", BRANCH, "--include-events", "--limit", "2"
    )
    records = document["history"]
    assert [r["message"] for r in records] == ["Reword Checkout Completed", "Describe the checkout plan"]
    assert [(c["rule"], c["event"], c["field"]) for c in records[0]["changes"]] == [
        ("TP040", "Checkout Completed", "description")
    ]
    assert without == [records[1]["commit"]]


def test_a_deleted_plan_has_its_history_by_id(history_repo: Path, run_cli: CliRunnerCall) -> None:
    plan_id = plans(run_cli, history_repo, "show", "Checkout flow", "--branch", BRANCH)["trackingPlan"]["id"]
    plans(run_cli, history_repo, "delete", "Checkout flow", "--branch", BRANCH)
    records = plans(run_cli, history_repo, "history", plan_id, "--branch", BRANCH, "--limit", "2")["history"]
    assert [(r["message"], r["path"], [c["rule"] for c in r["changes"]]) for r in records] == [
        ("Delete tracking plan Checkout flow", FILE, ["TP071"]),
        ("Describe the checkout plan", FILE, ["TP073"]),
    ]
    missing = plans(run_cli, history_repo, "history", "Checkout flow", "--branch", BRANCH, exit_code=2)
    assert missing["message"] == f"no tracking plan 'Checkout flow' at {BRANCH}; known tracking plans: 'Search'"

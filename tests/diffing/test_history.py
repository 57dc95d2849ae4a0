from __future__ import annotations

import os
import subprocess
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from trackplan.diffing.history import LogRequest, history
from trackplan.errors import InputError
from trackplan.repo.workspace import Workspace

TEMPLATE_EVENTS = ["Checkout Completed", "Product Viewed", "Search Performed", "Signed Up", "Subscription Cancelled"]


def git(repo: Path, *args: str, date: str | None = None) -> str:
    env = {**os.environ, "GIT_AUTHOR_DATE": date, "GIT_COMMITTER_DATE": date} if date else None
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True, env=env).stdout


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def noon(plan_repo: Path) -> datetime:
    """The day after the plan was created, at noon UTC: the edits below are a day apart from it."""
    created = datetime.fromtimestamp(int(git(plan_repo, "log", "-1", "--format=%ct")), UTC)
    return created.replace(hour=12, minute=0, second=0) + timedelta(days=1)


@pytest.fixture
def ws(plan_repo: Path, noon: datetime) -> Workspace:
    """The template's plan, then: Signed Up edited (day 0), an untitled event added (day 1),
    a file outside the plan (day 2), Search Performed removed (day 3)."""
    signed_up = plan_repo / "events" / "signed-up.yaml"
    edits: list[tuple[str, Callable[[], object]]] = [
        ("Edit Signed Up", lambda: signed_up.write_text(signed_up.read_text().replace("is confirmed", "is live"))),
        (
            "Add an untitled event\n\nWith a body.",
            lambda: (plan_repo / "events" / "untitled.yaml").write_text("a: 1\n"),
        ),
        ("Docs", lambda: (plan_repo / "README.md").write_text("not a plan file\n")),
        ("Drop Search Performed", lambda: (plan_repo / "events" / "search-performed.yaml").unlink()),
    ]
    for days, (message, edit) in enumerate(edits):
        edit()
        git(plan_repo, "add", "-A")
        git(plan_repo, "commit", "-qm", message, date=iso(noon + timedelta(days=days)))
    return Workspace(plan_repo)


def summaries(ws: Workspace, request: LogRequest) -> list[tuple[str, list[str], list[str], list[str]]]:
    return [(e.summary, e.added, e.updated, e.removed) for e in history(ws, request)]


def test_the_whole_history_newest_first(ws: Workspace) -> None:
    assert summaries(ws, LogRequest()) == [
        ("Drop Search Performed", [], [], ["Search Performed"]),
        ("Add an untitled event", ["untitled"], [], []),
        ("Edit Signed Up", [], ["Signed Up"], []),
        ("Create tracking plan 'Test plan'", TEMPLATE_EVENTS, [], []),
    ]
    assert history(ws, LogRequest())[-1].other_files == ["identify.yaml", "trackplan.yaml"]


def test_filters_pages_and_order(ws: Workspace, noon: datetime) -> None:
    assert [s for s, *_ in summaries(ws, LogRequest(event="Signed Up"))] == [
        "Edit Signed Up",
        "Create tracking plan 'Test plan'",
    ]
    assert [s for s, *_ in summaries(ws, LogRequest(before=iso(noon + timedelta(days=1)), limit=1))] == [
        "Add an untitled event"
    ]
    assert [s for s, *_ in summaries(ws, LogRequest(before=iso(noon + timedelta(hours=12))[:-1], offset=0))] == [
        "Edit Signed Up",
        "Create tracking plan 'Test plan'",
    ]
    assert [s for s, *_ in summaries(ws, LogRequest(order="asc", limit=2, offset=1))] == [
        "Edit Signed Up",
        "Add an untitled event",
    ]
    assert [s for s, *_ in summaries(ws, LogRequest(ref="HEAD~3", limit=5))] == [
        "Edit Signed Up",
        "Create tracking plan 'Test plan'",
    ]


def test_a_bad_before_is_an_input_error(ws: Workspace) -> None:
    with pytest.raises(InputError) as caught:
        history(ws, LogRequest(before="yesterday"))
    assert str(caught.value) == "--before 'yesterday': expected an ISO-8601 timestamp"


def rename_and_comment(plan_repo: Path) -> Workspace:
    """Subscription Cancelled renamed in place, then moved to a new file under a new name;
    then a comment-only edit of it and of trackplan.yaml."""
    events = plan_repo / "events"
    old = events / "subscription-cancelled.yaml"
    old.write_text(old.read_text().replace("title: Subscription Cancelled", "title: Subscription Ended"))
    git(plan_repo, "commit", "-qam", "Rename in place")
    (events / "subscription-closed.yaml").write_text(
        old.read_text().replace("title: Subscription Ended", "title: Subscription Closed")
    )
    old.unlink()
    git(plan_repo, "add", "-A")
    git(plan_repo, "commit", "-qm", "Move and rename")
    closed = events / "subscription-closed.yaml"
    closed.write_text("# owned by Retention\n" + closed.read_text())
    settings = plan_repo / "trackplan.yaml"
    settings.write_text("# plan settings\n" + settings.read_text())
    git(plan_repo, "commit", "-qam", "Comments only")
    return Workspace(plan_repo)


def test_a_rename_is_one_entry_and_a_comment_is_none(plan_repo: Path) -> None:
    """Issue 13.2: `log` showed a rename as an add plus a remove, and a comment as a change."""
    entries = history(rename_and_comment(plan_repo), LogRequest(limit=2))
    assert [(e.summary, e.added, e.updated, e.removed, e.renamed, e.other_files) for e in entries] == [
        ("Move and rename", [], [], [], [("Subscription Ended", "Subscription Closed")], []),
        ("Rename in place", [], [], [], [("Subscription Cancelled", "Subscription Ended")], []),
    ]
    assert entries[0].to_json()["changes"]["renamed"] == [{"from": "Subscription Ended", "to": "Subscription Closed"}]


def test_a_rename_that_also_changes_the_event_shows_both(plan_repo: Path) -> None:
    """As diff does: a commit that renames an event and edits it is a rename and an update."""
    file = plan_repo / "events" / "subscription-cancelled.yaml"
    file.write_text(
        file.read_text()
        .replace("title: Subscription Cancelled", "title: Subscription Ended")
        .replace("x-status: draft", "x-status: live")
    )
    git(plan_repo, "commit", "-qam", "Rename and mark live")
    [entry] = history(Workspace(plan_repo), LogRequest(limit=1))
    assert (entry.renamed, entry.updated) == (
        [("Subscription Cancelled", "Subscription Ended")],
        ["Subscription Ended"],
    )


def test_event_follows_renames_back_by_x_id(plan_repo: Path) -> None:
    ws = rename_and_comment(plan_repo)
    assert [e.summary for e in history(ws, LogRequest(event="Subscription Closed"))] == [
        "Move and rename",
        "Rename in place",
        "Create tracking plan 'Test plan'",
    ]
    assert [e.summary for e in history(ws, LogRequest(event="subscription closed"))][:1] == ["Move and rename"]
    assert [e.summary for e in history(ws, LogRequest(event="Subscription Cancelled"))] == [
        "Rename in place",
        "Create tracking plan 'Test plan'",
    ]


def test_an_event_no_commit_touched_is_an_input_error(ws: Workspace) -> None:
    with pytest.raises(InputError) as caught:
        history(ws, LogRequest(event="Signed Upp"))
    assert str(caught.value) == "no event 'Signed Upp' at HEAD; did you mean 'Signed Up'?"

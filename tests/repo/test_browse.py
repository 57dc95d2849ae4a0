from __future__ import annotations

import json
import subprocess
import uuid
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.errors import InputError
from trackplan.repo.browse import event_named, event_rows, find_event
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace

SIGNED_UP = {
    "name": "Signed Up",
    "path": "events/signed-up.yaml",
    "id": "evt_signed_up",
    "version": "1-0-1",
    "status": "live",
    "sources": ["android", "backend", "ios", "web"],
    "tags": ["acquisition", "core"],
    "owner": "Growth",
    "properties": 3,
}
NAMES = ["Checkout Completed", "Product Viewed", "Search Performed", "Signed Up", "Subscription Cancelled"]


def test_event_rows_are_what_events_prints_as_json(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    rows = event_rows(Workspace(plan_repo), "HEAD")
    assert [row["name"] for row in rows] == NAMES
    assert rows[3] == SIGNED_UP
    assert json.loads(run_cli("-C", plan_repo, "events", "--format", "json").output)["events"] == rows


def test_event_rows_read_the_ref_asked_for(plan_repo: Path) -> None:
    (plan_repo / "events" / "signed-up.yaml").unlink()
    subprocess.run(["git", "commit", "-qam", "drop Signed Up"], cwd=plan_repo, check=True)
    ws = Workspace(plan_repo)
    assert [row["name"] for row in event_rows(ws, "HEAD")] == [n for n in NAMES if n != "Signed Up"]
    assert event_rows(ws, "HEAD~1")[3] == SIGNED_UP


@pytest.mark.parametrize("name_or_path", ["Signed Up", "events/signed-up.yaml", "signed-up.yaml"])
def test_an_event_is_found_by_name_path_or_file_name(plan_repo: Path, name_or_path: str) -> None:
    path, text = find_event(Workspace(plan_repo), "HEAD", name_or_path)
    assert path == "events/signed-up.yaml"
    assert text == (plan_repo / path).read_text()


def test_an_event_is_found_in_the_work_tree_with_its_edits(plan_repo: Path) -> None:
    file = plan_repo / "events" / "signed-up.yaml"
    file.write_text(file.read_text() + "# edited\n")
    assert find_event(Workspace(plan_repo), WORKTREE, "Signed Up")[1].endswith("# edited\n")
    assert not find_event(Workspace(plan_repo), "HEAD", "Signed Up")[1].endswith("# edited\n")


def test_an_unknown_event_suggests_the_closest_names(plan_repo: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_event(Workspace(plan_repo), "main", "Signed Upp")
    assert str(caught.value) == "no event 'Signed Upp' at main; did you mean 'Signed Up'?"
    with pytest.raises(InputError) as caught:
        find_event(Workspace(plan_repo), "main", "Nope")
    assert str(caught.value) == "no event 'Nope' at main (5 events; `trackplan events` lists them)"


def test_an_event_name_matches_ignoring_case_when_only_one_does() -> None:
    assert event_named(NAMES, "checkout completed", "HEAD") == "Checkout Completed"
    with pytest.raises(InputError) as caught:
        event_named(["Signed Up", "signed up"], "SIGNED UP", "HEAD")
    assert str(caught.value) == "event 'SIGNED UP' is ambiguous at HEAD: 'Signed Up', 'signed up' differ only in case"


def test_a_20000_event_plan_gives_a_short_line() -> None:
    """Issue 13.5: the error listed every event, 400 KB on a 20,000-event plan."""
    names = [f"Screen {i} Viewed" for i in range(20_000)]
    with pytest.raises(InputError) as caught:
        event_named(names, "screen 1234 veiwed", "HEAD")
    assert str(caught.value) == (
        "no event 'screen 1234 veiwed' at HEAD; did you mean 'Screen 1234 Viewed', 'Screen 19234 Viewed' "
        "or 'Screen 18234 Viewed'?"
    )


def test_show_matches_ignoring_case_and_suggests_on_a_typo(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """Issue 13.5: `show "checkout completed"` found nothing."""
    shown = run_cli("-C", plan_repo, "show", "checkout completed")
    assert shown.exit_code == 0 and shown.stdout == (plan_repo / "events" / "checkout-completed.yaml").read_text()
    typo = run_cli("-C", plan_repo, "show", "Checkout Complted")
    assert typo.exit_code == 2
    assert "no event 'Checkout Complted' in the work tree; did you mean 'Checkout Completed'?" in typo.stderr


@pytest.mark.parametrize(
    "command",
    [["show"], ["export", "--event"], ["log", "--event"]],
    ids=["show", "export", "log"],
)
def test_every_command_looks_an_event_name_up_alike(
    plan_repo: Path, run_cli: CliRunnerCall, command: list[str]
) -> None:
    found = run_cli("-C", plan_repo, *command, "signed up")
    assert found.exit_code == 0 and "Signed Up" in found.stdout
    typo = run_cli("-C", plan_repo, *command, "Sigend Up")
    assert (typo.exit_code, typo.stdout) == (2, "")
    at = "in the work tree" if command == ["show"] else "at HEAD"  # show reads the plan being edited
    assert f"no event 'Sigend Up' {at}; did you mean 'Signed Up'?" in typo.stderr


def test_codegen_suggests_the_event_a_tracking_plan_misspells(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    (plan_repo / "tracking-plans").mkdir()
    (plan_repo / "tracking-plans" / "onboarding.yaml").write_text(
        f"id: {uuid.uuid4()}\nname: Onboarding\neventSpecifications:\n  - {{id: {uuid.uuid4()}, event: Sigend Up}}\n"
    )
    subprocess.run(["git", "add", "-A"], cwd=plan_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "Onboarding"], cwd=plan_repo, check=True)
    result = run_cli("-C", plan_repo, "codegen", "--lang", "ts", "--plan", "Onboarding")
    assert (result.exit_code, result.stderr) == (
        2,
        "trackplan: error: tracking-plans/onboarding.yaml: tracking plan 'Onboarding' names events not in the plan: "
        "'Sigend Up' (did you mean 'Signed Up'?)\n",
    )

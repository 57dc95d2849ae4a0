from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.errors import InputError
from trackplan.repo.browse import event_rows, find_event
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
    assert json.loads(run_cli("-C", plan_repo, "events", "--format", "json").output) == rows


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


def test_an_unknown_event_names_the_ref_and_the_known_events(plan_repo: Path) -> None:
    with pytest.raises(InputError) as caught:
        find_event(Workspace(plan_repo), "main", "Nope")
    assert str(caught.value) == f"no event 'Nope' at main; known events: {', '.join(NAMES)}"

"""`trackplan events` writes its listing in one go: the bytes are those of a line per event
written as rows were listed before, for odd names and empty plans alike."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.helpers import CliRunnerCall
from tests.repo.test_browse_rows import ODD_FILES, built_rows, write
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


def line_by_line(rows: list[dict[str, Any]], where: str) -> str:
    """The listing as it was printed before, one echo per line."""
    if not rows:
        return "No events.\n"
    width = max(len(r["name"]) for r in rows)
    out = ""
    for row in rows:
        sources = ",".join(row["sources"]) or "-"
        tags = ",".join(row["tags"]) or "-"
        out += f"{row['name']:<{width}}  sources={sources}  tags={tags}  owner={row['owner'] or '-'}\n"
    count = len(rows)
    return out + f"{count} event{'' if count == 1 else 's'} {where}\n"


def test_the_listing_of_odd_events_is_the_line_by_line_one(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    write(plan_repo, ODD_FILES)
    listed = run_cli("-C", plan_repo, "events")
    assert (listed.exit_code, listed.stderr) == (0, "")
    assert listed.stdout == line_by_line(built_rows(Workspace(plan_repo), WORKTREE), "in the work tree")
    assert "Café ☕ Ordered" in listed.stdout and "owner=Someone Else" in listed.stdout
    as_json = run_cli("-C", plan_repo, "events", "--format", "json")
    assert json.loads(as_json.stdout) == {
        "version": 1,
        "command": "events",
        "events": built_rows(Workspace(plan_repo), WORKTREE),
    }


def test_one_event_and_none(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    root = tmp_path / "plan"
    assert run_cli("init", root, "--empty").exit_code == 0
    assert run_cli("-C", root, "events").stdout == "No events.\n"
    write(root, {"events/only.yaml": "title: Only One\n"})
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", "one"], cwd=root, check=True)
    listed = run_cli("-C", root, "events", "--ref", "HEAD")
    assert listed.stdout == "Only One  sources=-  tags=-  owner=-\n1 event at HEAD\n"


def test_an_unknown_ref_is_an_error_of_its_own(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    for output in ("text", "json"):
        result = run_cli("-C", plan_repo, "events", "--ref", "nope", "--format", output)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", "trackplan: error: unknown ref 'nope'\n")

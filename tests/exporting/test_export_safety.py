"""What an export writes stays where it was asked to go, and reads back as it was written."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import CliRunnerCall
from trackplan.model import Event
from trackplan.repo.workspace import Workspace

FORMULAS = ["=cmd|' /C calc'!A0", '=HYPERLINK("http://x")', "+1", "@SUM(A1)", "-2", "'=already quoted"]


def commit_events(repo: Path, *events: Event) -> None:
    ws = Workspace(repo)
    before = ws.load("HEAD")
    plan = before.plan.replace(events=(*before.plan.events, *events))
    ws.commit_plan("work", None, before, plan, "hostile events", start=ws.store.resolve("HEAD"))


def test_csv_cells_that_read_as_formulas_are_quoted_and_import_back(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    commit_events(plan_repo, *(Event(name=f"Formula {i}", description=f) for i, f in enumerate(FORMULAS)))
    exported = run_cli("-C", plan_repo, "export", "--ref", "work", "--to", "csv").stdout
    cells = {line.split(",", 1)[0]: line for line in exported.splitlines() if line.startswith("Formula")}
    assert cells["Formula 0"].startswith("Formula 0,'=cmd|' /C calc'!A0,")
    assert cells["Formula 4"].startswith("Formula 4,'-2,")
    assert cells["Formula 5"].startswith("Formula 5,''=already quoted,")
    sheet = tmp_path / "plan.csv"
    sheet.write_text(exported)
    assert run_cli("-C", plan_repo, "import", sheet, "--branch", "again", "--method", "addAndUpdate").exit_code == 0
    events = Workspace(plan_repo).load("again").plan.event_map()
    assert [events[f"Formula {i}"].description for i in range(len(FORMULAS))] == FORMULAS


def test_snowplow_paths_from_plan_data_never_leave_the_folder(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    commit_events(plan_repo, Event.from_json({"title": "Escape", "type": "object", "x-version": "../../../../x"}))
    out = tmp_path / "iglu"
    result = run_cli("-C", plan_repo, "export", "--ref", "work", "--to", "snowplow", "-o", f"{out}/")
    assert result.exit_code == 2
    assert result.stderr.startswith(f"trackplan: error: -o {out}: the export path ")
    assert "is not a plain relative path; nothing was written" in result.stderr
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["plan"]


def test_export_o_refuses_what_it_must_not_replace(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    head = (plan_repo / ".git" / "HEAD").read_bytes()
    settings = (plan_repo / "trackplan.yaml").read_bytes()
    expected = {
        ".git/HEAD": "is inside a .git folder; write the export elsewhere",
        "trackplan.yaml": "is a file of the plan; write the export elsewhere",
        "events": "is a folder; name a file to write (only --to snowplow writes a folder)",
    }
    for target, reason in expected.items():
        result = run_cli("-C", plan_repo, "export", "-o", plan_repo / target)
        assert (result.exit_code, result.stderr) == (2, f"trackplan: error: -o {plan_repo / target}: {reason}\n")
    assert ((plan_repo / ".git" / "HEAD").read_bytes(), (plan_repo / "trackplan.yaml").read_bytes()) == (head, settings)
    real = plan_repo.parent / "real.json"
    (plan_repo.parent / "link.json").symlink_to(real)
    refused = run_cli("-C", plan_repo, "export", "-o", plan_repo.parent / "link.json")
    assert refused.exit_code == 2 and f"is a symlink; to write through it, name its target ({real})" in refused.stderr
    assert run_cli("-C", plan_repo, "export", "-o", real).exit_code == 0  # the target named: on purpose
    assert json.loads(real.read_text())["events"]

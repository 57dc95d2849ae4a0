"""What an export writes stays where it was asked to go, and reads back as it was written."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

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
        "events": "is a folder; name a file to write (only --to rudderstack, --to snowplow, --to snowplow-dp, "
        "--to snowplow-ds write folders)",
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


@pytest.mark.parametrize("fmt", ["rudderstack", "snowplow", "snowplow-ds"])
def test_a_folder_export_writes_no_file_of_the_plan(plan_repo: Path, run_cli: CliRunnerCall, fmt: str) -> None:
    before = sorted(p.relative_to(plan_repo).as_posix() for p in (plan_repo / "events").rglob("*"))
    result = run_cli("-C", plan_repo, "export", "--to", fmt, "-o", f"{plan_repo / 'events'}/")
    assert result.exit_code == 2 and "is a file of the plan; write the export elsewhere" in result.stderr
    assert sorted(p.relative_to(plan_repo).as_posix() for p in (plan_repo / "events").rglob("*")) == before


def test_a_folder_export_is_not_gzipped_and_names_what_was_removed(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    out = plan_repo.parent / "out"
    gzipped = run_cli("-C", plan_repo, "export", "--to", "snowplow", "--gzip", "-o", f"{out}/")
    assert gzipped.exit_code == 2 and "--gzip compresses one file" in gzipped.stderr and not out.exists()
    (plan_repo / "events" / "signed-up.yaml").unlink()
    subprocess.run(["git", "commit", "-qam", "Remove Signed Up"], cwd=plan_repo, check=True)
    changed = run_cli("-C", plan_repo, "export", "--to", "rudderstack", "--changed-since", "HEAD~1", "-o", f"{out}/")
    assert changed.exit_code == 0 and "removed since HEAD~1: Signed Up" in changed.stderr


def test_a_folder_path_for_a_one_file_format_is_a_usage_error(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "export", "--to", "ampli", "-o", f"{plan_repo.parent / 'out'}/")
    assert result.exit_code == 2 and "--to ampli writes one file; name the file" in result.output
    assert not (plan_repo.parent / "out").exists()

"""Property scope follows the format: Avo's formats share one definition per property name,
the others keep each event's properties as written; trackplan.yaml records the choice."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from tests.helpers import CliRunnerCall
from trackplan.repo.workspace import Workspace

SEGMENT = {
    "rules": [
        {
            "type": "TRACK",
            "key": "Signup Failed",
            "jsonSchema": {
                "properties": {"properties": {"properties": {"failure reason": {"type": "array", "items": {}}}}}
            },
        },
        {
            "type": "TRACK",
            "key": "Login Failed",
            "jsonSchema": {
                "properties": {"properties": {"properties": {"failure reason": {"type": ["string", "null"]}}}}
            },
        },
    ]
}

AVO = {
    "schema": {
        "events": {
            "Login Failed": {"properties": {"reason": {"type": "string", "description": "Why."}}},
            "Signup Failed": {"properties": {"reason": {"type": "array", "items": {"type": "string"}}}},
        }
    }
}

# Avo's export: Cart Viewed names `currency` optional, which in Avo's model applies to the
# plan-wide property, also in the template's two events that require it.
CART_VIEWED = {
    "name": "Exported Tracking Plan: main",
    "events": [
        {
            "id": "evt_cart_viewed",
            "name": "Cart Viewed",
            "rules": {
                "properties": {
                    "properties": {
                        "type": "object",
                        "properties": {"currency": {"type": "string", "description": "ISO 4217 currency code."}},
                    }
                }
            },
        }
    ],
}


def _import(run_cli: CliRunnerCall, repo: Path, tmp_path: Path, doc: object, *args: str) -> dict[str, object]:
    source = tmp_path / "input.json"
    source.write_text(json.dumps(doc))
    result = run_cli("-C", repo, "import", source, "--branch", "imported", "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)  # type: ignore[no-any-return]


def _empty_plan(run_cli: CliRunnerCall, tmp_path: Path) -> Path:
    repo = tmp_path / "p"
    assert run_cli("init", repo, "--empty").exit_code == 0
    return repo


def _scope(repo: Path) -> object:
    return Workspace(repo).load("imported").plan.settings.get("property_scope")


def test_segment_keeps_each_events_definition_and_records_the_event_scope(
    run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    repo = _empty_plan(run_cli, tmp_path)
    _import(run_cli, repo, tmp_path, SEGMENT)
    plan = Workspace(repo).load("imported").plan
    signup, login = plan.event("Signup Failed"), plan.event("Login Failed")
    assert signup is not None and login is not None
    assert signup.get_property("failure reason").to_json() == {"type": "array", "items": {}}  # type: ignore[union-attr]
    assert login.get_property("failure reason").to_json() == {"type": ["string", "null"]}  # type: ignore[union-attr]
    assert _scope(repo) == "event"
    # Per-event definitions are what this plan means: validate reports no drift.
    checked = run_cli("-C", repo, "validate", "--ref", "imported", "--format", "json")
    assert "TP116" not in checked.output


def test_a_second_import_of_the_same_segment_file_is_a_no_op(run_cli: CliRunnerCall, tmp_path: Path) -> None:
    repo = _empty_plan(run_cli, tmp_path)
    _import(run_cli, repo, tmp_path, SEGMENT)
    again = _import(run_cli, repo, tmp_path, SEGMENT, "--method", "addAndUpdate")
    assert again["message"] == "Import completed: no changes"


def test_event_scope_update_takes_the_files_definition_for_that_event_only(
    run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    repo = _empty_plan(run_cli, tmp_path)
    _import(run_cli, repo, tmp_path, SEGMENT)
    changed = {"rules": [{**SEGMENT["rules"][1]}]}
    changed["rules"][0]["jsonSchema"] = {
        "properties": {"properties": {"properties": {"failure reason": {"type": "integer"}}}}
    }
    _import(run_cli, repo, tmp_path, changed, "--method", "addAndUpdate")
    plan = Workspace(repo).load("imported").plan
    assert plan.event("Login Failed").get_property("failure reason").type == "integer"  # type: ignore[union-attr]
    assert plan.event("Signup Failed").get_property("failure reason").type == "array"  # type: ignore[union-attr]


def test_avo_standard_json_keeps_one_plan_wide_definition_and_records_the_plan_scope(
    run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    repo = _empty_plan(run_cli, tmp_path)
    _import(run_cli, repo, tmp_path, AVO)
    plan = Workspace(repo).load("imported").plan
    # Avo's rule: the file's last definition of a name wins in every event using it.
    for name in ("Signup Failed", "Login Failed"):
        reason = plan.event(name).get_property("reason")  # type: ignore[union-attr]
        assert reason is not None and reason.to_json() == {"type": "array", "items": {"type": "string"}}
    assert _scope(repo) == "plan"


def test_avo_semantics_changing_events_the_file_does_not_name_are_one_warning(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    out = _import(run_cli, plan_repo, tmp_path, CART_VIEWED, "--method", "addAndUpdate")
    assert out["warnings"] == [
        "Property 'currency' is one plan-wide definition (property_scope: plan): this import also changes "
        "it in Checkout Completed, Product Viewed, which the file does not name."
    ]
    plan = Workspace(plan_repo).load("imported").plan
    assert plan.event("Checkout Completed").get_property("currency").required is False  # type: ignore[union-attr]


def test_a_recorded_scope_rules_over_the_format(run_cli: CliRunnerCall, tmp_path: Path) -> None:
    repo = _empty_plan(run_cli, tmp_path)
    _import(run_cli, repo, tmp_path, SEGMENT)
    _import(run_cli, repo, tmp_path, AVO)  # Avo's standard JSON into an event-scoped plan
    plan = Workspace(repo).load("imported").plan
    assert plan.event("Signup Failed").get_property("reason").type == "array"  # type: ignore[union-attr]
    assert _scope(repo) == "event"


def test_an_unknown_recorded_scope_is_one_line_exit_2(run_cli: CliRunnerCall, tmp_path: Path) -> None:
    repo = _empty_plan(run_cli, tmp_path)
    settings = repo / "trackplan.yaml"
    settings.write_text(settings.read_text() + "property_scope: global\n")
    subprocess.run(["git", "commit", "-qam", "Scope"], cwd=repo, check=True)
    source = tmp_path / "input.json"
    source.write_text(json.dumps(SEGMENT))
    result = run_cli("-C", repo, "import", source, "--branch", "imported")
    assert result.exit_code == 2
    line = settings.read_text().count("\n")  # the last line, named as validate names it
    assert f"trackplan.yaml:{line}:1: property_scope: 'global' is not one of plan, event" in result.output

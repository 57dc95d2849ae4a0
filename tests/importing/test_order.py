"""`enum` values and `required` names keep the order they were written in, and compare as sets."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import CliRunnerCall
from trackplan.repo.workspace import Workspace


def _itly(enum: list[str], required: list[str]) -> dict[str, object]:
    schema = {
        "title": "Signed Up",
        "type": "object",
        "properties": {"method": {"type": "string", "enum": enum}, "plan": {"type": "string"}},
        "required": required,
        "additionalProperties": False,
    }
    return {"events": [{"sources": [], "schema": schema}]}


def _import(run_cli: CliRunnerCall, repo: Path, source: Path, doc: object) -> str:
    source.write_text(json.dumps(doc))
    result = run_cli("-C", repo, "import", source, "--branch", "imported", "--format", "json")
    assert result.exit_code == 0, result.output
    return str(json.loads(result.stdout)["message"])


def test_enum_and_required_are_stored_and_exported_as_written(run_cli: CliRunnerCall, tmp_path: Path) -> None:
    repo = tmp_path / "p"
    assert run_cli("init", repo, "--empty").exit_code == 0
    _import(run_cli, repo, tmp_path / "in.json", _itly(["Email", "Google", "Apple"], ["plan", "method"]))
    text = (Workspace(repo).load("imported").plan.event("Signed Up")).to_json()  # type: ignore[union-attr]
    assert text["properties"]["method"]["enum"] == ["Email", "Google", "Apple"]
    assert text["required"] == ["plan", "method"]
    exported = run_cli("-C", repo, "export", "--ref", "imported", "--to", "itly")
    schema = json.loads(exported.stdout)["events"][0]["schema"]
    assert schema["properties"]["method"]["enum"] == ["Email", "Google", "Apple"]
    assert schema["required"] == ["plan", "method"]
    # Reordered, the same sets: not a change.
    again = _import(run_cli, repo, tmp_path / "in.json", _itly(["Apple", "Email", "Google"], ["method", "plan"]))
    assert again == "Import completed: no changes"

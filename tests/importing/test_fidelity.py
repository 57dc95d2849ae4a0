"""Corpora through `trackplan import` into a real repository and `trackplan export` back to
their own format, compared field by field with the originals (normalisations: docs/export.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan.formats import read_source
from trackplan.formats.base import InputFile

pytestmark = pytest.mark.corpus


def differences(original: Any, exported: Any, path: str = "") -> list[str]:
    """The paths where two JSON documents differ; `enum` and `required` compare as sets."""
    if isinstance(original, dict) and isinstance(exported, dict):
        out = [f"{path}/{k}" for k in original.keys() ^ exported.keys()]
        for key in original.keys() & exported.keys():
            out += differences(original[key], exported[key], f"{path}/{key}")
        return out
    if isinstance(original, list) and isinstance(exported, list) and len(original) == len(exported):
        return [
            d
            for i, (a, b) in enumerate(zip(original, exported, strict=True))
            for d in differences(a, b, f"{path}[{i}]")
        ]
    return [] if original == exported else [path]


def test_iglu_central_round_trips_through_the_cli_unchanged(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    schemas = corpus("iglu-central", "schemas")
    repo, out = tmp_path / "p", tmp_path / "out"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", schemas, "--branch", "iglu")
    assert imported.exit_code == 0, imported.output
    exported = run_cli("-C", repo, "export", "--ref", "iglu", "--to", "snowplow", "--all-versions", "-o", f"{out}/")
    assert exported.exit_code == 0, exported.output
    files = sorted(schemas.glob("*/*/jsonschema/*"))
    changed = [
        file
        for file in files
        if differences(
            json.loads(file.read_text()), json.loads((out / "schemas" / file.relative_to(schemas)).read_text())
        )
    ]
    assert len(files) == 660 and changed == []
    assert len(list((out / "schemas").glob("*/*/jsonschema/*"))) == 660
    again = run_cli("-C", repo, "import", schemas, "--branch", "iglu", "--format", "json")
    assert json.loads(again.stdout)["message"] == "Import completed: no changes"


def round_trip(tmp_path: Path, run_cli: CliRunnerCall, original: Path, fmt: str) -> tuple[list[str], str]:
    """The field differences between a corpus file and its export after `trackplan import`
    into a plan made by `init --empty`, and what a second import of the file says."""
    repo, out = tmp_path / "p", tmp_path / f"out.{fmt}"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", original, "--branch", "in", "--method", "addAndUpdate")
    assert imported.exit_code == 0, imported.output
    exported = run_cli("-C", repo, "export", "--ref", "in", "--to", fmt, "-o", out)
    assert exported.exit_code == 0, exported.output
    again = run_cli("-C", repo, "import", original, "--branch", "in", "--method", "addAndUpdate", "--format", "json")
    found = differences(json.loads(original.read_bytes()), json.loads(out.read_bytes()))
    return found, json.loads(again.stdout)["message"]


def test_ampli_schema_json_round_trips_through_the_cli(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    found, again = round_trip(tmp_path, run_cli, corpus("interop", "ampli-schema-json", "schema.json"), "ampli")
    # `init --empty` writes identify.yaml with a description; an input without one keeps it.
    assert found == ["/definitions/IdentifyProperties/description"]
    assert again == "Import completed: no changes"


@pytest.mark.parametrize(
    "project", ["internal/typer/plan/testdata/project", "tests/testdata/project/create", "tests/testdata/project/update"]
)
def test_rudder_cli_catalogs_round_trip_through_the_cli(tmp_path: Path, run_cli: CliRunnerCall, project: str) -> None:
    folder = corpus("rudder-iac", "cli", *project.split("/"))
    repo, out = tmp_path / "p", tmp_path / "out"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", folder, "--branch", "in", "--method", "addAndUpdate")
    assert imported.exit_code == 0, imported.output
    exported = run_cli("-C", repo, "export", "--ref", "in", "--to", "rudderstack", "-o", f"{out}/")
    assert exported.exit_code == 0, exported.output
    original, back = (read_source(InputFile(b"", str(path)), "rudderstack").plan for path in (folder, out))
    assert [e.to_json() for e in back.events] == [e.to_json() for e in original.events]
    assert len(original.events) == 6
    again = run_cli("-C", repo, "import", folder, "--branch", "in", "--method", "addAndUpdate", "--format", "json")
    assert json.loads(again.stdout)["message"] == "Import completed: no changes"

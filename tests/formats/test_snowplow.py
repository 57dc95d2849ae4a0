"""Iglu folders: identity by vendor and name, other schema formats, path/self mismatches,
the `.json` layout, and boolean sub-schemas."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import CliRunnerCall
from trackplan.formats import read_source
from trackplan.formats.base import InputFile
from trackplan.repo.workspace import Workspace


def _schema(vendor: str, name: str, version: str, **body: object) -> dict[str, object]:
    meta = {"vendor": vendor, "name": name, "format": "jsonschema", "version": version}
    return {"self": meta, "type": "object", "properties": {}, **body}


def _write(root: Path, path: str, doc: object) -> None:
    file = root / path
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(doc if isinstance(doc, str) else json.dumps(doc))


def test_names_that_differ_only_in_case_across_vendors_are_two_qualified_events(tmp_path: Path) -> None:
    _write(tmp_path, "com.a/location/jsonschema/1-0-0", _schema("com.a", "location", "1-0-0"))
    _write(tmp_path, "com.b/LOCATION/jsonschema/1-0-0", _schema("com.b", "LOCATION", "1-0-0"))
    plan = read_source(InputFile(b"", str(tmp_path))).plan
    assert [e.name for e in plan.events] == ["com.a/location", "com.b/LOCATION"]


def test_other_formats_and_path_self_mismatches_are_warned_per_file(tmp_path: Path) -> None:
    _write(tmp_path, "com.a/click/jsonschema/1-0-0.json", _schema("com.a", "click", "1-0-0"))
    _write(tmp_path, "com.a/click/jsonschema/1-0-1", _schema("com.a", "clack", "1-0-1"))
    _write(tmp_path, "com.a/Config/avro/1-0-0", '{"type": "record"}')
    incoming = read_source(InputFile(b"", str(tmp_path)))
    assert sorted(e.name for e in incoming.plan.events) == ["clack", "click"]
    assert incoming.warnings == [
        f"{tmp_path}/com.a/Config/avro/1-0-0: not JSON Schema (avro); not imported.",
        f"{tmp_path}/com.a/click/jsonschema/1-0-1: its path says com.a/click/jsonschema/1-0-1 but its self "
        "says com.a/clack/jsonschema/1-0-1; the self is used.",
    ]


def test_a_false_sub_schema_imports(tmp_path: Path) -> None:
    _write(tmp_path, "com.a/e/jsonschema/1-0-0", _schema("com.a", "e", "1-0-0", properties={"gone": False}))
    event = read_source(InputFile(b"", str(tmp_path))).plan.events[0]
    assert event.get_property("gone").to_json() == {"not": {}}  # type: ignore[union-attr]


def test_every_version_is_kept_and_exported_with_all_versions(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    registry, out = tmp_path / "schemas", tmp_path / "out"
    written = {
        version: _schema("com.a", "click", version, properties={"n": {"type": "integer", "maximum": i}})
        for i, version in enumerate(["1-0-0", "1-0-1", "2-0-0"])
    }
    for version, doc in written.items():
        _write(registry, f"com.a/click/jsonschema/{version}", doc)
    assert run_cli("init", tmp_path / "p", "--empty").exit_code == 0
    assert run_cli("-C", tmp_path / "p", "import", registry, "--branch", "iglu").exit_code == 0
    plan = Workspace(tmp_path / "p").load("iglu").plan
    assert [e.version for e in plan.events] == ["2-0-0"]
    result = run_cli(
        "-C", tmp_path / "p", "export", "--ref", "iglu", "--to", "snowplow", "--all-versions", "-o", f"{out}/"
    )
    assert result.exit_code == 0, result.output
    for version, doc in written.items():
        assert json.loads((out / f"schemas/com.a/click/jsonschema/{version}").read_text()) == doc
    alone = run_cli("-C", tmp_path / "p", "export", "--ref", "iglu", "--to", "snowplow", "--all-versions")
    assert alone.exit_code == 2 and "--all-versions writes an Iglu folder" in alone.output


def test_an_unreadable_file_fails_naming_it_or_is_skipped_with_a_warning(
    tmp_path: Path, run_cli: CliRunnerCall
) -> None:
    registry = tmp_path / "schemas"
    _write(registry, "com.a/good/jsonschema/1-0-0", _schema("com.a", "good", "1-0-0"))
    _write(registry, "com.a/bad/jsonschema/1-0-0", "{not json")
    assert run_cli("init", tmp_path / "p", "--empty").exit_code == 0
    failed = run_cli("-C", tmp_path / "p", "import", registry, "--branch", "iglu")
    assert failed.exit_code == 2
    assert f"{registry}/com.a/bad/jsonschema/1-0-0:1:2: invalid JSON" in failed.output
    skipped = run_cli(
        "-C", tmp_path / "p", "import", registry, "--branch", "iglu", "--skip-invalid", "--format", "json"
    )
    assert skipped.exit_code == 0, skipped.output
    out = json.loads(skipped.stdout)
    assert out["result"]["newEvents"] == 1
    assert [w for w in out["warnings"] if w.startswith("skipped")] == [
        f"skipped {registry}/com.a/bad/jsonschema/1-0-0:1:2: invalid JSON: unexpected character, expected a string key"
    ]


def test_a_title_supersedes_tuple_items_and_draft_04_ids_come_back_as_written(
    tmp_path: Path, run_cli: CliRunnerCall
) -> None:
    registry, out = tmp_path / "schemas", tmp_path / "out"
    properties: dict[str, object] = {
        "at": {"id": "#at", "type": "array", "items": [{"type": "integer"}, {"type": "integer"}]},
        "gone": False,
    }
    doc = _schema("com.a", "click", "1-0-1", title="A click", properties=properties)
    doc["$supersedes"] = ["1-0-0"]
    doc["$supersededBy"] = "1-0-2"
    _write(registry, "com.a/click/jsonschema/1-0-1", doc)
    assert run_cli("init", tmp_path / "p", "--empty").exit_code == 0
    assert run_cli("-C", tmp_path / "p", "import", registry, "--branch", "iglu").exit_code == 0
    exported = run_cli("-C", tmp_path / "p", "export", "--ref", "iglu", "--to", "snowplow", "-o", f"{out}/")
    assert exported.exit_code == 0, exported.output
    back = json.loads((out / "schemas/com.a/click/jsonschema/1-0-1").read_text())
    assert back == {**doc, "properties": {**properties, "gone": {"not": {}}}}  # `false`, in the model's form

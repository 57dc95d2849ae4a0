"""snowplow-cli data structures: each file's `data` read as an Iglu schema, `meta` kept, and
the export lays the files out again as snowplow-cli does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall
from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats import detect, read_source
from trackplan.formats.base import InputFile, WriteOptions
from trackplan.formats.snowplow_ds import write

SELF_DESC = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"


def structure(name: str, version: str, meta: dict[str, Any], **schema: Any) -> dict[str, Any]:
    data = {
        "$schema": SELF_DESC,
        "self": {"vendor": "com.acme", "name": name, "format": "jsonschema", "version": version},
    }
    return {"apiVersion": "v1", "resourceType": "data-structure", "meta": meta, "data": {**data, **schema}}


CHECKOUT = structure(
    "checkout",
    "1-0-1",
    {"hidden": False, "schemaType": "event", "customData": {}},
    description="A checkout started.",
    type="object",
    properties={"cart_id": {"type": "string", "maxLength": 64}, "total": {"type": ["number", "null"]}},
    required=["cart_id"],
    additionalProperties=False,
)
USER = structure(
    "user",
    "1-0-0",
    {"hidden": True, "schemaType": "entity", "customData": {"team": "growth"}},
    type="object",
    properties={"id": {"type": "string"}},
    additionalProperties=False,
)


def folder(tmp_path: Path) -> Path:
    root = tmp_path / "data-structures" / "com.acme"
    root.mkdir(parents=True)
    (root / "checkout.yaml").write_text(yamlio.dump(CHECKOUT))
    (root / "user.json").write_text(json.dumps(USER))
    return tmp_path / "data-structures"


def test_a_folder_of_data_structures_is_detected_and_read_with_its_meta(tmp_path: Path) -> None:
    source = InputFile(b"", str(folder(tmp_path)))
    assert detect(source) == "snowplow-ds"
    plan = read_source(source, "snowplow-ds").plan
    assert [(e.name, e.version, e.event_type) for e in plan.events] == [
        ("checkout", "1-0-1", None),
        ("user", "1-0-0", "context"),
    ]
    user = plan.events[1]
    assert user.extra["x-hidden"] is True and user.extra["x-custom-data"] == {"team": "growth"}


def test_the_export_writes_each_file_back_as_it_was(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    repo, out = tmp_path / "p", tmp_path / "out"
    assert run_cli("init", repo, "--empty").exit_code == 0
    assert run_cli("-C", repo, "import", folder(tmp_path), "--branch", "ds").exit_code == 0
    exported = run_cli("-C", repo, "export", "--ref", "ds", "--to", "snowplow-ds", "-o", f"{out}/")
    assert exported.exit_code == 0, exported.output
    written = sorted(p.relative_to(out).as_posix() for p in out.rglob("*") if p.is_file())
    assert written == ["data-structures/com.acme/checkout.yaml", "data-structures/com.acme/user.yaml"]
    assert yamlio.load((out / written[0]).read_bytes()) == CHECKOUT
    assert yamlio.load((out / written[1]).read_bytes()) == USER
    again = run_cli("-C", repo, "import", out, "--branch", "ds", "--format", "json")
    assert json.loads(again.stdout)["message"] == "Import completed: no changes"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"apiVersion": "v2"}, "apiVersion: expected v1, got 'v2'"),
        ({"meta": {"schemaType": "thing"}}, "meta.schemaType: expected event or entity, got 'thing'"),
        ({"data": {"type": "object"}}, "data.self: missing"),
    ],
)
def test_a_broken_file_is_one_line_naming_the_file_and_field(
    tmp_path: Path, change: dict[str, Any], message: str
) -> None:
    file = tmp_path / "checkout.yaml"
    file.write_text(yamlio.dump({**CHECKOUT, **change}))
    with pytest.raises(InputError) as raised:
        read_source(InputFile(file.read_bytes(), str(file)), "snowplow-ds")
    assert str(raised.value) == f"{file}: {message}"


def test_one_yaml_file_and_the_printed_stream_are_detected_and_read(tmp_path: Path) -> None:
    single = folder(tmp_path) / "com.acme" / "checkout.yaml"
    assert detect(InputFile(single.read_bytes(), str(single))) == "snowplow-ds"
    plan = read_source(InputFile(b"", str(tmp_path / "data-structures")), "snowplow-ds").plan
    stream = write(plan, WriteOptions())
    assert [e.to_json() for e in read_source(InputFile(stream, "stream.yaml")).plan.events] == [
        e.to_json() for e in plan.events
    ]

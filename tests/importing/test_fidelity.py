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


IGLU_CORPORA = {  # folder: JSON Schema files in it
    "iglu-central/schemas": 660,
    "interop/iglu-example-schema-registry/schemas": 1,
    "interop/iglu-scala-client-test/schemas": 22,
    "interop/igluctl-lint-schemas/schemas": 3,
    "interop/igluctl-verify-parquet/schemas": 2,
    "interop/snowplow-micro-examples/schemas": 3,
}


@pytest.mark.parametrize(("folder", "count"), sorted(IGLU_CORPORA.items()))
def test_iglu_registries_round_trip_through_the_cli_unchanged(
    tmp_path: Path, run_cli: CliRunnerCall, folder: str, count: int
) -> None:
    schemas = corpus(*folder.split("/"))
    repo, out = tmp_path / "p", tmp_path / "out"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", schemas, "--branch", "iglu")
    assert imported.exit_code == 0, imported.output
    exported = run_cli("-C", repo, "export", "--ref", "iglu", "--to", "snowplow", "--all-versions", "-o", f"{out}/")
    assert exported.exit_code == 0, exported.output
    files = sorted(schemas.glob("*/*/jsonschema/*"))
    originals = [json.loads(file.read_text()) for file in files]
    # Written where each schema's `self` says (a path that disagrees gets a warning on import).
    written = [out / "schemas" / "{vendor}/{name}/jsonschema/{version}".format(**doc["self"]) for doc in originals]
    changed = [
        file
        for file, doc, back in zip(files, originals, written, strict=True)
        if differences(doc, json.loads(back.read_text()))
    ]
    assert len(files) == count and changed == []
    assert len(list((out / "schemas").glob("*/*/jsonschema/*"))) == count
    again = run_cli("-C", repo, "import", schemas, "--branch", "iglu", "--format", "json")
    assert json.loads(again.stdout)["message"] == "Import completed: no changes"


def round_trip(
    tmp_path: Path, run_cli: CliRunnerCall, original: Path, fmt: str, compare: Any = lambda doc: doc
) -> tuple[list[str], str]:
    """The field differences between a corpus file and its export after `trackplan import`
    into a plan made by `init --empty` (both seen through `compare`), and what a second
    import of the file says."""
    repo, out = tmp_path / "p", tmp_path / f"out.{fmt}"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", original, "--branch", "in", "--method", "addAndUpdate")
    assert imported.exit_code == 0, imported.output
    exported = run_cli("-C", repo, "export", "--ref", "in", "--to", fmt, "-o", out)
    assert exported.exit_code == 0, exported.output
    again = run_cli("-C", repo, "import", original, "--branch", "in", "--method", "addAndUpdate", "--format", "json")
    found = differences(compare(json.loads(original.read_bytes())), compare(json.loads(out.read_bytes())))
    return found, json.loads(again.stdout)["message"]


def test_ampli_schema_json_round_trips_through_the_cli(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    found, again = round_trip(tmp_path, run_cli, corpus("interop", "ampli-schema-json", "schema.json"), "ampli")
    assert found == []
    assert again == "Import completed: no changes"


@pytest.mark.parametrize(
    "project",
    ["internal/typer/plan/testdata/project", "tests/testdata/project/create", "tests/testdata/project/update"],
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


ENVELOPE_SLOTS = {"TRACK": "properties", "PAGE": "properties", "SCREEN": "properties", "IDENTIFY": "traits"}
ENVELOPE_SLOTS |= {"GROUP": "traits", "GLOBAL": "context"}


def segment_rules(doc: Any) -> dict[tuple[str, str | None], dict[str, Any]]:
    """Each rule of a Segment plan, in any of its shapes, by (type, event name): the description,
    labels and the schema of the call's part (`properties`, `traits` or `context`). This is the
    plan a Segment file carries; the shape it comes in is a normalisation (docs/export.md)."""
    rules = doc.get("rules", doc)
    if isinstance(rules, list):
        entries = [
            (r["type"], r.get("key") or r["jsonSchema"].get("eventMetadata", {}).get("name"), r["jsonSchema"])
            for r in rules
        ]
    else:
        entries = [
            (
                str(e.get("eventType") or "track").upper(),
                e.get("name"),
                {"description": e.get("description"), **e["rules"]},
            )
            for e in rules.get("events", [])
        ]
        for trait_key, kind in (("identify", "IDENTIFY"), ("identify_traits", "IDENTIFY"), ("group", "GROUP")):
            if isinstance(rules.get(trait_key), dict):
                entries.append((kind, None, rules[trait_key]))
        if isinstance(rules.get("global"), dict):
            entries.append(("GLOBAL", None, rules["global"]))
    out: dict[tuple[str, str | None], dict[str, Any]] = {}
    for kind, name, schema in entries:
        envelope = schema.get("properties") or {}
        wrapped = bool(envelope) and set(envelope) <= {"context", "properties", "traits", "required"}
        part = dict((envelope.get(ENVELOPE_SLOTS[kind]) if wrapped else schema) or {})
        for shown_apart in ("description", "$schema", "labels", "eventMetadata"):
            part.pop(shown_apart, None)
        part = {k: v for k, v in part.items() if v not in ({}, [])}  # an empty `properties` or `required` says nothing
        key = (kind, name or (kind.title() if kind in ("PAGE", "SCREEN") else None))
        out[key] = {
            "description": schema.get("description") or None,
            "labels": schema.get("labels") or None,
            "part": part,
        }
    return out


# (corpus, file): the differences that remain, each a documented normalisation (docs/export.md).
SEGMENT_CORPORA = {
    ("webflow-segment-designer", "current-rules.json"): [],
    ("webflow-segment-webflow", "current-rules.json"): [
        "Account Login Succeeded/part/properties/maintain 2FA 30 days/type",  # `type: any` is no JSON Schema type
        "Account Login Succeeded/part/properties/show password/type",
        "Billing Action Tracked/part/properties/coupon/type",
        "Matchmaking Experts Survey Step Submitted/part/properties/options selected/type",
        "Segmentation Survey Step Submitted/part/properties/options selected/type",
        "Template Item CTA Clicked/part/properties/template cost/type",
    ],
    ("typewriter-telemetry", "plan.json"): [],
    ("ruddertyper-plan", "plan.json"): [],
    ("typewriter-traits-fixture", "trackingPlanFixture.json"): [],
    ("typewriter-v5-local-plans", "tracking-plan-web.json"): [],
    ("typewriter-v5-local-plans", "tracking-plan-mobile.json"): [],
    # Rules without properties say nothing, and are not written back.
    ("uswitch-terraform-segment-event-libs", "page_events.json"): ["GLOBAL", "GROUP", "IDENTIFY"],
    ("uswitch-terraform-segment-rules", "rules.json"): ["GLOBAL", "GROUP", "IDENTIFY"],
}


@pytest.mark.parametrize(("name", "file"), sorted(SEGMENT_CORPORA), ids=lambda value: str(value))
def test_segment_plans_round_trip_through_the_cli(tmp_path: Path, run_cli: CliRunnerCall, name: str, file: str) -> None:
    original = corpus("interop", name, file)
    repo, out = tmp_path / "p", tmp_path / "out.json"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", original, "--branch", "in", "--method", "addAndUpdate")
    assert imported.exit_code == 0, imported.output
    assert run_cli("-C", repo, "export", "--ref", "in", "--to", "segment", "-o", out).exit_code == 0
    mine, back = segment_rules(json.loads(original.read_bytes())), segment_rules(json.loads(out.read_bytes()))
    found = sorted(str(kind) for kind, _ in mine.keys() - back.keys()) + sorted(
        f"{key[1]}{path}"
        for key in sorted(mine.keys() & back.keys(), key=str)
        for path in differences(mine[key], back[key])
    )
    assert back.keys() <= mine.keys() and found == SEGMENT_CORPORA[(name, file)]
    again = run_cli("-C", repo, "import", original, "--branch", "in", "--method", "addAndUpdate", "--format", "json")
    assert json.loads(again.stdout)["message"] == "Import completed: no changes"


def itly_parts(doc: Any) -> dict[tuple[str, ...], Any]:
    """itly's events by title, and its traits and contexts: the array order is not the plan's."""
    parts: dict[tuple[str, ...], Any] = {("event", e["schema"]["title"]): e for e in doc["events"]}
    parts.update(((key,), doc[key]) for key in ("identify", "group") if key in doc)
    contexts = doc.get("context") or []
    parts.update(
        (("context", str(c.get("source"))), c) for c in (contexts if isinstance(contexts, list) else [contexts])
    )
    return parts


def test_itly_plans_round_trip_through_the_cli(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    original = corpus("interop", "itly-sdk-python-schemas", "itly-export.json")
    found, again = round_trip(tmp_path, run_cli, original, "itly", compare=itly_parts)
    assert found == [] and again == "Import completed: no changes"

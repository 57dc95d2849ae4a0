"""`diff` resolves local `$ref`s before comparing: a change inside a shared definition is
reported on every property using it, a property pointed at another definition changes as
its schema does, and a ref written out inline (or the reverse) is no change."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan.diffing.schema import Place, SchemaDiffer, resolve_local_refs

ADDRESS = {"type": "object", "properties": {"zip": {"type": "string", "maxLength": 10}}}
SHORT_ADDRESS = {"type": "object", "properties": {"zip": {"type": "string", "maxLength": 5}}}


def event(defs: dict[str, Any], key: str = "$defs", **props: Any) -> dict[str, Any]:
    return {"type": "object", "properties": props, key: defs}


def ref(name: str, key: str = "$defs") -> dict[str, str]:
    return {"$ref": f"#/{key}/{name}"}


# (old, new, the (rule, property) of each change reported)
CASES: dict[str, tuple[dict[str, Any], dict[str, Any], list[tuple[str, str]]]] = {
    "a shared definition narrowed": (
        event({"address": ADDRESS}, shipping=ref("address"), billing=ref("address")),
        event({"address": SHORT_ADDRESS}, shipping=ref("address"), billing=ref("address")),
        [("TP032", "shipping.zip"), ("TP032", "billing.zip")],
    ),
    "draft-04 definitions": (
        event({"address": ADDRESS}, "definitions", home=ref("address", "definitions")),
        event({"address": SHORT_ADDRESS}, "definitions", home=ref("address", "definitions")),
        [("TP032", "home.zip")],
    ),
    "a ref pointed at another definition": (
        event({"address": ADDRESS, "count": {"type": "integer"}}, home=ref("address")),
        event({"address": ADDRESS, "count": {"type": "integer"}}, home=ref("count")),
        [("TP020", "home"), ("TP012", "home.zip")],
    ),
    "a ref written out inline": (
        event({"address": ADDRESS}, home=ref("address")),
        {"type": "object", "properties": {"home": ADDRESS}},
        [],
    ),
    "an unused definition changed": (
        event({"address": ADDRESS, "spare": {"type": "string"}}, home=ref("address")),
        event({"address": ADDRESS, "spare": {"type": "integer"}}, home=ref("address")),
        [],
    ),
    "a sibling keyword over the ref": (
        event({"address": ADDRESS}, home={**ref("address"), "description": "Where they live."}),
        event({"address": ADDRESS}, home={**ref("address"), "description": "Their home."}),
        [("TP040", "home")],
    ),
    "a ref inside items": (
        event({"address": ADDRESS}, stops={"type": "array", "items": ref("address")}),
        event({"address": SHORT_ADDRESS}, stops={"type": "array", "items": ref("address")}),
        [("TP032", "stops[].zip")],
    ),
    "a ref to a ref": (
        event({"address": ADDRESS, "home": ref("address")}, home=ref("home")),
        event({"address": SHORT_ADDRESS, "home": ref("address")}, home=ref("home")),
        [("TP032", "home.zip")],
    ),
    "an escaped pointer": (
        event({"a/b": ADDRESS}, home={"$ref": "#/$defs/a~1b"}),
        event({"a/b": SHORT_ADDRESS}, home={"$ref": "#/$defs/a~1b"}),
        [("TP032", "home.zip")],
    ),
    "a recursive definition": (
        event(
            {"node": {"type": "object", "properties": {"next": ref("node"), "n": {"type": "integer"}}}},
            root=ref("node"),
        ),
        event(
            {"node": {"type": "object", "properties": {"next": ref("node"), "n": {"type": "string"}}}}, root=ref("node")
        ),
        [("TP020", "root.n")],
    ),
    "a ref to another document stays as written": (
        {"type": "object", "properties": {"home": {"$ref": "address.json"}}},
        {"type": "object", "properties": {"home": {"$ref": "other.json"}}},
        [],
    ),
}


@pytest.mark.parametrize("case", list(CASES), ids=str)
def test_local_refs_are_compared_resolved(case: str) -> None:
    old, new, expected = CASES[case]
    changes = SchemaDiffer().schema(old, new, Place("property", "E"))
    assert [(c.rule, c.prop) for c in changes] == expected


def test_a_schema_without_local_refs_is_compared_as_it_is() -> None:
    schema = {"type": "object", "properties": {"a": {"$ref": "remote.json"}}}
    assert resolve_local_refs(schema) is schema


def test_refs_that_multiply_past_the_budget_stay_as_written() -> None:
    defs = {f"d{i}": {"anyOf": [ref(f"d{i + 1}")] * 4} for i in range(20)} | {"d20": {"type": "string"}}
    schema = event(defs, top=ref("d0"))
    assert resolve_local_refs(schema) is schema


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def test_diff_reports_a_shared_definition_change_on_each_property(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    file = plan_repo / "events" / "order-shipped.yaml"
    text = (
        "title: Order Shipped\ndescription: Sent when the parcel leaves.\ntype: object\nproperties:\n"
        "  shipping:\n    $ref: '#/$defs/address'\n  billing:\n    $ref: '#/$defs/address'\n"
        "$defs:\n  address:\n    type: object\n    properties:\n      zip:\n        type: string\n"
        "        maxLength: 10\n"
    )
    file.write_text(text)
    git(plan_repo, "add", "-A")
    git(plan_repo, "commit", "-qm", "Order Shipped")
    file.write_text(text.replace("maxLength: 10", "maxLength: 5"))
    git(plan_repo, "commit", "-qam", "Shorter zip codes")
    result = run_cli("-C", plan_repo, "diff", "main~1", "main", "--format", "json")
    found = [(c["rule"], c["property"]) for c in json.loads(result.stdout)["changeSets"]["update"]]
    assert found == [("TP032", "billing.zip"), ("TP032", "shipping.zip")]


def local_refs(node: Any) -> list[str]:
    if isinstance(node, dict):
        ref = node.get("$ref")
        found = [ref] if isinstance(ref, str) and ref.startswith("#") else []
        return found + [r for value in node.values() for r in local_refs(value)]
    return [r for item in node for r in local_refs(item)] if isinstance(node, list) else []


# Schemas with local refs in each corpus: `#/definitions/...` (Iglu, draft-04), `#/$defs/...` (2020-12).
LOCAL_REF_CORPORA = {"iglu-central/schemas": 8, "interop/ampli-schema-json": 1, "json-schema-diff/fixtures": 8}


@pytest.mark.corpus
@pytest.mark.parametrize(("folder", "count"), sorted(LOCAL_REF_CORPORA.items()))
def test_every_local_ref_of_the_corpora_resolves(folder: str, count: int) -> None:
    schemas = []
    for file in sorted(corpus(*folder.split("/")).rglob("*")):
        if file.is_file() and file.name not in ("SOURCE", "LICENSE"):
            doc = json.loads(file.read_text())
            schemas += [doc["lhs"], doc["rhs"]] if "lhs" in doc else [doc]
    with_refs = [schema for schema in schemas if local_refs(schema)]
    assert len(with_refs) == count
    assert [local_refs(resolve_local_refs(schema)) for schema in with_refs] == [[]] * count

"""Schema comparison, on the Sentry json-schema-diff fixtures, Iglu Central's history and
nested schemas."""

from __future__ import annotations

import itertools
import json
from collections.abc import Mapping
from typing import Any

import pytest

from tests.helpers import corpus
from trackplan.diffing.schema import Place, SchemaDiffer


def resolve_local_refs(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """Inline `#/...` refs, as the corpora use them, for comparison (cycles stop at a fixed depth)."""
    root = schema if root is None else root
    if depth > 32:
        return schema
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, Mapping) else None
            if isinstance(target, Mapping):
                merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
                return resolve_local_refs(merged, root, depth + 1)
        return {
            k: resolve_local_refs(v, root, depth + 1) for k, v in schema.items() if k not in ("definitions", "$defs")
        }
    if isinstance(schema, tuple | list):
        return [resolve_local_refs(v, root, depth + 1) for v in schema]
    return schema


# Expected worst severity under the validation profile ("none": no change), with the reason.
SENTRY_EXPECTED = {
    "additional_properties/extend": "info",  # more payloads accepted
    "additional_properties/restrict": "breaking",  # unknown keys now fail
    "any_of/any_of_with_constraint_to_type_1": "info",  # integer>=1 -> integer|string
    # Conservative: new top-level minimum 1 is not matched against old branch minimums (1, 2).
    "any_of/any_of_with_constraint_to_type_2": "breaking",
    "any_of/number_1": "warning",  # branch ranges reshuffled: cannot be proven either way
    "any_of/objects_1": "warning",
    "any_of/objects_2": "warning",
    "any_of/objects_3": "warning",
    "any_of/order_change": "none",  # branch order is not a change
    "any_of/to_equivalent_type": "none",
    "any_of/to_less_strict_type": "info",
    "any_of/to_more_strict_type": "breaking",  # integers now fail
    "any_of/type_to_any_of_within_array": "breaking",  # item 1 gains minimum 1
    "any_of/type_to_equivalent_any_of": "none",
    "any_of/type_to_less_strict_any_of": "info",  # minimum dropped
    "any_of/type_to_more_strict_any_of": "info",  # strings now accepted too
    "const/const_in_any_of_1": "breaking",
    "const/const_in_any_of_2": "breaking",
    "const/const_in_any_of_3": "info",  # objects and strings remain accepted types
    "const/const_in_properties": "info",
    "const/const_string_to_const_number": "breaking",
    "const/const_string_to_other_const_string": "breaking",
    "const/integer_to_const_string": "breaking",
    "const/number_to_const_string": "breaking",
    "const/object_to_const_object": "breaking",
    "const/string_to_const_number": "breaking",
    "enum/add": "info",
    "enum/add_and_remove": "breaking",
    "enum/add_constraint": "breaking",
    "enum/mixed_types": "info",
    "enum/number_values": "info",
    "enum/real_world_event_type": "info",
    "enum/remove": "breaking",
    "enum/remove_constraint": "info",
    "enum/unchanged": "none",
    "format/format_add": "breaking",
    "format/format_change": "breaking",
    "format/format_remove": "info",
    "format/format_unchanged": "none",
    "max_length/max_length_add": "breaking",
    "max_length/max_length_decrease": "breaking",
    "max_length/max_length_increase": "info",
    "max_length/max_length_remove": "info",
    "max_length/max_length_unchanged": "none",
    "min_length/min_length_add": "breaking",
    "min_length/min_length_decrease": "info",
    "min_length/min_length_increase": "breaking",
    "min_length/min_length_remove": "info",
    "min_length/min_length_unchanged": "none",
    "pattern/pattern_add": "breaking",
    "pattern/pattern_change": "breaking",
    "pattern/pattern_remove": "info",
    "pattern/pattern_unchanged": "none",
    "properties/add": "info",  # optional property
    "properties/add_property_in_array": "info",
    "properties/add_property_in_array_of_any_of": "info",  # one-branch anyOf: an optional property
    "properties/change": "breaking",  # string -> number
    "properties/remove": "info",  # open schema: old payloads still valid
    "properties/remove_property_while_allowing_additional_properties": "info",
    "range/add_maximum": "breaking",
    "range/add_minimum": "breaking",
    "range/add_minimum_in_array": "breaking",
    "range/all": "breaking",
    "range/change_minimum": "breaking",
    "range/change_minimum_and_maximum": "breaking",
    "range/minimum_to_exclusive_maximum": "breaking",
    "range/redundant_minimum_1": "info",
    "range/redundant_minimum_2": "info",
    "range/redundant_minimum_3": "info",
    "range/remove_maximum": "info",
    "range/remove_minimum": "info",
    "range/to_exclusive_maximum": "breaking",
    "range/to_exclusive_minimum": "breaking",
    "range/unchanged_minimum": "none",
    "ref/factor_out_definitions": "none",  # same schema, refs factored out
    "ref/factor_out_definitions_and_change": "breaking",
    "required/add": "breaking",
    "required/drop": "warning",  # valid data stays valid; consumers may see it missing
    "type/basic": "breaking",
    "type/extend_from_const": "info",
    "type/extend_type": "info",
    "type/integer_to_number": "info",
    "type/nothing": "none",
    "type/number_to_integer": "breaking",
    "type/restrict_to_const": "breaking",
}
RANK = {"none": 0, "info": 1, "warning": 2, "breaking": 3}


@pytest.mark.corpus
def test_every_sentry_fixture_is_classified_as_expected() -> None:
    fixtures = corpus("json-schema-diff", "fixtures")
    found = {f"{p.parent.name}/{p.stem}": p for p in fixtures.glob("*/*.json")}
    assert set(found) == set(SENTRY_EXPECTED), "fixtures changed: update the expectations"
    differ = SchemaDiffer()
    wrong = {}
    for name, path in sorted(found.items()):
        doc = json.loads(path.read_text())
        changes = differ.schema(resolve_local_refs(doc["lhs"]), resolve_local_refs(doc["rhs"]), Place(prop="x"))
        worst = max((c.severity for c in changes), key=RANK.__getitem__, default="none")
        if worst != SENTRY_EXPECTED[name]:
            wrong[name] = (worst, [c.rule for c in changes])
    assert wrong == {}


@pytest.mark.corpus
def test_suggested_bumps_agree_with_iglu_central_history() -> None:
    from trackplan.model import SchemaVer

    schemas = corpus("iglu-central", "schemas")
    differ = SchemaDiffer()
    agree = total = 0

    def body(path: object) -> dict[str, object]:
        doc = json.loads(path.read_text())  # type: ignore[attr-defined]
        return resolve_local_refs({k: v for k, v in doc.items() if k not in ("self", "$schema", "description")})  # type: ignore[no-any-return]

    for folder in schemas.glob("*/*/jsonschema"):
        versions = sorted(folder.iterdir(), key=lambda p: SchemaVer.parse(p.name))
        for before, after in itertools.pairwise(versions):
            changes = differ.schema(body(before), body(after), Place())
            suggested_model = any(c.severity == "breaking" for c in changes)
            actual_model = SchemaVer.parse(after.name).model > SchemaVer.parse(before.name).model
            total += 1
            agree += suggested_model == actual_model
    assert total > 100
    # MODEL vs not-MODEL agreement with the authors' own bumps: 127 of 141 pairs (90.1%).
    assert agree / total >= 0.9, f"{agree}/{total}"


def test_nested_changes_name_their_property_path() -> None:
    old = {
        "type": "object",
        "properties": {
            "items": {"type": "array", "items": {"type": "object", "properties": {"sku": {"type": "string"}}}}
        },
    }
    new = json.loads(json.dumps(old).replace('"string"', '"integer"'))
    new["properties"]["items"]["items"]["required"] = ["qty"]
    changes = SchemaDiffer().schema(old, new, Place("property", "Order Completed", "events/order.yaml"))
    assert [(c.op, c.subject, c.event, c.path, c.prop, c.rule, c.field, c.message) for c in changes] == [
        (
            "update",
            "property",
            "Order Completed",
            "events/order.yaml",
            "items[].sku",
            "TP020",
            "type",
            "Order Completed.items[].sku: type narrowed from string to integer",
        ),
        (
            "update",
            "property",
            "Order Completed",
            "events/order.yaml",
            "items[].qty",
            "TP026",
            "required",
            "Order Completed.items[].qty: now required",
        ),
    ]

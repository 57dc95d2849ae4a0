"""Schema comparison, on the Sentry json-schema-diff fixtures, Iglu Central's history and
nested schemas."""

from __future__ import annotations

import json
import runpy

import pytest

from tests.helpers import ROOT, corpus
from trackplan.diffing.schema import Place, SchemaDiffer

# The benchmark that measures agreement with both corpora.
AGREEMENT = runpy.run_path(str(ROOT / "benchmarks" / "bench_breaking_agreement.py"))


# Expected worst severity under the validation profile ("none": no change), with the reason.
SENTRY_EXPECTED = {
    "additional_properties/extend": "info",  # more payloads accepted
    "additional_properties/restrict": "breaking",  # unknown keys now fail
    "any_of/any_of_with_constraint_to_type_1": "info",  # integer>=1 -> integer|string
    # The branches' loosest minimum (1) against the new minimum 1: only the type widens.
    "any_of/any_of_with_constraint_to_type_2": "info",
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
    "const/const_in_any_of_3": "warning",  # types widen, but the branches changed: not provable
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
        changes = differ.schema(doc["lhs"], doc["rhs"], Place(prop="x"))  # the differ resolves their $refs
        worst = max((c.severity for c in changes), key=RANK.__getitem__, default="none")
        if worst != SENTRY_EXPECTED[name]:
            wrong[name] = (worst, [c.rule for c in changes])
    assert wrong == {}


# Where trackplan and the reference disagree; docs/diff.md argues each case.
DISAGREEMENTS = {
    "json-schema-diff": [
        "any_of/number_1",
        "any_of/objects_3",
        "const/const_in_any_of_3",
        "properties/add",
        "properties/add_property_in_array",
        "properties/add_property_in_array_of_any_of",
        "range/redundant_minimum_3",
        "type/restrict_to_const",
    ],
    "iglu-central": [
        "com.iterable/system_webhook 1-0-1 -> 2-0-0",
        "com.snowplowanalytics.accelerators.travel/schedule_update 1-0-0 -> 1-0-1",
        "com.snowplowanalytics.mobile/remote_config 1-0-0 -> 1-0-1",
        "com.snowplowanalytics.snowplow/browser_context 1-0-0 -> 2-0-0",
        "com.snowplowanalytics.snowplow/client_session 1-0-0 -> 1-0-1",
        "com.snowplowanalytics.snowplow/recoveries 2-0-0 -> 3-0-0",
        "com.snowplowanalytics.snowplow/ua_parser_config 1-0-0 -> 1-0-1",
        "com.snowplowanalytics.snowplow.badrows/loader_runtime_error 1-0-0 -> 1-0-1",
        "com.snowplowanalytics.snowplow.enrichments/bot_detection_enrichment_config 1-0-0 -> 1-0-1",
        "com.snowplowanalytics.snowplow.storage/redshift_config 3-0-0 -> 4-0-0",
    ],
}


@pytest.mark.corpus
def test_breaking_verdicts_agree_with_json_schema_diff_and_iglu_central() -> None:
    """Both agreement figures of benchmarks/bench_breaking_agreement.py, and the named cases
    where trackplan disagrees: each is argued in docs/diff.md."""
    sentry = AGREEMENT["json_schema_diff_cases"](corpus("json-schema-diff", "fixtures"))
    iglu = AGREEMENT["iglu_cases"](corpus("iglu-central", "schemas"))
    assert (sum(c.agreed for c in sentry), len(sentry)) == (77, 85)
    assert (sum(c.agreed for c in iglu), len(iglu)) == (131, 141)
    found = {"json-schema-diff": sentry, "iglu-central": iglu}
    assert {k: [c.name for c in cases if not c.agreed] for k, cases in found.items()} == DISAGREEMENTS
    docs = (ROOT / "docs" / "diff.md").read_text()
    assert [name for names in DISAGREEMENTS.values() for name in names if f"`{name}`" not in docs] == []


def test_an_anyof_differing_only_in_bounds_compares_by_its_loosest_bound() -> None:
    old = {"anyOf": [{"type": "integer", "minimum": 1}, {"type": "integer", "minimum": 2}]}
    new = {"type": ["integer", "string"], "minimum": 1}
    assert [c.rule for c in SchemaDiffer().schema(old, new, Place(prop="x"))] == ["TP021"]
    assert [c.rule for c in SchemaDiffer().schema(old, {"type": "integer", "minimum": 2}, Place(prop="x"))] == ["TP032"]


def test_object_keywords_on_a_newly_allowed_object_break_nothing() -> None:
    old = {"type": "string"}
    new = {"type": ["string", "object"], "properties": {"ref": {"type": "string"}}, "required": ["ref"]}
    assert [(c.rule, c.message) for c in SchemaDiffer().schema(old, new, Place(prop="password"))] == [
        ("TP021", "password: type widened from string to object | string")
    ]


def test_a_bound_every_old_value_meets_is_no_tightening() -> None:
    old = {"type": "string", "enum": ["phone", "tablet"]}
    changes = SchemaDiffer().schema(old, {"type": "string", "maxLength": 6}, Place(prop="deviceClass"))
    assert [(c.rule, c.severity, c.message) for c in changes] == [
        ("TP025", "info", "deviceClass: the list of allowed values was lifted"),
        ("TP033", "info", "deviceClass: maxLength set to `6` (every value allowed before meets it)"),
    ]
    uuid = SchemaDiffer().schema(
        {"type": "string", "format": "uuid"}, {"type": "string", "format": "uuid", "maxLength": 36}, Place(prop="id")
    )
    assert [c.rule for c in uuid] == ["TP033"]
    assert [c.rule for c in SchemaDiffer().schema(old, {"type": "string", "maxLength": 5}, Place(prop="d"))] == [
        "TP025",
        "TP032",
    ]


def test_pattern_properties_are_compared() -> None:
    old = {"type": "object", "patternProperties": {"^iglu:": {"type": "array", "items": {"enum": ["a", "b"]}}}}
    new = {"type": "object", "patternProperties": {"^iglu:": {"type": "array", "items": {"enum": ["a"]}}}}
    assert [(c.rule, c.message) for c in SchemaDiffer().schema(old, new, Place())] == [
        ("TP022", '{^iglu:}[]: enum value `"b"` removed')
    ]


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

"""The decisions codegen makes before writing any text: types from JSON Schema, and names."""

from __future__ import annotations

from typing import Any

from trackplan.codegen import typescript
from trackplan.codegen.library import Library, build_library
from trackplan.codegen.names import PYTHON_STYLE, TS_STYLE
from trackplan.model import Event


def library(*docs: dict[str, Any], style: Any = TS_STYLE) -> Library:
    return build_library([Event.from_json(doc) for doc in docs], None, None, (), style)


def types(doc: dict[str, Any]) -> dict[str, str]:
    (call,) = library(doc).events
    return {f.key: typescript.type_expression(f.type) for f in call.properties.fields}


def test_json_schema_types() -> None:
    assert types(
        {
            "title": "E",
            "properties": {
                "a": {"type": ["integer", "number"]},
                "b": {"type": ["integer", "null"], "enum": [3, 1, 2]},
                "c": {"enum": ["x", None]},
                "d": {"const": 3},
                "e": {"type": "string", "enum": ["s", 1]},
                "f": {"type": "array", "items": {"type": ["string", "null"]}},
                "g": {"$ref": "#/$defs/g"},
                "h": {"$ref": "https://example.com/h.json"},
                "i": {"oneOf": [{"type": "string"}, {"type": "boolean"}]},
                "j": {"type": "object"},
                "k": {},
            },
            "$defs": {"g": {"$ref": "#/$defs/g"}},
        }
    ) == {
        "a": "number",
        "b": "3 | 1 | 2",  # the enum's order, and no null: null is not in the enum
        "c": '"x" | null',
        "d": "3",
        "e": '"s"',  # only the values of the declared type
        "f": "readonly (string | null)[]",
        "g": "unknown",  # a cycle
        "h": "unknown",  # not in this file
        "i": "string | boolean",
        "j": "Readonly<Record<string, unknown>>",
        "k": "unknown",
    }


def test_an_enum_keeps_each_events_order_where_schemas_are_shared() -> None:
    first = {"title": "A", "properties": {"plan": {"type": "string", "enum": ["free", "pro"]}}}
    second = {"title": "B", "properties": {"plan": {"type": "string", "enum": ["pro", "free"]}}}
    a, b = library(first, second).events
    assert typescript.type_expression(a.properties.fields[0].type) == '"free" | "pro"'
    assert typescript.type_expression(b.properties.fields[0].type) == '"pro" | "free"'
    same = library(first, {**first, "title": "C"}).events
    assert same[0].properties.fields[0] is same[1].properties.fields[0]  # written once per render


def test_nested_objects_are_named_after_their_event_and_property() -> None:
    doc = {
        "title": "Order Shipped",
        "properties": {
            "address": {"type": "object", "properties": {"geo": {"type": "object", "properties": {"lat": {}}}}},
        },
    }
    names = [obj.name for obj in library(doc).objects]
    assert names == ["OrderShippedAddressGeo", "OrderShippedAddress", "OrderShipped"]
    # Event types are named first: the nested type takes a suffix, and its own nested type follows.
    assert [obj.name for obj in library(doc, {"title": "Order Shipped Address"}).objects] == [
        "OrderShippedAddress2Geo",
        "OrderShippedAddress_2",
        "OrderShipped",
        "OrderShippedAddress",
    ]


def test_python_names_share_one_scope() -> None:
    (call,) = library({"title": "購入完了"}, style=PYTHON_STYLE).events
    assert (call.function, call.properties.name) == ("購入完了", "購入完了_2")
    ts = library({"title": "購入完了"}).events[0]
    assert (ts.function, ts.properties.name) == ("購入完了", "購入完了")

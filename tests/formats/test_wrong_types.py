"""Values of the wrong type in an import: the one-line error names the JSON path of the value."""

from __future__ import annotations

import json
from typing import Any

import pytest

from trackplan.errors import InputError
from trackplan.formats import read_source
from trackplan.formats.base import InputFile


def _avo(event: dict[str, Any]) -> bytes:
    return json.dumps({"events": [{"name": "A", "id": "a"}, {"name": "B", "id": "b", **event}]}).encode()


def _standard(event: dict[str, Any]) -> bytes:
    return json.dumps({"schema": {"events": {"A": {"type": "object", **event}}}}).encode()


@pytest.mark.parametrize(
    ("fmt", "data", "message"),
    [
        ("avo-json", _avo({"tags": 5}), "plan.json: events[1].tags: expected a list of strings, got 5"),
        (
            "avo-json",
            _avo({"categories": "x"}),
            "plan.json: events[1].categories: expected a list of category ids, got 'x'",
        ),
        (
            "avo-json",
            _avo({"categories": [[1]]}),
            "plan.json: events[1].categories: expected a list of category ids, got [[1]]",
        ),
        ("avo-json", _avo({"sources": True}), "plan.json: events[1].sources: expected a list of sources, got True"),
        (
            "avo-json",
            _avo({"sources": [{"name": "web", "destinations": 5}]}),
            "plan.json: events[1].sources[0].destinations: expected a list of destinations, got 5",
        ),
        (
            "avo-json",
            _avo({"stakeholderDomains": 5}),
            "plan.json: events[1].stakeholderDomains: expected a list, got 5",
        ),
        (
            "avo-json",
            _avo({"rules": {"properties": {"properties": "x"}}}),
            "plan.json: events[1].rules.properties.properties: expected an object, got 'x'",
        ),
        (
            "avo-json",
            _avo(
                {
                    "rules": {
                        "properties": {
                            "properties": {"type": "object", "required": 5},
                            "userProperties": {"properties": {"p": {}}},
                        }
                    }
                }
            ),
            "plan.json: events[1].rules.properties.properties.required: expected a list, got 5",
        ),
        (
            "avo-json",
            _avo({"rules": {"properties": {"userProperties": {"properties": 5}}}}),
            "plan.json: events[1].rules.properties.userProperties.properties: expected an object, got 5",
        ),
        (
            "itly",
            json.dumps({"events": [{"sources": 5, "schema": {"title": "A", "type": "object"}}]}).encode(),
            "plan.json: events[0].sources: expected a list of sources, got 5",
        ),
        (
            "jsonschema",
            _standard({"allOf": [{"required": 5}]}),
            "plan.json: schema.events.A.allOf[0].required: expected a list, got 5",
        ),
        (
            "jsonschema",
            _standard({"oneOf": [{}, {"properties": "x"}]}),
            "plan.json: schema.events.A.oneOf[1].properties: expected an object, got 'x'",
        ),
        (
            "jsonschema",
            _standard({"allOf": [{"anyOf": [{"required": "a"}]}]}),
            "plan.json: schema.events.A.allOf[0].anyOf[0].required: expected a list, got 'a'",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_named_by_its_path(fmt: str, data: bytes, message: str) -> None:
    with pytest.raises(InputError) as raised:
        read_source(InputFile(data, "plan.json"), fmt)
    assert str(raised.value) == message

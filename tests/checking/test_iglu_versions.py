"""A Snowplow payload is checked against the version its Iglu URI names: the newest is the
event, each earlier version an import kept checks its own payloads, and any other is unknown."""

from __future__ import annotations

from trackplan.checking.checker import Checker
from trackplan.model import Event, Plan

EARLIER = {
    "$schema": "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#",
    "self": {"vendor": "com.acme", "name": "click", "format": "jsonschema", "version": "1-0-0"},
    "type": "object",
    "properties": {"x": {"type": "integer"}},
    "additionalProperties": False,
}
NEWEST = {
    "title": "click",
    "type": "object",
    "x-vendor": "com.acme",
    "x-version": "1-0-1",
    "x-iglu-earlier": [EARLIER],
    "properties": {"x": {"type": "integer"}, "y": {"type": "string"}},
    "additionalProperties": False,
}


def payload(version: str) -> dict[str, object]:
    return {"schema": f"iglu:com.acme/click/jsonschema/{version}", "data": {"x": 1, "y": "a"}}


def test_each_payload_is_checked_against_the_version_it_names() -> None:
    checker = Checker(Plan(events=(Event.from_json(NEWEST),)))
    newest, earlier, unknown = (checker.check(payload(v)) for v in ("1-0-1", "1-0-0", "9-9-9"))
    assert (newest.event, newest.valid) == ("click", True)
    assert (earlier.event, earlier.valid) == ("click@1-0-0", False)  # `y` came in 1-0-1
    assert (unknown.known, unknown.event) == (False, "iglu:com.acme/click/jsonschema/9-9-9")

"""The compatibility of a narrowing with its event's schema: compatible, undecidable and
incompatible, offline; an incompatible verdict's payload is checked with python-jsonschema."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import git, plans
from trackplan.trackingplans.compatibility import COMPATIBLE, INCOMPATIBLE, UNDECIDABLE, compatibility

EVENT: dict[str, Any] = {
    "type": "object",
    "properties": {
        "order_id": {"type": "string", "pattern": "^ord_"},
        "amount": {"type": "number", "minimum": 0},
        "channel": {"type": "string", "enum": ["web", "app", "store"]},
        "items": {"type": "array", "items": {"type": "string"}, "maxItems": 50},
    },
    "required": ["order_id", "amount"],
    "additionalProperties": False,
}


def narrowed(**properties: Any) -> dict[str, Any]:
    """The event's schema with some properties replaced (None removes one), every property required."""
    props = {**EVENT["properties"], **properties}
    props = {k: v for k, v in props.items() if v is not None}
    return {**EVENT, "properties": props, "required": sorted(props)}


COMPATIBLE_CASES = {
    "the event's own schema": EVENT,
    "fewer values, a tighter bound, required": narrowed(
        channel={"type": "string", "enum": ["web"]}, amount={"type": "integer", "minimum": 10}
    ),
    "a property dropped from a closed narrowing": narrowed(items=None),
    "fixed values the event accepts": {**EVENT, "properties": {**EVENT["properties"], "channel": {"const": "app"}}},
    "fewer items": narrowed(items={"type": "array", "items": {"type": "string", "maxLength": 8}, "maxItems": 3}),
}
INCOMPATIBLE_CASES = {
    "a value the event lacks": narrowed(channel={"type": "string", "enum": ["web", "kiosk"]}),
    "a looser bound": narrowed(amount={"type": "number", "minimum": -5}),
    "another type": narrowed(amount={"type": ["number", "string"]}),
    "an open object": {**narrowed(), "additionalProperties": True},
    "a property the event lacks": narrowed(coupon={"type": "string"}),
    "a required property left optional": {**narrowed(), "required": ["order_id"]},
    "no type at all": {"properties": {"channel": {"enum": ["web"]}}},
}
UNDECIDABLE_CASES = {
    "anyOf": (
        narrowed(order_id={"type": "string", "pattern": "^ord_", "anyOf": [{"minLength": 5}, {"maxLength": 2}]}),
        "order_id: anyOf not compared",
    ),
    "another pattern": (
        narrowed(order_id={"type": "string", "pattern": "^ord_[0-9]+$"}),
        "order_id: the narrowing does not repeat the event's pattern '^ord_'",
    ),
    "a $ref": (
        {**narrowed(), "$defs": {"id": {"type": "string"}}, "properties": {"order_id": {"$ref": "#/$defs/id"}}},
        "order_id: $ref not compared",
    ),
}


@pytest.mark.parametrize("narrowing", COMPATIBLE_CASES.values(), ids=COMPATIBLE_CASES.keys())
def test_compatible_narrowings_are_proven(narrowing: dict[str, Any]) -> None:
    verdict = compatibility(narrowing, EVENT)
    assert (verdict.result, verdict.reason) == (
        COMPATIBLE,
        "every payload the narrowing accepts, the event's schema accepts",
    )


@pytest.mark.parametrize("narrowing", INCOMPATIBLE_CASES.values(), ids=INCOMPATIBLE_CASES.keys())
def test_incompatible_narrowings_come_with_a_payload_that_shows_it(narrowing: dict[str, Any]) -> None:
    verdict = compatibility(narrowing, EVENT)
    assert verdict.result == INCOMPATIBLE
    assert jsonschema.Draft202012Validator(narrowing).is_valid(verdict.payload)
    assert not jsonschema.Draft202012Validator(EVENT).is_valid(verdict.payload)
    shown = json.dumps(verdict.payload, sort_keys=True)
    assert verdict.reason == f"the narrowing accepts {shown}, which the event's schema refuses"


@pytest.mark.parametrize(("narrowing", "reason"), UNDECIDABLE_CASES.values(), ids=UNDECIDABLE_CASES.keys())
def test_undecidable_narrowings_say_what_was_not_compared(narrowing: dict[str, Any], reason: str) -> None:
    assert (compatibility(narrowing, EVENT).result, compatibility(narrowing, EVENT).reason) == (UNDECIDABLE, reason)


def test_validate_reports_the_three_verdicts_of_a_plan(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """The template's Checkout Completed (closed, currency pinned by a pattern) narrowed three ways."""
    git(plan_repo, "checkout", "-q", "-b", "plans/compat")
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", "plans/compat")
    for name in ("Kept", "Unsure", "Wrong"):
        plans(run_cli, plan_repo, "add-spec", "Checkout", "--event", "Checkout Completed", "--spec-name", name)
    file = plan_repo / "tracking-plans" / "checkout.yaml"
    schema = (
        "  schema:\n    type: object\n    additionalProperties: false\n"
        "    required: [order_id, revenue, currency, payment_method]\n    properties:\n"
        "      order_id: {type: string, pattern: '^ord_[A-Za-z0-9]{10}$'}\n"
        "      revenue: {type: number, minimum: MIN}\n      currency: {type: string, pattern: CURRENCY}\n"
        "      payment_method: {type: string, enum: [card]}\n"
    )
    text = file.read_text()
    for name, minimum, currency in (
        ("Kept", "5", "'^[A-Z]{3}$'"),
        ("Unsure", "5", "'^EUR$'"),
        ("Wrong", "-1", "'^[A-Z]{3}$'"),
    ):
        text = text.replace(
            f"  name: {name}\n", f"  name: {name}\n" + schema.replace("MIN", minimum).replace("CURRENCY", currency)
        )
    file.write_text(text)
    result = run_cli("-C", plan_repo, "validate", "--format", "json")
    found = [
        (f["rule"], f["line"], f["message"].split(": the narrowing")[0]) for f in json.loads(result.stdout)["findings"]
    ]
    assert found == [
        ("TP149", 26, "`Unsure`"),
        ("TP148", 41, "`Wrong`"),
    ]
    assert result.exit_code == 1
    shown = plans(run_cli, plan_repo, "show", "Checkout")
    specs = {s["id"]: s["name"] for s in shown["trackingPlan"]["eventSpecifications"]}
    verdicts = [(specs[v["eventSpecification"]], v["result"]) for v in shown["compatibility"]]
    assert verdicts == [("Kept", COMPATIBLE), ("Unsure", UNDECIDABLE), ("Wrong", INCOMPATIBLE)]
    text = run_cli("-C", plan_repo, "plans", "show", "Checkout").stdout
    assert "  - Kept (draft, narrowing compatible): event Checkout Completed\n" in text
    assert "  - Wrong (draft, narrowing incompatible): event Checkout Completed\n" in text

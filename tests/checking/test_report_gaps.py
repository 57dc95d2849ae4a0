"""What a `check` report tells a reviewer: every violation counted, whole enum messages,
where each invalid payload is, and `format` asserted unless `--no-formats`."""

from __future__ import annotations

import io
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall
from trackplan import Checker
from trackplan.checking.run import TOP_ERRORS, run_checks
from trackplan.checking.text import render_text
from trackplan.model import Event, Plan, Property


def lines(*docs: dict[str, Any]) -> bytes:
    return b"".join(json.dumps(doc).encode() + b"\n" for doc in docs)


def test_every_violation_is_counted_and_the_listed_kinds_say_what_was_left_out() -> None:
    names = [f"p{i:02d}" for i in range(TOP_ERRORS + 3)]
    plan = Plan(events=(Event("E", properties=tuple(Property.build(n, type="integer") for n in names)),))
    # p00 wrong in 3 payloads, every other property wrong in 1: 3 + 12 violations in 13 kinds
    docs = [{"event": "E", "properties": {n: "x" for n in names}}, *[{"event": "E", "properties": {"p00": "x"}}] * 2]
    stats = run_checks(Checker(plan), io.BytesIO(lines(*docs))).to_json()["events"]["E"]
    assert (stats["invalid"], stats["errors"]) == (3, 15)
    assert len(stats["topErrors"]) == TOP_ERRORS
    assert stats["topErrors"][0] == {
        "path": "$.properties.p00",
        "message": '"x" is not of type "integer"',
        "count": 3,
        "at": [{"line": 1}, {"line": 2}, {"line": 3}],
    }
    assert stats["otherErrors"] == {"kinds": 3, "count": 3}
    assert sum(e["count"] for e in stats["topErrors"]) + stats["otherErrors"]["count"] == stats["errors"]
    text = render_text(run_checks(Checker(plan), io.BytesIO(lines(*docs))).to_json())
    assert "    and 3 more violations of 3 other kinds\n" in text


def test_an_enum_error_names_every_allowed_value(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    doc = {"type": "track", "event": "Checkout Completed", "properties": {"payment_method": "cash"}}
    result = run_cli("-C", plan_repo, "check", "-", "--format", "json", input=lines(doc))
    messages = [e["message"] for e in json.loads(result.stdout)["events"]["Checkout Completed"]["topErrors"]]
    assert '"cash" is not one of "card", "paypal", "apple_pay" or "invoice"' in messages


def test_invalid_payloads_are_located_by_jsonl_line(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    bad = {"event": "Search Performed", "properties": {"query": "x"}}
    good = {"event": "Search Performed", "properties": {"query": "x", "result_count": 1}}
    payloads = b"\n" + lines(good, bad, good) + b"\n" + lines(bad, {"event": "Nope", "properties": {}})
    summary = json.loads(run_cli("-C", plan_repo, "check", "-", "--format", "json", input=payloads).stdout)
    [error] = summary["events"]["Search Performed"]["topErrors"]
    assert error["at"] == [{"line": 3}, {"line": 6}]
    assert summary["unknownEventsAt"] == {"Nope": [{"line": 7}]}


@pytest.mark.parametrize(
    ("indent", "expected"),
    [
        (None, [{"index": 1, "line": 1}, {"index": 3, "line": 1}]),
        (2, [{"index": 1, "line": 9}, {"index": 3, "line": 22}]),
    ],
    ids=["one-line", "pretty-printed"],
)
def test_invalid_payloads_in_a_json_array_get_index_and_line(
    plan_repo: Path, run_cli: CliRunnerCall, indent: int | None, expected: list[dict[str, int]]
) -> None:
    bad = {"event": "Search Performed", "properties": {"query": "x"}}
    good = {"event": "Search Performed", "properties": {"query": "x", "result_count": 1}}
    payloads = json.dumps([good, bad, good, bad], indent=indent)
    summary = json.loads(run_cli("-C", plan_repo, "check", "-", "--format", "json", input=payloads).stdout)
    assert summary["events"]["Search Performed"]["topErrors"][0]["at"] == expected
    text = run_cli("-C", plan_repo, "check", "-", input=payloads).stdout
    where = ", ".join(f"[{at['index']}] line {at['line']}" for at in expected)
    assert f'    2× $.properties: "result_count" is a required property (at {where})\n' in text


def test_format_is_asserted_unless_no_formats(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    file = plan_repo / "events" / "signed-up.yaml"
    file.write_text(
        file.read_text().replace("properties:\n", "properties:\n  email:\n    type: string\n    format: email\n", 1)
    )
    subprocess.run(["git", "commit", "-qam", "email"], cwd=plan_repo, check=True)
    doc = {"event": "Signed Up", "properties": {"signup_method": "email", "plan": "pro", "email": "not an address"}}
    strict = json.loads(run_cli("-C", plan_repo, "check", "-", "--format", "json", input=lines(doc)).stdout)
    assert strict["invalid"] == 1
    assert strict["events"]["Signed Up"]["topErrors"] == [
        {"path": "$.properties.email", "message": '"not an address" is not a "email"', "count": 1, "at": [{"line": 1}]}
    ]
    args = ("-C", plan_repo, "check", "-", "--no-formats", "--format", "json")
    lenient = json.loads(run_cli(*args, input=lines(doc)).stdout)
    assert (lenient["invalid"], lenient["events"]["Signed Up"]["valid"]) == (0, 1)


def test_a_checker_without_formats_survives_pickling() -> None:
    import pickle

    plan = Plan(events=(Event("E", properties=(Property.build("at", type="string", format="date-time"),)),))
    payload = {"event": "E", "properties": {"at": "yesterday"}}
    assert not Checker(plan).check(payload).valid
    assert pickle.loads(pickle.dumps(Checker(plan, formats=False))).check(payload).valid

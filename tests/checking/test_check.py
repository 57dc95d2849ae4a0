from __future__ import annotations

import io
import json
import pickle
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan import Checker
from trackplan.checking.run import MaxInvalid, QAReport, run_checks
from trackplan.checking.sources import Malformed, batches
from trackplan.checking.text import render_text
from trackplan.errors import InputError
from trackplan.repo.workspace import Workspace

PAYLOADS = DATA / "payloads"


def read_all(data: bytes) -> list[tuple[str, Any, str | None]]:
    """(where, payload, error) for every payload of `data`, as `check` reads them."""
    out: list[tuple[str, Any, str | None]] = []
    for batch in batches(io.BytesIO(data)):
        for i, doc in enumerate(batch.docs):
            malformed = isinstance(doc, Malformed)
            out.append((str(batch.locate(i)), None if malformed else doc, doc.error if malformed else None))
    return out


def check(run_cli: CliRunnerCall, repo: Path, *args: str) -> tuple[int, dict[str, Any]]:
    result = run_cli("-C", repo, "check", *args, "--format", "json")
    return result.exit_code, json.loads(result.stdout)


def test_every_payload_shape_validates(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    code, doc = check(run_cli, plan_repo, str(PAYLOADS / "shapes.jsonl"))
    assert code == 0
    assert doc["checked"] == 5 and doc["invalid"] == 0 and doc["unknownEvents"] == {}
    assert set(doc["events"]) == {"Checkout Completed", "$identify", "Signed Up", "Product Viewed", "Search Performed"}
    assert doc["events"]["Product Viewed"]["neverSent"] == ["list_position"]


def test_a_payload_failing_several_rules(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    code, doc = check(run_cli, plan_repo, str(PAYLOADS / "invalid.jsonl"), "--max-invalid", "2")
    assert code == 1  # 3 invalid > 2
    checkout = doc["events"]["Checkout Completed"]
    assert (checkout["seen"], checkout["valid"], checkout["invalid"]) == (2, 1, 1)
    paths = {e["path"] for e in checkout["topErrors"]}
    assert {
        "$.properties.order_id",
        "$.properties.revenue",
        "$.properties.currency",
        "$.properties.payment_method",
    } <= paths
    messages = " ".join(e["message"] for e in checkout["topErrors"])
    assert "does not match" in messages and "less than the minimum" in messages
    signed = doc["events"]["Signed Up"]["topErrors"]
    assert {e["path"] for e in signed} == {"$.event_properties.signup_method", "$.user_properties.plan"}
    assert doc["unknownEvents"] == {"Mystery Event": 1}
    assert check(run_cli, plan_repo, str(PAYLOADS / "invalid.jsonl"), "--max-invalid", "80%")[0] == 0


def test_malformed_lines_are_counted_never_fatal(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    code, doc = check(run_cli, plan_repo, str(PAYLOADS / "malformed.jsonl"))
    assert code == 0
    assert doc["malformed"] == 2 and [m["line"] for m in doc["malformedLines"]] == [2, 5]
    assert doc["events"]["Search Performed"]["invalid"] == 1


def test_json_array_input_and_stdin(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    _, doc = check(run_cli, plan_repo, str(PAYLOADS / "array.json"))
    assert doc["checked"] == 2 and doc["invalid"] == 1
    result = run_cli("-C", plan_repo, "check", "-", "--format", "json", input=(PAYLOADS / "shapes.jsonl").read_bytes())
    assert json.loads(result.stdout)["checked"] == 5


def test_check_against_another_ref(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    file = plan_repo / "events" / "search-performed.yaml"
    file.write_text(
        file.read_text().replace("required: [query, result_count]", "required: [query, result_count, filters]")
    )
    subprocess.run(["git", "commit", "-qam", "filters required"], cwd=plan_repo, check=True)
    payload = str(PAYLOADS / "array.json")
    assert check(run_cli, plan_repo, payload)[1]["invalid"] == 2
    assert check(run_cli, plan_repo, payload, "--ref", "HEAD~1")[1]["invalid"] == 1


def test_sample_checks_at_most_n(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    _, doc = check(run_cli, plan_repo, str(PAYLOADS / "shapes.jsonl"), "--sample", "2")
    assert doc["checked"] == 2


def test_checker_is_pickle_safe_and_works_as_a_plain_function(plan_repo: Path) -> None:
    checker = Checker(Workspace(plan_repo).load("HEAD").plan)
    payload = {"event": "Search Performed", "properties": {"query": "x"}}
    assert not checker.check(payload).valid
    clone = pickle.loads(pickle.dumps(checker))
    result = clone.check(payload)
    assert not result.valid and result.errors == [("$.properties", '"result_count" is a required property')]

    def partition(rows: list[dict[str, Any]]) -> list[bool]:  # what mapPartitions would call
        local = pickle.loads(pickle.dumps(checker))
        return [local.check(r).valid for r in rows]

    assert partition([payload, {"event": "Search Performed", "properties": {"query": "x", "result_count": 1}}]) == [
        False,
        True,
    ]


def test_streaming_keeps_memory_bounded() -> None:
    # A million lines read through a generator: the report holds counters, not payloads.
    from trackplan.model import Event, Plan, Property

    checker = Checker(Plan(events=(Event("E", properties=(Property.build("n", type="integer"),)),)))
    lines = b"".join(b'{"event": "E", "properties": {"n": %d}}\n' % i for i in range(20000))
    report = run_checks(checker, io.BytesIO(lines))
    assert report.checked == 20000 and report.invalid == 0


def test_text_report_and_max_invalid_exit(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "check", str(PAYLOADS / "malformed.jsonl"), "--max-invalid", "0")
    assert result.exit_code == 1  # 1 invalid > 0
    assert result.stdout == (
        "Search Performed: 2 seen, 1 valid, 1 invalid\n"
        '    1× $.properties: "result_count" is a required property (at line 4)\n'
        "    never sent: filters\n"
        "malformed line 2: unexpected character, expected a JSON value\n"
        "malformed line 5: invalid literal, expected 'null'\n"
        "2 checked, 1 invalid, 2 malformed\n"
    )


def test_text_report_names_unknown_events() -> None:
    summary = {"checked": 3, "invalid": 3, "malformed": 0, "malformedLines": [], "unknownEvents": {"Mystery": 3}}
    summary |= {"unknownEventsAt": {"Mystery": [{"line": 1}, {"line": 4}]}, "commits": {}, "unknownCommits": {}}
    summary |= {"notObjects": 0, "notObjectsAt": []}
    assert render_text({**summary, "events": {}}) == (
        "unknown event Mystery: 3 (at line 1, line 4)\n3 checked, 3 invalid, 0 malformed\n"
    )


def test_max_invalid_is_a_count_or_a_share() -> None:
    assert MaxInvalid.parse(" 10 ") == MaxInvalid(10.0, share=False)
    assert MaxInvalid.parse("0.5%") == MaxInvalid(0.005, share=True)
    with pytest.raises(InputError, match=r"--max-invalid '1.5': expected a count like 10 or a share like 0.5%"):
        MaxInvalid.parse("1.5")
    report = QAReport(checked=200, invalid=1)
    assert not MaxInvalid.parse("0.5%").exceeded_by(report)  # 1 allowed of 200
    assert MaxInvalid.parse("0.4%").exceeded_by(report)
    assert not MaxInvalid.parse("1").exceeded_by(report) and MaxInvalid.parse("0").exceeded_by(report)


def test_a_missing_payload_file_is_invalid_input(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    result = run_cli("-C", plan_repo, "check", str(tmp_path / "none.jsonl"))
    assert (result.exit_code, result.stderr) == (2, f"trackplan: error: {tmp_path / 'none.jsonl'}: no such file\n")


@pytest.mark.parametrize(
    ("spec", "reason"),
    [
        (
            {"$ref": "file:///etc/passwd"},
            "Resource 'file:///etc/passwd' is not present in a registry and retrieving it failed: "
            "ValueError: $ref 'file:///etc/passwd' is outside the plan; only local refs (#/...) are followed",
        ),
        ({"$ref": "#/definitions/person"}, "Pointer '/definitions/person' does not exist"),
        ({"type": "string", "pattern": "(["}, '"([" is not a "regex"'),
    ],
)
def test_a_plan_schema_that_cannot_be_used_makes_its_payloads_invalid(spec: dict[str, Any], reason: str) -> None:
    from trackplan.model import Event, Plan, Property

    plan = Plan(events=(Event(name="Person", properties=(Property.build("who", **spec),)),))
    result = Checker(plan).check({"event": "Person", "properties": {"who": "root"}})
    assert (result.known, result.valid) == (True, False)
    assert result.errors == [("$", f"the plan's schema for 'Person' cannot be used: {reason}")]


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"{", [("line 1", None, "unexpected end of data")]),
        (
            b'\n\n{"event": 1}\n\nx\n',
            [("line 3", {"event": 1}, None), ("line 5", None, "unexpected character, expected a JSON value")],
        ),
        (b'\xef\xbb\xbf{"a": 1}\n', [("line 1", {"a": 1}, None)]),
        (
            b"[" + b'"' + b"x" * ((1 << 20) - 3) + "é".encode() + b'"]',
            [("[0] line 1", "x" * ((1 << 20) - 3) + "é", None)],
        ),
    ],
    ids=["one-byte", "blank-lines-first", "bom", "character-across-the-read-boundary"],
)
def test_batches_count_lines_and_keep_every_byte(data: bytes, expected: list[tuple[str, Any, str | None]]) -> None:
    assert read_all(data) == expected


@pytest.mark.parametrize("value", ["nan%", "inf", "-1", "-5%", "x"])
def test_a_max_invalid_that_could_never_fail_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="expected a count like 10 or a share like 0.5%"):
        MaxInvalid.parse(value)


def test_the_quick_path_counts_what_a_full_check_finds(plan_repo: Path) -> None:
    """Valid payloads skip the full check; the counts are those of checking every payload."""
    import random
    from collections import Counter

    checker = Checker(Workspace(plan_repo).load("HEAD").plan)
    docs: list[Any] = []
    rng = random.Random(3)
    for _ in range(2000):
        props: dict[str, Any] = {"query": rng.choice(["a", 1]), "result_count": rng.choice([1, -1, "x"])}
        docs.append(
            rng.choice(
                [
                    {"event": "Search Performed", "properties": props},
                    {"type": "track", "event": "Search Performed", "properties": props},
                    {"type": "page", "event": "Search Performed", "properties": props},
                    {"event": "Search Performed", "properties": None},
                    {"event": "Search Performed", "type": None, "properties": props},
                    {"event": ["Search Performed"]},
                    {"type": "identify", "traits": {}},
                    {"event": "Search Performed", "schema": "x", "properties": props},
                ]
            )
        )
    expected: Counter[tuple[str, bool]] = Counter()
    for result in map(Checker(Workspace(plan_repo).load("HEAD").plan).check, docs):  # a Checker of its own
        if result.known:
            expected[str(result.event), result.valid] += 1
    report = run_checks(checker, io.BytesIO(b"".join(json.dumps(d).encode() + b"\n" for d in docs)))
    counted = Counter({(name, True): s.valid for name, s in report.events.items()})
    counted.update({(name, False): s.invalid for name, s in report.events.items()})
    assert +counted == +expected


NOT_OBJECTS = ['"a bare string"', "42", "[1, 2]", "null", "true"]
EVERY_KIND = [
    '{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}}',  # valid
    '{"event": "Search Performed", "properties": {"query": "b"}}',  # invalid: result_count missing
    '{"event": "Mystery Event", "properties": {}}',  # an unknown event
    '{"neither": "shape"}',  # an object of no known shape
    *NOT_OBJECTS,
    "{not json",  # malformed
]


@pytest.mark.parametrize("form", ["jsonl", "array"])
def test_a_value_that_is_no_object_is_counted_apart_with_its_place(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, form: str
) -> None:
    kinds = EVERY_KIND if form == "jsonl" else EVERY_KIND[:-1]  # an array stops at a malformed item
    payloads = tmp_path / f"payloads.{form}"
    payloads.write_text("\n".join(kinds) + "\n" if form == "jsonl" else "[\n" + ",\n".join(kinds) + "\n]\n")
    code, doc = check(run_cli, plan_repo, str(payloads))
    assert code == 0
    first = kinds.index(NOT_OBJECTS[0])
    places = [
        {"line": first + 1 + i} if form == "jsonl" else {"index": first + i, "line": first + 2 + i} for i in range(5)
    ]
    assert (doc["notObjects"], doc["notObjectsAt"]) == (5, places)
    assert doc["unknownEvents"] == {"Mystery Event": 1, "unknown": 1}
    assert (doc["checked"], doc["invalid"], doc["malformed"]) == (9, 8, 1 if form == "jsonl" else 0)
    events = doc["events"].values()
    assert doc["invalid"] == sum(e["invalid"] for e in events) + sum(doc["unknownEvents"].values()) + doc["notObjects"]
    assert doc["checked"] == doc["invalid"] + sum(e["valid"] for e in events)
    text = run_cli("-C", plan_repo, "check", str(payloads)).output
    where = ", ".join(f"line {p['line']}" if form == "jsonl" else f"[{p['index']}] line {p['line']}" for p in places)
    assert f"\nnot an object: 5 (at {where})\n" in text


def test_no_line_for_values_that_are_no_object_when_there_are_none(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    code, doc = check(run_cli, plan_repo, str(PAYLOADS / "shapes.jsonl"))
    assert (code, doc["notObjects"], doc["notObjectsAt"]) == (0, 0, [])
    assert "not an object" not in run_cli("-C", plan_repo, "check", str(PAYLOADS / "shapes.jsonl")).output

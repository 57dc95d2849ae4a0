"""The fast accept path of `check`: each translation rule and each refused keyword, a
differential test against jsonschema-rs over generated payloads near every boundary (the
plan's schemas and every schema of the shared corpora), and whole runs with the fast path
on and off giving the same report."""

from __future__ import annotations

import io
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema_rs
import msgspec
import orjson
import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan import Checker
from trackplan.checking.fast import Accepted, DecodeErrors, FastPath, screened
from trackplan.checking.run import run_checks
from trackplan.checking.translate import DRAFT, properties_type
from trackplan.repo.workspace import Workspace


def compiled(schema: dict[str, Any], formats: bool = True) -> Any:
    return jsonschema_rs.validator_for({"$schema": DRAFT, **schema}, validate_formats=formats).is_valid


def fast_verdict(schema: dict[str, Any], text: bytes, formats: bool = True) -> bool | None:
    """Whether the fast path accepts `text` as the properties of an event with `schema`;
    None when it does not carry the schema."""
    translation = properties_type(schema, lambda s: compiled(s, formats), formats=formats)
    if translation is None:
        return None
    try:
        properties = msgspec.json.decode(text, type=translation.struct)
    except DecodeErrors:
        return False
    accepted = Accepted("e", (), translation)
    return screened(text) and (not accepted.judged or accepted.passes(properties))


def dumps(value: Any) -> bytes:
    """JSON text of any value, big integers included (orjson writes only 64-bit ones)."""
    return json.dumps(value, ensure_ascii=False).encode()


def one(schema: Any) -> dict[str, Any]:
    return {"type": "object", "properties": {"v": schema}, "required": ["v"]}


RULES: list[tuple[Any, list[Any], list[Any]]] = [
    ({"type": "integer"}, [0, -5, 2**63 - 1], [1.0, True, "1", None, 1.5, 2**63]),
    ({"type": "integer", "minimum": 1, "maximum": 3}, [1, 3], [0, 4, 2.0]),
    ({"type": "integer", "exclusiveMinimum": 0.5, "exclusiveMaximum": 3}, [1, 2], [0, 3]),
    ({"type": "number", "maximum": 2**53}, [2**53, 1.5, -3], [2**53 + 1, True, "1"]),
    ({"type": "number", "minimum": 0}, [0, 0.0, -0.0, 5, 1.5e10], [-0.5, -1, None]),
    ({"type": "number", "exclusiveMaximum": 1}, [0.999, 0], [1, 1.0]),
    ({"type": "string", "minLength": 2, "maxLength": 3}, ["ab", "\U0001f600\U0001f600", "abc"], ["a", "abcd", 5]),
    ({"type": "string", "pattern": "^a$"}, ["a"], ["a\n", "ba", 1]),
    ({"type": "string", "pattern": "^[A-Z]{3}$", "maxLength": 3}, ["EUR"], ["EURO", "eur", "EU\n"]),
    ({"type": "string", "format": "email"}, ["ada@example.com"], ["not an address"]),
    ({"enum": ["a", 1, None, 1.5, True, {"x": 1}]}, ["a", 1, None], [True, 1.5, {"x": 1}, "b", 1.0]),
    ({"type": "string", "enum": ["a", 1]}, ["a"], [1]),
    ({"type": "integer", "enum": [1, 2], "minimum": 2}, [2], [1]),
    ({"const": "x"}, ["x"], ["y"]),
    ({"type": ["string", "null"]}, ["a", None], [1, False]),
    ({"type": "boolean"}, [True, False], [1, 0, None]),
    ({"type": "null"}, [None], [0, ""]),
    (
        {"type": "array", "items": {"type": "integer"}, "minItems": 1, "maxItems": 2},
        [[1], [1, 2]],
        [[], [1, 2, 3], ["a"]],
    ),
    ({"type": "array", "items": {"type": "string", "pattern": "^a"}}, [["a", "ab"], []], [["b"], ["a", "b"]]),
    ({"type": "array", "items": False}, [[]], [[1]]),
    (
        {"type": "object", "properties": {"x": {"type": "integer"}}, "required": ["x"], "additionalProperties": False},
        [{"x": 1}],
        [{"x": 1, "y": 2}, {}, {"x": "1"}],
    ),
    ({"type": "object"}, [{"a": [1, {"b": None}]}, {}], [[], "x"]),
    (True, [1, "a", None, [], {}], []),
    (False, [], [1, "a", None]),
    ({"description": "anything"}, [1, "a", [1]], []),
]


@pytest.mark.parametrize(("schema", "valid", "invalid"), RULES, ids=[json.dumps(r[0])[:50] for r in RULES])
def test_each_translation_rule_accepts_what_it_should_and_refuses_the_rest(
    schema: Any, valid: list[Any], invalid: list[Any]
) -> None:
    event = one(schema)
    is_valid = compiled(event)
    for value in valid:
        text = dumps({"v": value})
        assert is_valid(orjson.loads(text)), value
        assert fast_verdict(event, text) is True, value
    for value in invalid:
        assert fast_verdict(event, dumps({"v": value})) is False, value


def test_format_is_an_annotation_without_formats() -> None:
    event = one({"type": "string", "format": "email"})
    assert fast_verdict(event, b'{"v": "not an address"}', formats=False) is True
    assert fast_verdict(event, b'{"v": "not an address"}', formats=True) is False


def test_a_pattern_is_judged_by_jsonschema_rs_itself() -> None:
    """`\\d`, `\\w` and `$` mean what the validator says they mean, whatever Python's re says."""
    for pattern in (r"^\d+$", r"^\w+$", r"^a$", r"\bx"):
        event = one({"type": "string", "pattern": pattern})
        is_valid = compiled(event)
        for value in ("12", "\u0663\u0664", "a", "a\n", "\u00e9t\u00e9", "x y", " x"):
            text = json.dumps({"v": value}).encode()
            assert fast_verdict(event, text) is is_valid(orjson.loads(text)), (pattern, value)


REFUSED = [
    {"$ref": "#/$defs/x"},
    {"allOf": [{"type": "string"}]},
    {"anyOf": [{"type": "string"}]},
    {"oneOf": [{"type": "string"}]},
    {"not": {"type": "string"}},
    {"if": {"type": "string"}, "then": {"minLength": 1}},
    {"type": "number", "multipleOf": 0.1},
    {"type": "array", "uniqueItems": True},
    {"type": "array", "contains": {"type": "string"}},
    {"type": "array", "prefixItems": [{"type": "string"}]},
    {"type": "object", "patternProperties": {"^a": {"type": "string"}}},
    {"type": "object", "propertyNames": {"maxLength": 3}},
    {"type": "object", "minProperties": 1},
    {"type": "object", "dependentRequired": {"a": ["b"]}},
    {"type": "object", "additionalProperties": {"type": "string"}},
    {"type": "string", "$id": "https://example.com/x"},
    {"type": "string", "contentEncoding": "base64"},
    {"type": "string", "unknownKeyword": 1},
    {"type": "object", "properties": {"x": {"type": "string", "pattern": "^a"}}},
    {"type": "array", "items": {"type": ["string", "null"], "pattern": "^a"}},
    {"type": "integer", "minimum": 2**60},
    {"type": "integer", "minimum": True},
    {"type": "number", "minimum": 0.25, "maximum": 0.75},
    {"type": "strin"},
    {"type": "string", "minLength": -1},
    {"type": "string", "minLength": 1.5},
    {"minLength": 1},
    {"type": "string", "pattern": "(?<=a)b["},
]


@pytest.mark.parametrize("schema", REFUSED, ids=[json.dumps(s)[:50] for s in REFUSED])
def test_each_keyword_outside_the_subset_refuses_the_event(schema: dict[str, Any]) -> None:
    assert properties_type(one(schema), compiled, formats=True) is None


@pytest.mark.parametrize("top", [{"enum": [{}]}, {"minProperties": 1}, {"type": "string"}, {"$defs": {}}, []])
def test_an_event_schema_with_more_than_object_keywords_is_refused(top: Any) -> None:
    schema = {"type": "object", **top} if isinstance(top, dict) and "type" not in top else top
    assert properties_type(schema, compiled, formats=True) is None


# Texts orjson refuses, or reads otherwise, that msgspec alone would accept in a field it skips.
TEXTS_ORJSON_REFUSES = [
    b'{"v": 1, "z": "\xff"}',
    b'{"v": 1, "z\xff": 1}',
    b'{"v": 1, "z": "\xed\xa0\x80"}',
    b'{"v": 1, "z": "\xc0\x80"}',
    b'{"v": 1, "z": 1e400}',
    b'{"v": 1, "z": -1E+400}',
    b'{"v": 1, "z": 1e0400}',
    b'{"v": 1, "z": ' + b"9" * 400 + b"}",
    b'{"v": 1, "z": ' + b"9" * 300 + b"e99}",
    b'{"v": 1, "z": ' + b"[" * 1100 + b"]" * 1100 + b"}",
]


@pytest.mark.parametrize("text", TEXTS_ORJSON_REFUSES, ids=range(len(TEXTS_ORJSON_REFUSES)))
def test_what_orjson_refuses_is_never_accepted(text: bytes) -> None:
    with pytest.raises(orjson.JSONDecodeError):
        orjson.loads(text)
    assert fast_verdict(one({"type": "integer"}), text) is False


def test_duplicate_and_escaped_keys_are_read_as_orjson_reads_them() -> None:
    event = {"type": "object", "properties": {"n": {"type": "integer"}, "s": {"type": "string"}}}
    for text in (
        b'{"n": 1, "n": "bad"}',
        b'{"n": "bad", "n": 1}',
        b'{"n": 1, "\\u006e": "bad"}',
        b'{"s": "a", "s": 2}',
    ):
        assert fast_verdict(event, text) is False, text
    assert fast_verdict(event, b'{"\\u006e": 2, "s": "\\u00e9"}') is True


# The differential test: generated values near each keyword's boundary.


def near(schema: Any, rng: random.Random, depth: int = 0) -> Iterator[Any]:
    """Values near every boundary `schema` draws, valid and invalid, of every JSON type."""
    yield from (None, True, False, 0, 1, -1, 1.0, -0.0, 0.5, 2**53, 2**53 + 1, 2**63, -(2**63) - 1, "", "a", [], {})
    if not isinstance(schema, dict) or depth > 3:
        return
    for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum"):
        bound: Any = schema.get(key)
        if type(bound) in (int, float):
            yield from (bound, bound - 1, bound + 1, float(bound), bound - 0.5, bound + 0.5, -bound)
    for key in ("minLength", "maxLength"):
        size = schema.get(key)
        if type(size) is int:
            for n in (size - 1, size, size + 1):
                yield "x" * max(n, 0)
                yield "\U0001f600" * max(n, 0)
                yield "e\u0301" * max(n // 2, 0)
    for value in [*schema.get("enum", ()), *([schema["const"]] if "const" in schema else [])]:
        yield value
        if isinstance(value, str):
            yield value + "\n"
            yield value.upper()
        if type(value) is int:
            yield float(value)
    if "pattern" in schema or "format" in schema:
        yield from ("prd_1", "EUR", "ada@example.com", "2024-01-01T00:00:00Z", "a\n", "\u0663", "x" * 40)
    items = schema.get("items")
    if items is not None:
        inner = list(near(items, rng, depth + 1))
        yield [rng.choice(inner) for _ in range(2)]
        for count in (schema.get("minItems"), schema.get("maxItems")):
            if type(count) is int:
                yield [rng.choice(inner) for _ in range(count)]
                yield [rng.choice(inner) for _ in range(count + 1)]
    if isinstance(schema.get("properties"), dict):
        yield from objects(schema, rng, depth + 1, 4)


def objects(schema: dict[str, Any], rng: random.Random, depth: int, count: int) -> Iterator[dict[str, Any]]:
    """Objects of `schema`'s properties, each value near a boundary, some left out or added."""
    properties = schema.get("properties") or {}
    choices = {name: list(near(sub, rng, depth)) for name, sub in properties.items()}
    valid = {
        name: valid_among(sub, values) or values
        for (name, values), sub in zip(choices.items(), properties.values(), strict=True)
    }
    for _ in range(count):
        pick = valid if rng.random() < 0.7 else choices  # mostly valid, so the fast path has much to accept
        doc = {name: rng.choice(values) for name, values in pick.items() if rng.random() < 0.9}
        if rng.random() < 0.2:
            doc["not_planned"] = rng.choice([1, "x", None])
        yield doc


def valid_among(schema: Any, values: list[Any]) -> list[Any]:
    try:
        is_valid = compiled(schema) if isinstance(schema, dict) else None
    except (ValueError, TypeError, OverflowError):
        return []
    return [v for v in values if is_valid is not None and is_valid(v)]


def schemas_in(doc: Any) -> Iterator[dict[str, Any]]:
    """Every object schema in a document: anything with a `properties` object."""
    if isinstance(doc, dict):
        if isinstance(doc.get("properties"), dict):
            yield {k: v for k, v in doc.items() if k not in ("$schema", "self")}
        for value in doc.values():
            yield from schemas_in(value)
    elif isinstance(doc, list):
        for value in doc:
            yield from schemas_in(value)


def corpus_schemas() -> Iterator[tuple[str, dict[str, Any]]]:
    root = corpus()
    for path in sorted(root.rglob("*")):
        if not path.is_file() or path.suffix not in ("", ".json") or path.stat().st_size > 5_000_000:
            continue
        try:
            doc = json.loads(path.read_bytes())
        except (ValueError, UnicodeDecodeError):
            continue
        if path.parent.name == "json-schema-test-suite" and isinstance(doc, list):
            for group in doc:
                yield f"{path.name}: {group.get('description')}", one(group["schema"])
        for schema in schemas_in(doc):
            yield str(path.relative_to(root)), schema


def differential(name: str, schema: dict[str, Any], values: list[Any]) -> tuple[int, int]:
    """(values the fast path accepted, values it judged); fails on any it accepts that
    jsonschema-rs refuses."""
    try:
        is_valid = compiled(schema)
    except (ValueError, TypeError, OverflowError):
        return 0, 0  # the full path reports the schema unusable; the Checker never carries it
    accepted = judged = 0
    for value in values:
        text = dumps(value)
        verdict = fast_verdict(schema, text)
        if verdict is None:
            return 0, 0
        judged += 1
        if verdict:
            accepted += 1
            assert is_valid(orjson.loads(text)), (name, schema, text)
    return accepted, judged


@pytest.mark.corpus
def test_the_fast_path_accepts_nothing_jsonschema_rs_refuses_over_the_corpora() -> None:
    rng = random.Random(19)
    carried = accepted = judged = 0
    for name, schema in corpus_schemas():
        values = list(objects(schema, rng, 0, 30))
        tests = [t["data"] for t in schema.get("tests", [])]
        a, j = differential(name, schema, [*values, *({"v": t} for t in tests)])
        carried += j > 0
        accepted += a
        judged += j
    assert carried > 300 and accepted > 3000 and judged > 10000, (carried, accepted, judged)


def test_the_fast_path_accepts_nothing_jsonschema_rs_refuses_over_the_plan(plan_repo: Path) -> None:
    checker = Checker(Workspace(plan_repo).load("HEAD").plan)
    rng = random.Random(5)
    accepted = 0
    for name, schema in checker.schemas.items():
        a, _ = differential(name, schema, list(objects(schema, rng, 0, 400)))
        accepted += a
    assert accepted > 200


def test_the_test_suite_cases_agree_with_jsonschema_rs() -> None:
    """The JSON Schema test suite's own cases for the keywords carried: wherever the fast
    path accepts a case, it is one the suite calls valid."""
    suite = corpus("interop", "json-schema-test-suite")
    accepted = 0
    for path in sorted(suite.glob("*.json")):
        for group in json.loads(path.read_bytes()):
            schema = one(group["schema"])
            for case in group["tests"]:
                text = dumps({"v": case["data"]})
                if fast_verdict(schema, text):
                    accepted += 1
                    assert case["valid"] or not compiled(schema)(orjson.loads(text)), (path.name, case)
    assert accepted > 5


# Whole runs, fast path on and off.


def payload_lines(checker: Checker, commit: str, rng: random.Random, n: int) -> list[bytes]:
    """Payloads of every shape for the plan's events, many valid, and texts near what the
    fast path must not misread."""
    names = [name for name in checker.schemas if "@" not in name]
    lines: list[bytes] = []
    for i in range(n):
        name = names[i % len(names)]
        properties = next(objects(checker.schemas[name], rng, 0, 1))
        envelope: dict[str, Any] = {"event": name, "properties": properties}
        if i % 3 == 0:
            envelope = {"type": "track", **envelope, "messageId": f"m{i}"}
        if i % 5 == 0:
            envelope["context"] = {"trackingPlan": {"commit": rng.choice([None, commit, "abcdef12"])}}
        lines.append(dumps(envelope))
    tricky = [
        b"",
        b"   ",
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}, "z": "\xff"}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}, "z": 1e400}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}, "event": "Mystery"}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}, "properties": {}}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1.0}}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": true}}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 18446744073709551616}}',
        b'{"event": "Search Performed", "event_type": "x", "properties": {"query": "a", "result_count": 1}}',
        b'{"type": null, "event": "Search Performed", "properties": {"query": "a", "result_count": 1}}',
        b'{"type": "page", "event": "Search Performed", "properties": {"query": "a", "result_count": 1}}',
        b'{"type": "track", "event_type": "x", "event": "Search Performed", "properties": {"query": "a"}}',
        b'{"\\u0065vent": "Search Performed", "properties": {"query": "\\u00e9", "result_count": 2}}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}, "context": 5}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}, "context": {"trackingPlan": {"commit": 12345}}}',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}} trailing',
        b'{"event": "Search Performed", "properties": {"query": "a", "result_count": 1}}\r',
        b'"a bare string"',
        b"null",
        b"{not json",
    ]
    for i, text in enumerate(tricky):
        lines.insert(rng.randrange(len(lines)) if i else len(lines) // 2, text)
    return lines


def reports(ws: Workspace, data: bytes, monkeypatch: pytest.MonkeyPatch) -> tuple[dict[str, Any], dict[str, Any]]:
    """The report of `data` with the fast path on, and with it off (it never carries an event)."""
    from trackplan.checking.commits import CommitCheckers

    def run() -> tuple[dict[str, Any], Checker]:
        checker = Checker(ws.load("HEAD").plan)
        at_commit = CommitCheckers(ws, {ws.store.resolve("HEAD"): checker})
        return run_checks(checker, io.BytesIO(data), at_commit=at_commit).to_json(), checker

    on, checker = run()
    assert checker.fast_path().decode is not None and checker.fast_path().accepted
    with monkeypatch.context() as patched:
        patched.setattr(FastPath, "rebuild", lambda self: None)
        off, checker = run()
        assert checker.fast_path().decode is None
    return on, off


@pytest.mark.parametrize("form", ["jsonl", "array"])
def test_a_run_reports_the_same_with_the_fast_path_on_and_off(
    plan_repo: Path, monkeypatch: pytest.MonkeyPatch, form: str
) -> None:
    ws = Workspace(plan_repo)
    checker = Checker(ws.load("HEAD").plan)
    lines = payload_lines(checker, ws.store.resolve("HEAD"), random.Random(3), 3000)
    if form == "array":
        lines = [line for line in lines if line.strip() and orjson_reads(line)]
        data = b"[\n" + b",\n".join(lines) + b"\n]\n"
    else:
        data = b"\n".join(lines) + b"\n"
    on, off = reports(ws, data, monkeypatch)
    assert on == off
    assert on["checked"] > 2900 and 0 < on["invalid"] < on["checked"]


def orjson_reads(text: bytes) -> bool:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError:
        return False
    return True


def test_trackplan_check_prints_the_same_with_the_fast_path_on_and_off(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ws = Workspace(plan_repo)
    lines = payload_lines(Checker(ws.load("HEAD").plan), ws.store.resolve("HEAD"), random.Random(8), 2000)
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_bytes(b"\n".join(lines) + b"\n")
    outputs = []
    for fast in (True, False):
        with monkeypatch.context() as patched:
            if not fast:
                patched.setattr(FastPath, "rebuild", lambda self: None)
            for form in ("json", "text"):
                result = run_cli("-C", plan_repo, "check", payloads, "--format", form, "--max-invalid", "10")
                outputs.append((result.exit_code, result.stdout))
    assert outputs[:2] == outputs[2:]
    assert outputs[0][0] == 1 and json.loads(outputs[0][1])["checked"] > 1900


@pytest.mark.parametrize("ending", [b"\n", b""])
def test_malformed_lines_read_as_texts_say_what_they_say_parsed(plan_repo: Path, ending: bytes) -> None:
    """A line read in a block loses its newline; orjson's words for it are those of the line
    as it was read (`tru` ends the data, `tru` and a newline is an invalid literal)."""
    from trackplan.checking.sources import Malformed, batches

    malformed = [b"tru", b'"abc', b"-", b"1.", b"nul", b'{"a": 1', b"[1,", b'{"z": "\xff"}', b'{"z": 1e400}']
    data = b"\n".join([b'{"event": "Search Performed", "properties": {}}', *malformed]) + ending
    expected = [
        (str(batch.locate(i)), doc.error)
        for batch in batches(io.BytesIO(data))
        for i, doc in enumerate(batch.docs)
        if isinstance(doc, Malformed)
    ]
    checker = Checker(Workspace(plan_repo).load("HEAD").plan)
    report = run_checks(checker, io.BytesIO(data))
    assert [(str(at), error) for at, error in report.malformed] == expected
    assert len(expected) == len(malformed) and expected[0] == ("line 2", "invalid literal, expected 'true'")

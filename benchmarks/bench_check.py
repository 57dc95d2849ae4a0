"""`check` throughput on 1,000,000 payloads, as JSONL and as one JSON array, in process and as
whole `trackplan check` processes, next to a minimal loop over the same payloads and schemas
in the same run: orjson parse plus jsonschema-rs `is_valid` per line, nothing else.
Targets: >= 500,000 payloads/s on one core for both inputs, and >= 50% of the minimal loop.
Before (issue 19): 285,000/s as JSONL, 22,600/s as a JSON array."""

from __future__ import annotations

import io
import json
import random
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

from plans import plan_repo
from synthetic import synthetic_plan
from trackplan.checking.checker import Checker
from trackplan.checking.run import run_checks

RUNS = 5
PROCESS_RUNS = 3
TARGET = 500_000
MINIMAL = """
import sys, json, orjson, jsonschema_rs
schemas = json.load(open(sys.argv[1]))
validators = {name: jsonschema_rs.validator_for(s, validate_formats=True) for name, s in schemas.items()}
invalid = 0
with open(sys.argv[2], "rb") as stream:
    for line in stream:
        doc = orjson.loads(line)
        if not validators[doc["event"]].is_valid(doc["properties"]):
            invalid += 1
print(invalid)
"""


def payloads(n: int, events: int = 100) -> bytes:
    """N payloads of the synthetic plan's first `events` events as JSONL, 5% missing a property."""
    plan = synthetic_plan(events)
    rng = random.Random(1)
    values = {"string": "x", "integer": 3, "number": 2.5, "boolean": True, "array": ["a"]}
    lines = []
    for i in range(n):
        event = plan.events[i % events]
        props = {}
        for prop in event.properties:
            if prop.enum:
                props[prop.name] = prop.enum[0]
            elif prop.pattern:
                props[prop.name] = {"^prd_[a-z0-9]+$": "prd_1", "^[A-Z]{3}$": "EUR"}.get(prop.pattern, "x")
            else:
                props[prop.name] = values.get(prop.type, "x")
        if rng.random() < 0.05:
            props.pop(next(iter(props)))
        lines.append(json.dumps({"event": event.name, "properties": props}))
    return ("\n".join(lines) + "\n").encode()


def as_array(jsonl: bytes) -> bytes:
    """The same payloads as one JSON array, one item per line as exports write them."""
    return b"[\n" + b",\n".join(jsonl.splitlines()) + b"\n]\n"


def rates(n: int, fn: Callable[[], object], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(n / (time.perf_counter() - start))
    return out


def minimal_loop(checker: Checker, data: bytes) -> Callable[[], int]:
    import jsonschema_rs
    import orjson

    from trackplan.checking.checker import _closed

    validators = {
        name: jsonschema_rs.validator_for(_closed(s), validate_formats=True) for name, s in checker.schemas.items()
    }

    def run() -> int:
        invalid = 0
        for line in io.BytesIO(data):
            doc = orjson.loads(line)
            if not validators[doc["event"]].is_valid(doc["properties"]):
                invalid += 1
        return invalid

    return run


def line(label: str, measured: list[float], reference: list[float] | None, before: str) -> None:
    median = statistics.median(measured)
    ratio = f"{median / statistics.median(reference):6.0%} of the minimal loop" if reference else "reference"
    print(
        f"  {label:<44} {median:>10,.0f}/s  (min-max {min(measured):,.0f}-{max(measured):,.0f})  {ratio}"
        f"{'' if reference is None else f'; {median / TARGET:.2f}x of 500,000/s'}  before: {before}",
        flush=True,
    )


def main(n: int) -> None:
    jsonl = payloads(n)
    array = as_array(jsonl)
    with plan_repo(100) as (root, ws, _):
        checker = Checker(ws.load("main").plan)
        run_checks(checker, io.BytesIO(jsonl[:200_000]))  # compile every validator, as a long run would
        expected = run_checks(checker, io.BytesIO(jsonl)).invalid
        assert run_checks(checker, io.BytesIO(array)).invalid == expected
        minimal = minimal_loop(checker, jsonl)
        assert minimal() == expected
        reference: list[float] = []
        ours_jsonl: list[float] = []
        ours_array: list[float] = []
        for _ in range(RUNS):  # interleaved, so load from elsewhere falls on all three alike
            reference += rates(n, minimal, 1)
            ours_jsonl += rates(n, lambda: run_checks(checker, io.BytesIO(jsonl)), 1)
            ours_array += rates(n, lambda: run_checks(checker, io.BytesIO(array)), 1)
        print(f"\ncheck, {n:,} payloads of {len(checker.schemas)} events ({expected:,} invalid), median of {RUNS}")
        print(" in process")
        line("orjson + jsonschema-rs is_valid per line", reference, None, "-")
        line("run_checks, JSONL", ours_jsonl, reference, "285,000/s")
        line("run_checks, one JSON array", ours_array, reference, "22,600/s")
        processes(n, root, checker, jsonl, array)


def processes(n: int, root: Path, checker: Checker, jsonl: bytes, array: bytes) -> None:
    from trackplan.checking.checker import _closed

    folder = root.parent
    files = {name: folder / name for name in ("payloads.jsonl", "payloads.json", "schemas.json", "minimal.py")}
    files["payloads.jsonl"].write_bytes(jsonl)
    files["payloads.json"].write_bytes(array)
    files["schemas.json"].write_text(json.dumps({k: _closed(v) for k, v in checker.schemas.items()}))
    files["minimal.py"].write_text(MINIMAL)

    def run(*args: str | Path) -> Callable[[], object]:
        return lambda: subprocess.run([sys.executable, *map(str, args)], cwd=root, capture_output=True, check=True)

    check = ("-m", "trackplan", "check", "--ref", "main", "--format", "json")
    reference: list[float] = []
    ours_jsonl: list[float] = []
    ours_array: list[float] = []
    for _ in range(PROCESS_RUNS):
        reference += rates(n, run(files["minimal.py"], files["schemas.json"], files["payloads.jsonl"]), 1)
        ours_jsonl += rates(n, run(*check, files["payloads.jsonl"]), 1)
        ours_array += rates(n, run(*check, files["payloads.json"]), 1)
    print(f" whole processes (start-up, plan load and compiling included), median of {PROCESS_RUNS}")
    line("python minimal.py (the same loop)", reference, None, "-")
    line("trackplan check payloads.jsonl", ours_jsonl, reference, "285,000/s")
    line("trackplan check payloads.json", ours_array, reference, "22,600/s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

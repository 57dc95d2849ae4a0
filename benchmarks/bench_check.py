"""`check` throughput: payloads per second end to end on one core, next to
python-jsonschema validating the same payloads in the same run.
Targets: >= 200,000 payloads/s and >= 10x python-jsonschema."""

from __future__ import annotations

import io
import json
import random
import sys
import time

import jsonschema

from common import report
from synthetic import synthetic_plan
from trackplan.checking.checker import Checker
from trackplan.checking.run import run_checks
from trackplan.formats.base import plain_schema


def payloads(n: int, events: int = 100) -> bytes:
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


def main(n: int) -> None:
    plan = synthetic_plan(100)
    data = payloads(n)
    checker = Checker(plan)
    run_checks(checker, io.BytesIO(data[:10000]))  # compile validators once, as a long run would
    start = time.perf_counter()
    result = run_checks(checker, io.BytesIO(data))
    ours = time.perf_counter() - start
    schemas = {e.name: jsonschema.Draft202012Validator(plain_schema(e)) for e in plan.events}
    sample = [json.loads(line) for line in data.splitlines()[: n // 10]]
    start = time.perf_counter()
    for doc in sample:
        schemas[doc["event"]].is_valid(doc["properties"])
    reference = (time.perf_counter() - start) * 10
    rate, ref_rate = n / ours, n / reference
    print(f"\ncheck, {n} payloads ({result.invalid} invalid)")
    report(
        [
            ("python-jsonschema (is_valid only, parsed input)", reference, f"{ref_rate:,.0f}/s reference"),
            (
                "trackplan check (parse + detect + validate + summary)",
                ours,
                f"{rate:,.0f}/s; {rate / ref_rate:.1f}x (targets 200,000/s, 10x)",
            ),
        ]
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 500_000)

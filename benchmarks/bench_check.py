"""`check` throughput on 1,000,000 payloads, as JSONL and as one JSON array, in process and as
whole `trackplan check` processes, next to a minimal loop over the same payloads and schemas
in the same run: orjson parse plus jsonschema-rs `is_valid` per line, nothing else.
Targets: >= 500,000 payloads/s on one core for both inputs, and >= 50% of the minimal loop.
Before (issue 19): 285,000/s as JSONL, 22,600/s as a JSON array.

Rates are payloads per second of CPU time (user + system, of this process or of the child):
on a machine shared with other work, wall time measures the other work too. The wall-time
medians are printed beside them."""

from __future__ import annotations

import io
import json
import os
import random
import resource
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


BEFORE = """
import io, resource, sys, time
from pathlib import Path
from trackplan.checking.checker import Checker
from trackplan.checking.run import run_checks
from trackplan.repo.workspace import Workspace
checker = Checker(Workspace(Path(sys.argv[1])).load("main").plan)
data = open(sys.argv[2], "rb").read()
run_checks(checker, io.BytesIO(data[:200_000]))
for _ in range(int(sys.argv[3])):
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu, wall = usage.ru_utime + usage.ru_stime, time.perf_counter()
    n = run_checks(checker, io.BytesIO(data)).checked
    usage = resource.getrusage(resource.RUSAGE_SELF)
    print(n / (usage.ru_utime + usage.ru_stime - cpu), n / (time.perf_counter() - wall))
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


def cpu_seconds() -> float:
    """CPU time of this process and of its finished children."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def rates(n: int, fn: Callable[[], object], runs: int, walls: list[float]) -> list[float]:
    """Payloads per CPU second of `runs` runs of `fn`; the wall-time rates go to `walls`."""
    out = []
    for _ in range(runs):
        cpu, wall = cpu_seconds(), time.perf_counter()
        fn()
        out.append(n / (cpu_seconds() - cpu))
        walls.append(n / (time.perf_counter() - wall))
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


def line(label: str, measured: list[float], walls: list[float], reference: list[float] | None, before: str) -> None:
    median = statistics.median(measured)
    ratio = f"{median / statistics.median(reference):4.0%} of the minimal loop" if reference else "reference"
    print(
        f"  {label:<42} {median:>9,.0f}/s (min-max {min(measured):,.0f}-{max(measured):,.0f};"
        f" wall {statistics.median(walls):,.0f}/s)  {ratio}"
        f"{'' if reference is None else f', {median / TARGET:.2f}x of 500,000/s, before {before}'}",
        flush=True,
    )


def before_in_process(src: Path, root: Path, files: dict[str, Path], rounds: int) -> dict[str, list[list[float]]]:
    """(CPU rates, wall rates) of the older code's run_checks in a child process importing it."""
    out: dict[str, list[list[float]]] = {}
    env = {**os.environ, "PYTHONPATH": str(src)}
    for key, name in (("jsonl", "payloads.jsonl"), ("array", "payloads.json")):
        args = [sys.executable, "-c", BEFORE, str(root), str(files[name]), str(rounds)]
        lines = subprocess.run(args, env=env, cwd=root, capture_output=True, check=True, text=True).stdout.split("\n")
        pairs = [tuple(map(float, row.split())) for row in lines if row.strip()]
        out[key] = [[p[0] for p in pairs], [p[1] for p in pairs]]
    return out


def main(n: int, before: Path | None) -> None:
    jsonl = payloads(n)
    array = as_array(jsonl)
    with plan_repo(100) as (root, ws, _):
        checker = Checker(ws.load("main").plan)
        run_checks(checker, io.BytesIO(jsonl[:200_000]))  # compile every validator, as a long run would
        expected = run_checks(checker, io.BytesIO(jsonl)).invalid
        assert run_checks(checker, io.BytesIO(array)).invalid == expected
        minimal = minimal_loop(checker, jsonl)
        assert minimal() == expected
        measured: dict[str, list[float]] = {key: [] for key in ("minimal", "jsonl", "array")}
        walls: dict[str, list[float]] = {key: [] for key in measured}
        runs = {
            "minimal": minimal,
            "jsonl": lambda: run_checks(checker, io.BytesIO(jsonl)),
            "array": lambda: run_checks(checker, io.BytesIO(array)),
        }
        for _ in range(RUNS):  # interleaved, so load from elsewhere falls on all three alike
            for key, fn in runs.items():
                measured[key] += rates(n, fn, 1, walls[key])
        print(f"\ncheck, {n:,} payloads of {len(checker.schemas)} events ({expected:,} invalid), median of {RUNS}")
        print(" in process, payloads per CPU second")
        reference = measured["minimal"]
        line("orjson + jsonschema-rs is_valid per line", reference, walls["minimal"], None, "")
        line("run_checks, JSONL", measured["jsonl"], walls["jsonl"], reference, "285,000/s")
        line("run_checks, one JSON array", measured["array"], walls["array"], reference, "22,600/s")
        files = write_files(root, checker, jsonl, array)
        if before is not None:
            old = before_in_process(before, root, files, RUNS)
            line("run_checks, JSONL (before)", old["jsonl"][0], old["jsonl"][1], reference, "")
            line("run_checks, one JSON array (before)", old["array"][0], old["array"][1], reference, "")
        processes(n, root, files, before)


def write_files(root: Path, checker: Checker, jsonl: bytes, array: bytes) -> dict[str, Path]:
    from trackplan.checking.checker import _closed

    folder = root.parent
    files = {name: folder / name for name in ("payloads.jsonl", "payloads.json", "schemas.json", "minimal.py")}
    files["payloads.jsonl"].write_bytes(jsonl)
    files["payloads.json"].write_bytes(array)
    files["schemas.json"].write_text(json.dumps({k: _closed(v) for k, v in checker.schemas.items()}))
    files["minimal.py"].write_text(MINIMAL)
    return files


def processes(n: int, root: Path, files: dict[str, Path], before: Path | None) -> None:

    def run(*args: str | Path, src: Path | None = None) -> Callable[[], object]:
        env = {**os.environ, "PYTHONPATH": str(src)} if src is not None else None
        argv = [sys.executable, *map(str, args)]
        return lambda: subprocess.run(argv, cwd=root, capture_output=True, check=True, env=env)

    check = ("-m", "trackplan", "check", "--ref", "main", "--format", "json")
    runs = {
        "minimal": run(files["minimal.py"], files["schemas.json"], files["payloads.jsonl"]),
        "jsonl": run(*check, files["payloads.jsonl"]),
        "array": run(*check, files["payloads.json"]),
    }
    if before is not None:
        runs["jsonl (before)"] = run(*check, files["payloads.jsonl"], src=before)
        runs["array (before)"] = run(*check, files["payloads.json"], src=before)
    measured: dict[str, list[float]] = {key: [] for key in runs}
    walls: dict[str, list[float]] = {key: [] for key in runs}
    for _ in range(PROCESS_RUNS):
        for key, fn in runs.items():
            measured[key] += rates(n, fn, 1, walls[key])
    print(f" whole processes (start-up, plan load and compiling included), median of {PROCESS_RUNS}")
    reference = measured["minimal"]
    line("python minimal.py (the same loop)", reference, walls["minimal"], None, "")
    line("trackplan check payloads.jsonl", measured["jsonl"], walls["jsonl"], reference, "285,000/s")
    line("trackplan check payloads.json", measured["array"], walls["array"], reference, "22,600/s")
    if before is not None:
        line(
            "trackplan check payloads.jsonl (before)",
            measured["jsonl (before)"],
            walls["jsonl (before)"],
            reference,
            "",
        )
        line(
            "trackplan check payloads.json (before)", measured["array (before)"], walls["array (before)"], reference, ""
        )


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("n", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--before", type=Path, help="the src/ folder of an older checkout, timed alongside")
    args = parser.parse_args()
    main(args.n, args.before)

"""`trackplan.checking.spark.event_counts` in a real local Spark session gives, per event, the
valid and invalid counts `trackplan check` gives on the same payloads; docs/check.md shows
that module's code as it is."""

from __future__ import annotations

import inspect
import json
import random
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, CliRunnerCall
from trackplan import Checker
from trackplan.checking import spark as spark_module
from trackplan.checking.spark import SparkCounts, event_counts
from trackplan.repo.workspace import Workspace

JAVA = shutil.which("java")


@pytest.fixture(scope="module")
def spark() -> Iterator[Any]:
    if JAVA is None:
        pytest.skip("Spark needs Java, and no java is on PATH")
    from pyspark.sql import SparkSession

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PYSPARK_PYTHON", sys.executable)  # the workers import trackplan from this venv
        session = (
            SparkSession.builder.master("local[2]")
            .appName("trackplan-test")
            .config("spark.ui.enabled", "false")
            .config("spark.sql.shuffle.partitions", "2")
            .getOrCreate()
        )
        yield session
        session.stop()


def generated_payloads(n: int) -> list[str]:
    """Valid and invalid payloads of the template plan in every shape, unknown events, JSON
    that is no object and malformed lines, shuffled."""
    rng = random.Random(7)
    search = {"event": "Search Performed", "properties": {"query": "shoes", "result_count": 3}}
    kinds: list[Any] = [
        search,
        {"event": "Search Performed", "properties": {"query": "shoes"}},
        {"type": "track", "event": "Checkout Completed", "properties": {"payment_method": "cash"}},
        {"event_type": "Signed Up", "event_properties": {"signup_method": "email"}, "user_properties": {"plan": "pro"}},
        {"event_type": "Signed Up", "event_properties": {"signup_method": "fax"}},
        {"type": "identify", "traits": {"email": "a@example.com"}},
        {"event": "Mystery Event", "properties": {}},
        "{not json",
        '"a bare string"',
        "42",
    ]
    lines = [kind if isinstance(kind, str) else json.dumps(kind) for kind in rng.choices(kinds, k=n)]
    return lines


def test_spark_counts_equal_trackplan_check(
    spark: Any, plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text("\n".join(generated_payloads(3000)) + "\n")
    summary = json.loads(run_cli("-C", plan_repo, "check", str(payloads), "--format", "json").stdout)
    checker = Checker(Workspace(plan_repo).load("HEAD").plan)

    counts = event_counts(checker, spark.read.text(str(payloads)).repartition(4))

    expected = {name: (stats["valid"], stats["invalid"]) for name, stats in summary["events"].items()}
    assert counts == SparkCounts(expected, summary["unknownEvents"], summary["malformed"], summary["notObjects"])
    assert counts.not_objects > 0
    checked = sum(v + i for v, i in counts.events.values()) + sum(counts.unknown.values()) + counts.not_objects
    assert checked == summary["checked"]
    assert {name for name, (_, invalid) in counts.events.items() if invalid} == {
        "Search Performed",
        "Checkout Completed",
        "Signed Up",
    }


def test_the_docs_show_the_spark_module_as_it_is() -> None:
    docs = (ROOT / "docs" / "check.md").read_text(encoding="utf-8")
    for function in (spark_module.event_counts, spark_module._partition_counts):
        assert inspect.getsource(function) in docs

"""Payload QA over a Spark DataFrame of raw JSON payloads, one per row.

Each partition goes through `run_checks`, the loop `trackplan check` runs, so the counts are
those of `trackplan check` on the same payloads; only the per-event counts travel back to the
driver. Rows hold the payload's text (`spark.read.text` gives a `value` column): a DataFrame
that Spark parsed itself would give every payload every field of every other, as nulls.
pyspark is the `spark` extra and is not imported here: the DataFrame is used through its
`rdd`, and the Checker is pickled to the workers.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from trackplan.checking.checker import Checker
from trackplan.checking.run import run_checks

MALFORMED = "(malformed)"  # the key counting rows that are no JSON at all
NOT_OBJECT = "(not an object)"  # the key counting rows whose JSON is no object
UNKNOWN = "(unknown) "  # before an unknown event's name


@dataclass
class SparkCounts:
    events: dict[str, tuple[int, int]] = field(default_factory=dict)  # event: (valid, invalid)
    unknown: dict[str, int] = field(default_factory=dict)  # unknown event: payloads
    malformed: int = 0
    not_objects: int = 0


def event_counts(checker: Checker, payloads: Any, column: str = "value") -> SparkCounts:
    """Per event, (valid, invalid) over the DataFrame `payloads`, whose `column` holds one JSON
    payload per row; unknown events, rows that are no object and malformed rows apart."""
    pairs = (
        payloads.select(column)
        .rdd.mapPartitions(partial(_partition_counts, checker, column))
        .reduceByKey(lambda a, b: (a[0] + b[0], a[1] + b[1]))
        .collect()
    )
    counts = SparkCounts()
    for key, (valid, invalid) in sorted(pairs):
        if key == MALFORMED:
            counts.malformed = invalid
        elif key == NOT_OBJECT:
            counts.not_objects = invalid
        elif key.startswith(UNKNOWN):
            counts.unknown[key.removeprefix(UNKNOWN)] = invalid
        else:
            counts.events[key] = (valid, invalid)
    return counts


def _partition_counts(checker: Checker, column: str, rows: Iterable[Any]) -> Iterator[tuple[str, tuple[int, int]]]:
    text = "\n".join(row[column] for row in rows).encode()
    report = run_checks(checker, io.BytesIO(text), keep_malformed=0)
    for name, stats in report.events.items():
        yield name, (stats.valid, stats.invalid)
    for name, count in report.unknown.items():
        yield UNKNOWN + name, (0, count)
    if report.not_objects:
        yield NOT_OBJECT, (0, report.not_objects)
    if report.malformed_count:
        yield MALFORMED, (0, report.malformed_count)

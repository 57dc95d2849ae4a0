"""`trackplan.checking.spark.event_counts` on 1,000,000 payloads in a local Spark session
(`local[2]`), next to `run_checks` in one process on the same file in the same run; both
give the same per-event counts. Spark's start-up is measured apart. Wall time: Spark's work
is in other processes (the JVM, its Python workers), so only the elapsed time compares."""

from __future__ import annotations

import os
import shutil
import statistics
import sys
import time

from bench_check import payloads
from plans import plan_repo
from trackplan.checking.checker import Checker
from trackplan.checking.run import run_checks
from trackplan.checking.spark import event_counts

RUNS = 3


def main(n: int) -> None:
    if shutil.which("java") is None:
        print("\nspark: skipped, no java on PATH")
        return
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable
    with plan_repo(100) as (root, ws, _):
        path = root.parent / "payloads.jsonl"
        path.write_bytes(payloads(n))
        checker = Checker(ws.load("main").plan)
        start = time.perf_counter()
        builder = SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
        spark = builder.config("spark.ui.showConsoleProgress", "false").getOrCreate()
        spark.sparkContext.setLogLevel("ERROR")
        started = time.perf_counter() - start
        frame = spark.read.text(str(path)).repartition(2).cache()
        frame.count()  # read and split once: both sides then start from payload text
        single, distributed = [], []
        for _ in range(RUNS):
            start = time.perf_counter()
            with path.open("rb") as stream:
                report = run_checks(checker, stream)
            single.append(n / (time.perf_counter() - start))
            start = time.perf_counter()
            counts = event_counts(checker, frame)
            distributed.append(n / (time.perf_counter() - start))
        spark.stop()
        assert counts.events == {name: (s.valid, s.invalid) for name, s in report.events.items()}
    print(f"\ncheck on Spark, {n:,} payloads, median of {RUNS} (Spark start-up {started:.1f} s, not counted)")
    for label, rates in (("run_checks, one process", single), ("event_counts, Spark local[2]", distributed)):
        print(
            f"  {label:<30} {statistics.median(rates):>10,.0f}/s  (min-max {min(rates):,.0f}-{max(rates):,.0f})"
            f"  {statistics.median(rates) / statistics.median(single):.2f}x of one process",
            flush=True,
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)

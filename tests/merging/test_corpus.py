"""The figures docs/merge.md gives for the Iglu Central history, from benchmarks/bench_merge.py."""

from __future__ import annotations

import runpy

import pytest

from tests.helpers import ROOT, corpus


@pytest.mark.corpus
def test_iglu_central_history_merges_cleanly_where_git_conflicts() -> None:
    schemas = corpus("iglu-central", "schemas")
    bench = runpy.run_path(str(ROOT / "benchmarks" / "bench_merge.py"))
    counts = bench["measure"](schemas)
    assert (counts.pairs, counts.merges) == (141, 80)
    assert (counts.git_conflicts, counts.git_conflicts_unbumped) == (75, 72)
    assert (counts.driver_clean, counts.driver_exact) == (80, 80)

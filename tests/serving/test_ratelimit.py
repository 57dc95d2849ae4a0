"""The token bucket on a fake clock: the burst, the refill, the wait it reports, and that
refilled buckets are forgotten."""

from __future__ import annotations

import pytest

from trackplan.serving import ratelimit
from trackplan.serving.ratelimit import RateLimiter


def test_a_burst_then_one_request_per_second() -> None:
    now = [0.0]
    limiter = RateLimiter(1.0, 2, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [None, None, 1]
    assert limiter.take("b") is None  # each key has its own bucket
    now[0] = 1.5
    assert [limiter.take("a"), limiter.take("a")] == [None, 1]
    assert limiter.exhausted("a") == 1 and limiter.exhausted("c") is None


def test_full_buckets_are_forgotten_when_the_table_grows(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    limiter = RateLimiter(1.0, 1, clock=lambda: now[0])
    monkeypatch.setattr(ratelimit, "_MAX_KEYS", 3)
    for key in "abcd":
        limiter.take(key)
    now[0] = 10.0
    for key in "efgh":
        limiter.take(key)
        limiter.take(key)  # over the limit: the bucket is kept, and the table pruned
    assert limiter.exhausted("e") == 1 and limiter.take("a") is None
    assert set(limiter._buckets) <= set("aefgh") and len(limiter._buckets) <= 5

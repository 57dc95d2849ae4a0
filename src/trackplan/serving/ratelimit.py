"""Rate limits: a token bucket per key (a service account, or a client address for failed logins).

A bucket refills at `per_second` tokens up to `burst`; a request takes one. When none is left
the caller learns how long until one is (the `Retry-After` of a 429).
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable

_MAX_KEYS = 10_000


class RateLimiter:
    def __init__(self, per_second: float, burst: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_second = per_second
        self.burst = burst
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key -> (tokens, at)
        self._lock = threading.Lock()

    def _tokens(self, key: str, now: float) -> float:
        tokens, at = self._buckets.get(key, (float(self.burst), now))
        return min(float(self.burst), tokens + (now - at) * self.per_second)

    def take(self, key: str) -> int | None:
        """Take a token for `key`: None when granted, else the whole seconds to wait."""
        with self._lock:
            now = self._clock()
            tokens = self._tokens(key, now)
            if tokens >= 1.0:
                self._buckets[key] = (tokens - 1.0, now)
                return None
            self._buckets[key] = (tokens, now)
            if len(self._buckets) > _MAX_KEYS:
                self._forget_full(now)
            return max(1, math.ceil((1.0 - tokens) / self.per_second))

    def _forget_full(self, now: float) -> None:
        """Drop the buckets that have refilled: they are the same as no bucket (many client
        addresses must not grow the table without end)."""
        full = [k for k in self._buckets if self._tokens(k, now) >= self.burst]
        for key in full:
            del self._buckets[key]

    def exhausted(self, key: str) -> int | None:
        """Like `take`, without taking: for limits counted only on failure."""
        with self._lock:
            tokens = self._tokens(key, self._clock())
            return None if tokens >= 1.0 else max(1, math.ceil((1.0 - tokens) / self.per_second))

"""Memory management for large immutable data.

Plans are large sets of immutable, acyclic objects. Python's cyclic garbage collector
rescans every tracked object on each full collection, so its cost grows with the plan;
while such data is built the collector is paused, and afterwards it is frozen (moved out
of the collector's view; reference counting still frees it)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def building() -> Iterator[None]:
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
        gc.freeze()

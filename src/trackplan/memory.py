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
def paused() -> Iterator[None]:
    """The cyclic collector off while acyclic data is made and dropped in bulk (payloads)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def building() -> Iterator[None]:
    """`paused`, then what was built frozen out of the collector's view (plans): frozen
    before the collector is on again, or its first collection scans all of it."""
    with paused():
        try:
            yield
        finally:
            gc.freeze()

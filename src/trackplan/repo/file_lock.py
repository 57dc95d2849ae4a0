"""One process at a time: an exclusive lock on a file beside what it guards. It is flock's,
so the kernel releases it when its holder exits or is killed: it can never be left behind."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no file locks, callers' own retries still hold
    fcntl = None  # type: ignore[assignment]


@contextlib.contextmanager
def exclusive(path: Path | str) -> Iterator[None]:
    """Held while the block runs; others wait. Raises OSError when `path` cannot be opened."""
    with open(path, "a+b") as lock:  # closing it releases the lock
        if fcntl is not None:
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield

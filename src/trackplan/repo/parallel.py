"""Parsing many plan files on every core.

Parsing YAML dominates a cold read (PyYAML builds its objects in Python), and files parse
independently, so a cold read of a large plan spreads them over worker processes. Small
plans are parsed in-process: starting workers costs more than it saves."""

from __future__ import annotations

import os
from typing import Any

PARALLEL_MIN = 2000  # files; below this, workers cost more than they save
_enabled = False


def enable() -> None:
    """Allow worker processes. The CLI enables them; a library caller opts in, because
    spawned workers import the caller's __main__ module again (it must be guarded by
    `if __name__ == "__main__":`)."""
    global _enabled
    _enabled = True


def _parse_chunk(items: list[tuple[str, bytes]]) -> list[Any]:
    # Imported on use, as are the pool's modules: every command's start-up imports this module.
    from trackplan.repo.reading import parse_document

    return [parse_document(data, path) for path, data in items]


def parse_all(items: list[tuple[str, bytes]]) -> list[Any]:
    """Parsed documents of (path, bytes) pairs, in order. Errors are the same InputError
    a serial parse raises."""
    workers = min(os.cpu_count() or 1, 8)
    if not _enabled or workers < 2 or len(items) < PARALLEL_MIN:
        return _parse_chunk(items)
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    size = -(-len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    # spawn, not fork: forking a process that may hold threads (or libgit2 state) is unsafe.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        return [doc for part in pool.map(_parse_chunk, chunks) for doc in part]

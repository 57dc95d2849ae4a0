"""Parsing and rendering many plan files on every core.

Parsing YAML dominates a cold read (PyYAML builds its objects in Python), and rendering it
much of a large import's write (`yamlio.dump` runs in Python too); files parse and render
independently, so a large plan's files are spread over worker processes. Small plans stay
in-process: starting workers costs more than it saves."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # concurrent.futures loads logging and threading: only starting workers needs them
    from concurrent.futures import Executor, Future

PARALLEL_MIN = 2000  # files; below this, workers cost more than they save
RENDER_CHUNK = 500  # documents per task: large enough to spread pickling, small enough to start early
_enabled = False


def enable() -> None:
    """Allow worker processes. The CLI enables them; a library caller opts in, because
    spawned workers import the caller's __main__ module again (it must be guarded by
    `if __name__ == "__main__":`)."""
    global _enabled
    _enabled = True


def _workers() -> int:
    return min(os.cpu_count() or 1, 8) if _enabled else 1


@contextmanager
def _pool(workers: int) -> Iterator[Executor]:
    # Imported on use, as are the pool's modules: every command's start-up imports this module.
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    # spawn, not fork: forking a process that may hold threads (or libgit2 state) is unsafe.
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        yield pool


def _parse_chunk(items: list[tuple[str, bytes]]) -> list[Any]:
    from trackplan.repo.reading import parse_document

    return [parse_document(data, path) for path, data in items]


def parse_all(items: list[tuple[str, bytes]]) -> list[Any]:
    """Parsed documents of (path, bytes) pairs, in order. Errors are the same InputError
    a serial parse raises."""
    workers = _workers()
    if workers < 2 or len(items) < PARALLEL_MIN:
        return _parse_chunk(items)
    size = -(-len(items) // (workers * 4))
    chunks = [items[i : i + size] for i in range(0, len(items), size)]
    with _pool(workers) as pool:
        return [doc for part in pool.map(_parse_chunk, chunks) for doc in part]


def _dump_chunk(docs: list[Any]) -> list[bytes]:
    from trackplan import yamlio

    return [yamlio.dump(doc).encode() for doc in docs]


class Renderer:
    """`yamlio.dump` of many documents, as UTF-8 bytes. Documents are handed over as they are
    made and rendered in worker processes meanwhile, when there are at least `expected`
    (PARALLEL_MIN or more) and workers are enabled; else in-process, one by one."""

    def __init__(self, expected: int) -> None:
        workers = _workers()
        self._workers = workers if workers >= 2 and expected >= PARALLEL_MIN else 1
        self._pool: Any = None
        self._count = 0
        self._batch: list[Any] = []
        self._done: list[bytes] = []
        self._futures: list[Future[list[bytes]]] = []

    def __enter__(self) -> Renderer:
        if self._workers > 1:
            self._pool = _pool(self._workers)
            self._executor: Executor = self._pool.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._pool is not None:
            self._pool.__exit__(*exc)

    def add(self, doc: Any) -> int:
        """Hand over one document; returns its place in `results()`."""
        place, self._count = self._count, self._count + 1
        if self._pool is None:
            self._done.extend(_dump_chunk([doc]))
            return place
        self._batch.append(doc)
        if len(self._batch) == RENDER_CHUNK:
            self._futures.append(self._executor.submit(_dump_chunk, self._batch))
            self._batch = []
        return place

    def results(self) -> list[bytes]:
        """Every document's bytes, in the order handed over."""
        if self._batch:
            self._futures.append(self._executor.submit(_dump_chunk, self._batch))
            self._batch = []
        for future in self._futures:
            self._done.extend(future.result())
        self._futures = []
        return self._done

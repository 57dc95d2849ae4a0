"""Progress on stderr for long work: a count, a rate and the time so far, shown once the work
has run past about a second, and only to a person watching a terminal.

The cores (importing, exporting, linting, checking) know nothing of this: they take a
`progress` callable and call it with the number of items done so far. `progress_for` gives
a command that callable, or None where nothing is to be shown: `--format json`, a stderr that
is no terminal (a pipe, a file, a CI log), or `CI=true`. rich is imported only once a display
starts, so quick commands never load it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

DELAY = 1.0  # seconds of work before a display starts
REFRESH = 0.1  # seconds between two updates of the display


def shows_progress(output_format: str = "text") -> bool:
    """Whether progress is shown: a terminal on stderr, no JSON output and no CI."""
    return output_format != "json" and os.environ.get("CI") != "true" and sys.stderr.isatty()


class _Display:
    """Called with the count done so far; starts a rich display past DELAY, then updates it."""

    def __init__(self, label: str, unit: str, total: int | None) -> None:
        self.label, self.unit, self.total = label, unit, total
        self.started = time.monotonic()
        self.shown = 0.0
        self.bar: Any = None
        self.task: Any = None

    def __call__(self, done: int) -> None:
        now = time.monotonic()
        if now - self.shown < REFRESH or (self.bar is None and now - self.started < DELAY):
            return
        if self.bar is None:
            self._start()
        self.shown = now
        self.bar.update(self.task, completed=done)

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, ProgressColumn, Task, TextColumn, TimeElapsedColumn
        from rich.text import Text

        class Rate(ProgressColumn):
            def render(self, task: Task) -> Text:
                return Text(f"{task.speed:,.0f}/s" if task.speed else "")

        counted = "{task.completed:,}" + ("/{task.total:,}" if self.total else "") + f" {self.unit}"
        columns = [TextColumn(self.label), *([BarColumn()] if self.total else []), TextColumn(counted), Rate()]
        self.bar = Progress(*columns, TimeElapsedColumn(), console=Console(stderr=True), transient=True)
        self.bar.start()
        self.task = self.bar.add_task(self.label, total=self.total)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.stop()


@contextmanager
def progress_for(
    label: str, unit: str, output_format: str = "text", total: int | None = None
) -> Iterator[Callable[[int], None] | None]:
    """The `progress` callable for a core's entry function, or None when nothing is shown."""
    if not shows_progress(output_format):
        yield None
        return
    display = _Display(label, unit, total)
    try:
        yield display
    finally:
        display.close()

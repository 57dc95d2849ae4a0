"""Progress on stderr for long work: counts, rates and the time so far, shown once the work
has run past about a second, and only to a person watching a terminal.

The cores (importing, exporting, linting, checking) know nothing of this: they take a
`progress` callable and call it with the number of items done so far, and, where the work
has steps, what is counted (`progress(10_000, "events read")`). Each step gets a line of
its own; a new step ends the one before. `progress_for` gives a command that callable, or
None where nothing is to be shown: `--format json`, a stderr that is no terminal (a pipe, a
file, a CI log), or `CI=true`. rich is imported only once a display starts, so quick
commands never load it.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

DELAY = 1.0  # seconds of work before a display starts


def shows_progress(output_format: str = "text") -> bool:
    """Whether progress is shown: a terminal on stderr, no JSON output and no CI."""
    return output_format != "json" and os.environ.get("CI") != "true" and sys.stderr.isatty()


class Step:
    """One line of a display: what is counted, how many so far, and when it began and ended.
    A plain class: as a dataclass it would more than double the cost of loading this module,
    which `import`, `validate` and `check` pay with no display too."""

    def __init__(self, counted: str, since: float) -> None:
        self.counted, self.since = counted, since
        self.done = 0
        self.until: float | None = None

    def seconds(self, now: float) -> float:
        return (now if self.until is None else self.until) - self.since

    def rate(self, now: float) -> float | None:
        seconds = self.seconds(now)
        return self.done / seconds if self.done and seconds > 0 else None


class Display:
    """Called with the count done so far (and what is counted); a rich display of the steps
    starts DELAY seconds after it was made, on a timer, so a step that reports nothing until
    it ends is shown too. The display reads the steps on each refresh: a call only records."""

    def __init__(self, label: str, unit: str) -> None:
        import threading  # with a display only: commands that show none load nothing more

        self.label, self.unit = label, unit
        self.started = time.monotonic()
        self.steps: dict[str, Step] = {}
        self.lock = threading.Lock()
        self.bar: Any = None
        self.closed = False
        self.timer = threading.Timer(DELAY, self._start)
        self.timer.daemon = True
        self.timer.start()

    def __call__(self, done: int, counted: str | None = None) -> None:
        step = self.steps.get(counted or self.unit)
        if step is None:
            step = self._begin(counted or self.unit)
        step.done = done
        if self.bar is None and time.monotonic() - self.started >= DELAY:
            self._start()  # the timer may not have run yet

    def _begin(self, counted: str) -> Step:
        """A new step, which ends the one before; the first began with the work."""
        now = time.monotonic()
        with self.lock:
            for earlier in self.steps.values():
                if earlier.until is None:
                    earlier.until = now
            step = self.steps[counted] = Step(counted, now if self.steps else self.started)
            if self.bar is not None:
                self.bar.add_task(counted, total=None, step=step)
        return step

    def _start(self) -> None:
        from rich.console import Console
        from rich.progress import Progress

        with self.lock:
            if self.closed or self.bar is not None:
                return
            if not self.steps:
                self.steps[self.unit] = Step(self.unit, self.started)
            self.bar = Progress(
                *_columns(self.label), console=Console(stderr=True), transient=True, redirect_stdout=False
            )
            for step in self.steps.values():
                self.bar.add_task(step.counted, total=None, step=step)
            self.bar.start()

    def close(self) -> None:
        self.timer.cancel()
        with self.lock:
            self.closed = True
            if self.bar is not None:
                self.bar.stop()


def _columns(label: str) -> list[Any]:
    """The columns of a display: the label and the count, the rate, and the time of each step."""
    from datetime import timedelta

    from rich.progress import ProgressColumn, Task
    from rich.text import Text

    class Counted(ProgressColumn):
        def render(self, task: Task) -> Text:
            step: Step = task.fields["step"]
            return Text(f"{label}  {step.done:,} {step.counted}")

    class Rate(ProgressColumn):
        def render(self, task: Task) -> Text:
            rate = task.fields["step"].rate(time.monotonic())
            return Text(f"{rate:,.0f}/s" if rate else "", justify="right")

    class Elapsed(ProgressColumn):
        def render(self, task: Task) -> Text:
            seconds = task.fields["step"].seconds(time.monotonic())
            return Text(str(timedelta(seconds=int(seconds))), style="progress.elapsed")

    return [Counted(), Rate(), Elapsed()]


@contextmanager
def progress_for(label: str, unit: str, output_format: str = "text") -> Iterator[Display | None]:
    """The `progress` callable for a core's entry function, or None when nothing is shown.
    `unit` is what is counted when the core does not say (`progress(done)`)."""
    if not shows_progress(output_format):
        yield None
        return
    display = Display(label, unit)
    try:
        yield display
    finally:
        display.close()

"""The HTML export of a 20,000-event plan: its size and how long writing it and opening it take.
References in the same run: the Markdown export of the same plan (the same content as text, every
event written out), and headless Chromium opening an empty page. Medians of 3 runs, min-max."""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from synthetic import synthetic_plan
from trackplan.formats.base import WriteOptions
from trackplan.formats.docs import write_html, write_markdown

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
RUNS = 3


def runs(fn: Callable[[], object]) -> list[float]:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def line(label: str, times: list[float], note: str = "") -> None:
    median = statistics.median(times)
    print(f"  {label:<34} {median * 1000:8.0f} ms  (min {min(times) * 1000:.0f}, max {max(times) * 1000:.0f})  {note}")


def open_in_chromium(url: str, profile: Path) -> None:
    assert CHROMIUM is not None
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}"]
    subprocess.run([CHROMIUM, *flags, "--dump-dom", url], capture_output=True, check=True, timeout=120)


def main(n: int) -> None:
    plan = synthetic_plan(n)
    options = WriteOptions(label="main")
    page, text = write_html(plan, options), write_markdown(plan, options)
    print(f"\ndocs export, {n} events")
    ratio = len(page) / len(text)
    print(f"  html page  {len(page) / 1e6:6.1f} MB  ({ratio:.2f}x the Markdown export)")
    print(f"  markdown   {len(text) / 1e6:6.1f} MB  reference: every event written out")
    markdown = runs(lambda: write_markdown(plan, options))
    html = runs(lambda: write_html(plan, options))
    line("write_markdown (reference)", markdown)
    line("write_html", html, f"{statistics.median(html) / statistics.median(markdown):.2f}x write_markdown")
    if CHROMIUM is None:
        print("  (no chromium: the page's opening time is not measured)")
        return
    with tempfile.TemporaryDirectory() as folder:
        file = Path(folder) / "plan.html"
        file.write_bytes(page)
        blank = runs(lambda: open_in_chromium("about:blank", Path(folder) / "profile"))
        opened = runs(lambda: open_in_chromium(file.as_uri(), Path(folder) / "profile"))
    line("chromium, empty page (reference)", blank)
    extra = statistics.median(opened) - statistics.median(blank)
    line("chromium, the html page", opened, f"{extra * 1000:.0f} ms more than an empty page")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20000)

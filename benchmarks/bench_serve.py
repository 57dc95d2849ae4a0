"""`trackplan serve` against a 10,000-event plan, over loopback with httpx (at most 2,000
requests and 60 s in all). References in the same run: `git archive` of the same tree for a
warm `export/v1`; the CLI importing the same one-event file as a process for `import/v1`.
Targets: warm export p50 <= 1.5x git archive; one-event import p50 <= 100 ms; no 5xx.
Each figure has its CPU time beside it (this process's, server and client threads, for a request;
the child's for a CLI process): on a shared machine the wall time follows the load, the CPU time
much less. `python bench_serve.py 10000 sharded` measures the sharded events layout instead."""

from __future__ import annotations

import json
import resource
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import uvicorn

from common import git, scratch_dir
from plans import plan_repo
from trackplan.serving.accounts import AccountStore
from trackplan.serving.app import create_app
from trackplan.serving.config import RateLimit, ServeConfig, WorkspaceConfig
from trackplan.serving.server import bind

MAX_REQUESTS = 2000
# (calls, seconds) per series: 60 s and under 2,000 requests in all.
ARCHIVES, EXPORTS, IMPORTS, PROCESSES = (30, 6.0), (400, 8.0), (300, 20.0), (10, 15.0)


@contextmanager
def serving(config: ServeConfig) -> Iterator[str]:
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="error"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(10)


@dataclass
class Series:
    """Wall and CPU times of the calls of one series, in seconds."""

    walls: list[float] = field(default_factory=list)
    cpus: list[float] = field(default_factory=list)


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def _cpu(who: int) -> float:
    usage = resource.getrusage(who)
    return usage.ru_utime + usage.ru_stime


def sample(fn: Callable[[], object], times: int, seconds: float, who: int = resource.RUSAGE_SELF) -> Series:
    """Up to `times` calls, stopping after `seconds` (at least one call); CPU time of `who`."""
    out = Series()
    deadline = time.monotonic() + seconds
    for _ in range(times):
        if out.walls and time.monotonic() > deadline:
            break
        start, used = time.perf_counter(), _cpu(who)
        fn()
        out.walls.append(time.perf_counter() - start)
        out.cpus.append(_cpu(who) - used)
    return out


def one_event(i: int) -> bytes:
    return json.dumps({"schema": {"events": {f"Bench Event {i}": {"type": "object", "properties": {}}}}}).encode()


def main(n: int, layout: str) -> None:
    with plan_repo(n, events_layout=layout) as (root, _, commit):
        git("branch", "bench/api", commit, cwd=root)
        git("branch", "bench/cli", commit, cwd=root)
        archives = sample(lambda: git("archive", commit, cwd=root), *ARCHIVES, who=resource.RUSAGE_CHILDREN)
        state = scratch_dir("tp-serve-state-")
        auth = AccountStore(state).add("bench").authorization
        unlimited = RateLimit(per_second=1e6, burst=10**6)
        config = ServeConfig({"bench": WorkspaceConfig("bench", root, Path("."))}, state, unlimited)
        statuses: list[int] = []
        with serving(config) as url, httpx.Client(base_url=url, headers={"Authorization": auth}, timeout=60) as client:

            def call(method: str, path: str, **kwargs: object) -> httpx.Response:
                response = client.request(method, path, **kwargs)  # type: ignore[arg-type]
                statuses.append(response.status_code)
                return response

            export_path = "/workspaces/bench/branches/main/export/v1"
            size = len(call("GET", export_path).content)  # the first request renders and fills the cache
            exports = sample(lambda: call("GET", export_path), *EXPORTS)
            gzip_headers = {"Accept-Encoding": "gzip"}
            gzipped = sample(lambda: call("GET", export_path, headers=gzip_headers), *EXPORTS)
            counter = iter(range(10**6))
            headers = {"Content-Type": "application/json"}

            def import_one() -> None:
                path = "/workspaces/bench/branches/bench/api/import/v1"
                call("POST", path, content=one_event(next(counter)), headers=headers)

            first = sample(import_one, 1, 0)  # the first import into a tree indexes the whole plan
            imports = sample(import_one, *IMPORTS)
        event_file = state / "one-event.json"
        cli_counter = iter(range(10**6, 2 * 10**6))

        def cli_import() -> None:
            event_file.write_bytes(one_event(next(cli_counter)))
            args = [sys.executable, "-m", "trackplan", "import", str(event_file), "--branch", "bench/cli"]
            subprocess.run(args, cwd=root, capture_output=True, check=True)

        cli = sample(cli_import, *PROCESSES, who=resource.RUSAGE_CHILDREN)
        shutil.rmtree(state, ignore_errors=True)
    assert len(statuses) <= MAX_REQUESTS
    series = {"identity": exports, "gzip": gzipped}
    report(f"{n} events, {layout} layout", size, statuses, series, archives, (first, imports), cli)


def report(
    plan: str,
    size: int,
    statuses: list[int],
    exports: dict[str, Series],
    archives: Series,
    imports: tuple[Series, Series],
    cli: Series,
) -> None:
    archive_p50 = percentiles(archives.walls)[0]
    rows = [("git archive (reference)", archives, "")]
    for encoding, samples in exports.items():
        ratio = percentiles(samples.walls)[0] / archive_p50
        rows.append((f"export/v1 warm, {encoding}", samples, f"p50 {ratio:.2f}x git archive (target <= 1.5x)"))
    first, warm = imports
    ratio = percentiles(warm.walls)[0] / percentiles(cli.walls)[0]
    rows += [
        ("trackplan import, whole process (reference)", cli, ""),
        ("import/v1 one event, first (indexes the plan)", first, ""),
        ("import/v1 one event", warm, f"p50 {ratio:.2f}x the CLI process (target p50 <= 100 ms)"),
    ]
    server_errors = sum(1 for s in statuses if s >= 500)
    print(f"\ntrackplan serve, {plan} (export {size / 1e6:.1f} MB), {len(statuses)} requests, {server_errors} 5xx")
    width = max(len(r[0]) for r in rows)
    for label, samples, note in rows:
        p50, p99 = percentiles(samples.walls)
        cpu = percentiles(samples.cpus)[0]
        spread = f"min-max {min(samples.walls) * 1000:.0f}-{max(samples.walls) * 1000:.0f} ms, n={len(samples.walls)}"
        print(
            f"  {label:<{width}}  p50 {p50 * 1000:8.1f} ms  p99 {p99 * 1000:8.1f} ms  CPU p50 {cpu * 1000:7.1f} ms"
            f"  ({spread})  {note}"
        )
    assert server_errors == 0 and set(statuses) == {200}, sorted(set(statuses))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000, sys.argv[2] if len(sys.argv) > 2 else "flat")

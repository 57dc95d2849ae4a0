"""`trackplan serve` against a 10,000-event plan, over loopback with httpx (at most 2,000
requests and 60 s in all). References in the same run: `git archive` of the same tree for a
warm `export/v1`; the CLI importing the same one-event file as a process for `import/v1`.
Targets: warm export p50 <= 1.5x git archive; one-event import p50 <= 100 ms; no 5xx.
`python bench_serve.py 10000 sharded` measures the sharded events layout instead of the flat one."""

from __future__ import annotations

import json
import shutil
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
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


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, round(0.99 * (len(ordered) - 1)))]


def sample(fn: Callable[[], object], times: int, seconds: float) -> list[float]:
    """Wall times of up to `times` calls, stopping after `seconds` (at least one call)."""
    out: list[float] = []
    deadline = time.monotonic() + seconds
    for _ in range(times):
        if time.monotonic() > deadline:
            break
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def one_event(i: int) -> bytes:
    return json.dumps({"schema": {"events": {f"Bench Event {i}": {"type": "object", "properties": {}}}}}).encode()


def main(n: int, layout: str) -> None:
    with plan_repo(n, events_layout=layout) as (root, _, commit):
        git("branch", "bench/api", commit, cwd=root)
        git("branch", "bench/cli", commit, cwd=root)
        archives = sample(lambda: git("archive", commit, cwd=root), *ARCHIVES)
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
            imports = sample(
                lambda: call(
                    "POST",
                    "/workspaces/bench/branches/bench/api/import/v1",
                    content=one_event(next(counter)),
                    headers=headers,
                ),
                *IMPORTS,
            )
        event_file = state / "one-event.json"
        cli_counter = iter(range(10**6, 2 * 10**6))

        def cli_import() -> None:
            event_file.write_bytes(one_event(next(cli_counter)))
            args = [sys.executable, "-m", "trackplan", "import", str(event_file), "--branch", "bench/cli"]
            subprocess.run(args, cwd=root, capture_output=True, check=True)

        cli = sample(cli_import, *PROCESSES)
        shutil.rmtree(state, ignore_errors=True)
    assert len(statuses) <= MAX_REQUESTS
    report(
        f"{n} events, {layout} layout", size, statuses, {"identity": exports, "gzip": gzipped}, archives, imports, cli
    )


def report(
    plan: str,
    size: int,
    statuses: list[int],
    exports: dict[str, list[float]],
    archives: list[float],
    imports: list[float],
    cli: list[float],
) -> None:
    archive_p50 = percentiles(archives)[0]
    rows = [("git archive (reference)", archives, "")]
    for encoding, samples in exports.items():
        ratio = percentiles(samples)[0] / archive_p50
        rows.append((f"export/v1 warm, {encoding}", samples, f"p50 {ratio:.2f}x git archive (target <= 1.5x)"))
    ratio = percentiles(imports)[0] / percentiles(cli)[0]
    rows += [
        ("trackplan import, whole process (reference)", cli, ""),
        ("import/v1 one event", imports, f"p50 {ratio:.2f}x the CLI process (target p50 <= 100 ms)"),
    ]
    server_errors = sum(1 for s in statuses if s >= 500)
    print(f"\ntrackplan serve, {plan} (export {size / 1e6:.1f} MB), {len(statuses)} requests, {server_errors} 5xx")
    width = max(len(r[0]) for r in rows)
    for label, samples, note in rows:
        p50, p99 = percentiles(samples)
        spread = f"min-max {min(samples) * 1000:.0f}-{max(samples) * 1000:.0f} ms, n={len(samples)}"
        print(f"  {label:<{width}}  p50 {p50 * 1000:8.1f} ms  p99 {p99 * 1000:8.1f} ms  ({spread})  {note}")
    assert server_errors == 0 and set(statuses) == {200}, sorted(set(statuses))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10000, sys.argv[2] if len(sys.argv) > 2 else "flat")

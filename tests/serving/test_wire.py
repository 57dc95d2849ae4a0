"""A real uvicorn on 127.0.0.1 (port 0) driven over the wire by httpx: gzip, keep-alive,
Retry-After, concurrent imports into one branch, and a clean shutdown."""

from __future__ import annotations

import json
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.serving.support import git, path, running, served_plan
from trackplan.serving.config import RateLimit


def test_gzip_keep_alive_retry_after_and_a_clean_shutdown(tmp_path: Path) -> None:
    served = served_plan(tmp_path, rate=RateLimit(per_second=1.0, burst=1), n_events=20)
    with running(served.config) as (url, server, thread):
        with httpx.Client(base_url=url, headers=served.auth) as client:
            first = client.get(path("main", "export/v1"), headers={"Accept-Encoding": "gzip"})
            assert first.status_code == 200 and first.headers["content-encoding"] == "gzip"
            assert len(first.content) > int(first.headers["content-length"])  # sent compressed, read decoded
            assert json.loads(first.content)["name"] == "Exported Tracking Plan: main"
            stream = first.extensions["network_stream"]
            statuses = [client.get(path("main", "export/v1")) for _ in range(4)]
            assert [r.status_code for r in statuses] == [429] * 4  # 5 requests in one second
            assert all(int(r.headers["retry-after"]) == 1 for r in statuses)
            assert all(r.extensions["network_stream"] is stream for r in statuses)  # one connection throughout
            time.sleep(1.05)
            assert client.get(path("main", "export/v1")).status_code == 200
        port = int(url.rsplit(":", 1)[1])
    assert not thread.is_alive() and server.started
    with socket.socket() as probe:
        assert probe.connect_ex(("127.0.0.1", port)) != 0  # the port is closed again


def test_twenty_accounts_import_twenty_events_into_one_branch_at_once(tmp_path: Path) -> None:
    served = served_plan(tmp_path, rate=RateLimit(per_second=1.0, burst=1))
    auths = [served.accounts.add(f"svc-{i}").authorization for i in range(20)]

    def body(i: int) -> bytes:
        return json.dumps({"schema": {"events": {f"Concurrent {i}": {"type": "object", "properties": {}}}}}).encode()

    def send(url: str, i: int) -> int:
        headers = {"Authorization": auths[i], "Content-Type": "application/json", "Idempotency-Key": f"key-{i}"}
        with httpx.Client(base_url=url, timeout=60) as client:
            return client.post(path("feature/one", "import/v1"), content=body(i), headers=headers).status_code

    with running(served.config) as (url, _, _):
        with ThreadPoolExecutor(20) as pool:
            statuses = list(pool.map(lambda i: send(url, i), range(20)))
        commits = served.commits("feature/one")
        time.sleep(1.05)  # past each account's rate limit
        with ThreadPoolExecutor(20) as pool:
            replayed = list(pool.map(lambda i: send(url, i), range(20)))
    assert set(statuses) <= {200, 409}
    landed = {f"events/concurrent-{i}.yaml" for i, status in enumerate(statuses) if status == 200}
    files = set(git(served.root, "ls-tree", "-r", "--name-only", "feature/one").split())
    assert {f for f in files if f.startswith("events/concurrent-")} == landed
    assert commits == served.commits("main") + len(landed)
    git(served.root, "fsck", "--strict", "--no-dangling")
    assert [s for s, first in zip(replayed, statuses, strict=True) if first == 200] == [200] * len(landed)
    assert served.commits("feature/one") == commits + (20 - len(landed))  # only the first 409s import now


def test_a_request_cut_off_mid_body_writes_nothing(tmp_path: Path) -> None:
    served = served_plan(tmp_path)
    with running(served.config) as (url, _, _):
        port = int(url.rsplit(":", 1)[1])
        with socket.create_connection(("127.0.0.1", port)) as raw:
            head = (
                f"POST {path('feature/one', 'import/v1')} HTTP/1.1\r\nHost: x\r\n"
                f"Authorization: {served.auth['Authorization']}\r\nContent-Type: application/json\r\n"
                "Content-Length: 5000\r\n\r\n"
            )
            raw.sendall(head.encode() + b'{"schema": {"events": {"Cut Off"')
        with httpx.Client(base_url=url, headers=served.auth) as client:
            assert client.get("/healthz").json() == {"status": "ok"}
    assert served.commits("feature/one") == served.commits("main")


def test_the_serve_command_prints_the_workspace_url_and_stops_on_sigterm(tmp_path: Path) -> None:
    served = served_plan(tmp_path)
    command = [sys.executable, "-m", "trackplan", "serve", "--port", "0", "--state-dir", str(served.config.state_dir)]
    server = subprocess.Popen(command, cwd=served.root, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        line = server.stdout.readline().strip()
        assert re.fullmatch(r"workspace test: http://127\.0\.0\.1:\d+/workspaces/test/branches/main/export/v1", line)
        base = line.split(": ", 1)[1].split("/workspaces/")[0]
        with httpx.Client(base_url=base, headers=served.auth) as client:
            assert client.get(path("main", "export/v1")).json()["name"] == "Exported Tracking Plan: main"
    finally:
        server.terminate()
        # uvicorn shuts down gracefully, then ends with the signal it was sent, as shells expect.
        assert server.wait(10) == -signal.SIGTERM

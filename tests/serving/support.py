"""Builders for the HTTP API tests: a served plan repository with service accounts, through
Starlette's test client or a real uvicorn on a free loopback port."""

from __future__ import annotations

import re
import subprocess
import threading
import time
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from tests.helpers import REFERENCE, plan_with
from trackplan.repo.scaffold import init_plan
from trackplan.serving.accounts import AccountStore
from trackplan.serving.app import create_app
from trackplan.serving.config import RateLimit, ServeConfig, WorkspaceConfig
from trackplan.serving.server import bind

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # Starlette would rather have httpx2; httpx is what is installed
    from starlette.testclient import TestClient

WS = "test"
UNLIMITED = RateLimit(per_second=1000.0, burst=1000)


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


@dataclass
class Served:
    root: Path
    config: ServeConfig
    accounts: AccountStore
    auth: dict[str, str]

    def client(self) -> TestClient:
        return TestClient(create_app(self.config), raise_server_exceptions=True)

    def commits(self, branch: str) -> int:
        return int(git(self.root, "rev-list", "--count", branch))


def served_plan(
    tmp_path: Path, rate: RateLimit = UNLIMITED, n_events: int = 0, max_body_bytes: int = 32 * 1024 * 1024
) -> Served:
    """A plan named "Test" (workspace id `test`) with n generated events on main, one
    account `ci` allowed both scopes, and a plan branch `feature/one` off main."""
    root = tmp_path / "plan"
    if n_events:
        plan_with(root, n_events)
    else:
        init_plan(root, name="Test", with_examples=False)
    git(root, "branch", "feature/one")
    state = tmp_path / "state"
    accounts = AccountStore(state)
    issued = accounts.add("ci")
    serve_config = ServeConfig({WS: WorkspaceConfig(WS, root, Path("."))}, state, rate, max_body_bytes)
    return Served(root, serve_config, accounts, {"Authorization": issued.authorization})


def path(branch: str, verb: str, ws: str = WS) -> str:
    return f"/workspaces/{ws}/branches/{branch}/{verb}"


def reference_text(name: str) -> str:
    file = REFERENCE / name
    if not file.exists():
        pytest.skip(f"{file} is absent: the shared reference is not beside this checkout")
    return file.read_text(encoding="utf-8")


def curl_bodies() -> list[str]:
    """The `-d '...'` bodies of the Import API reference's curl examples, with the escapes
    (\\n, \\") the examples write read as the characters they stand for."""
    bodies = re.findall(r"-d '(.*?)'", reference_text("avo-import-api.txt"), flags=re.DOTALL)
    return [b.replace("\\n", "\n").replace('\\"', '"') for b in bodies if b != "your CSV content"]


def mdx_json_blocks() -> list[str]:
    """The ```json blocks of the Export API reference, in order: jsonSchema, snowplow, ndjson."""
    return re.findall(r"```json\n(.*?)```", reference_text("avo-export-api.mdx"), flags=re.DOTALL)


@contextmanager
def running(config: ServeConfig) -> Iterator[tuple[str, uvicorn.Server, threading.Thread]]:
    """A real uvicorn on 127.0.0.1, port 0, in a thread; stopped (and joined) on exit."""
    sock = bind("127.0.0.1", 0)
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="error", timeout_graceful_shutdown=5))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}", server, thread
    finally:
        server.should_exit = True
        thread.join(10)
        sock.close()

"""A webhook receiver on 127.0.0.1 for the publishing tests: it answers each POST with the next
scripted status (200 once the script runs out), `delay` seconds after it arrived, and keeps
every request it got."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from tests.serving.support import git

SECRET = "s3cret-for-tests"
SECRET_ENV = "TEST_HOOK_SECRET"


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    url: str
    script: list[tuple[int, dict[str, str]]]
    requests: list[Received] = field(default_factory=list)
    delay: float = 0.0  # seconds before each answer; a test may change it


@contextmanager
def receiver(*script: int | tuple[int, dict[str, str]], delay: float = 0.0) -> Iterator[Receiver]:
    state = Receiver("", [s if isinstance(s, tuple) else (s, {}) for s in script], delay=delay)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            state.requests.append(Received({k.lower(): v for k, v in self.headers.items()}, body))
            status, headers = state.script.pop(0) if state.script else (200, {})
            time.sleep(state.delay)
            try:
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender is gone: a test killed it while it waited

        def log_message(self, format: str, *args: object) -> None:
            pass  # quiet: the tests look at `requests`

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hook"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(10)


def configure(plan: Path, url: str, **fields: str) -> str:
    """Add one integration `hook` to the plan's trackplan.yaml and commit; the commit id."""
    lines = [
        "",
        "publishing:",
        "  - id: hook",
        "    name: Warehouse hook",
        f"    url: {url}",
        f"    secret_env: {SECRET_ENV}",
        *(f"    {key}: {value}" for key, value in fields.items()),
    ]
    settings = plan / "trackplan.yaml"
    settings.write_text(settings.read_text() + "\n".join(lines) + "\n")
    git(plan, "commit", "-q", "-am", "Publish to the warehouse hook")
    return git(plan, "rev-parse", "HEAD").strip()

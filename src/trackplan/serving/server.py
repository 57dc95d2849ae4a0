"""Running the API on uvicorn: bind the socket first (port 0 picks a free one), announce the
URLs, serve until Ctrl-C or SIGTERM."""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

import uvicorn

from trackplan.notifying import schedule
from trackplan.serving.accounts import AccountStore
from trackplan.serving.app import create_app
from trackplan.serving.config import ORGANIZATIONS, ServeConfig


def bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((host, port))
    sock.listen(2048)  # from now on connections queue: the announced URL works before uvicorn runs
    sock.set_inheritable(True)
    return sock


def serve(
    config: ServeConfig, host: str, port: int, announce: Callable[[str], None], digest_hour: int | None = None
) -> None:
    """Serve until stopped; `announce` gets one line per workspace URL once the port is bound.
    With `digest_hour`, the subscribers' digest is mailed every day at that hour (UTC)."""
    AccountStore(config.state_dir).ensure_private()
    sock = bind(host, port)
    shown = f"[{host}]" if ":" in host else host
    base = f"http://{shown}:{sock.getsockname()[1]}"
    for ws_id in sorted(config.workspaces):
        announce(f"workspace {ws_id}: {base}/workspaces/{ws_id}/branches/main/export/v1")
        organization = config.workspaces[ws_id].organization
        products = f"{base}{ORGANIZATIONS}/{organization}/data-products/v2"
        announce(f"workspace {ws_id} organization {organization}: {products}")
    announce(f"docs and branches: {base}/  (Ctrl-C stops)")
    server = uvicorn.Server(uvicorn.Config(create_app(config), log_level="warning", timeout_graceful_shutdown=5))
    stop = threading.Event()
    if digest_hour is not None:
        schedule.start(config, digest_hour, stop)
        announce(f"digest mailed daily at {digest_hour:02d}:00 UTC")
    try:
        server.run(sockets=[sock])
    finally:
        stop.set()

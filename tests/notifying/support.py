"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message, and plan repositories
with tracking plans whose commits have fixed dates."""

from __future__ import annotations

import email
import os
import socket
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import default
from pathlib import Path
from typing import Any

from aiosmtpd.controller import Controller

CHECKOUT_PLAN = "0b7a4c1e-5d2f-4e8a-9c3b-1f2e3d4c5b6a"
DISCOVERY_PLAN = "7c9d2e4f-1a3b-4c5d-8e6f-9a0b1c2d3e4f"


@dataclass
class Inbox:
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        return "250 OK"

    def to(self, recipient: str) -> list[EmailMessage]:
        return [m for m in self.messages if m["To"] == recipient]


@contextmanager
def smtp_server() -> Iterator[tuple[Inbox, str]]:
    """An SMTP server on a free loopback port, and the TRACKPLAN_SMTP_URL that reaches it."""
    inbox = Inbox()
    with socket.socket() as probe:  # aiosmtpd checks it is up by connecting: it needs the port up front
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield inbox, f"smtp://127.0.0.1:{port}/?from=digest@example.com"
    finally:
        controller.stop()


def body(message: EmailMessage, subtype: str) -> str:
    part = message.get_body(preferencelist=(subtype,))
    assert part is not None
    content = part.get_content()
    assert isinstance(content, str)
    return content


def commit_at(root: Path, message: str, when: str) -> str:
    """Commit everything with author and committer date `when` (ISO 8601); the commit id."""
    env = {**os.environ, "GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-q", "-m", message], cwd=root, env=env, check=True)
    return subprocess.run(["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True).stdout.strip()


def add_tracking_plans(root: Path) -> None:
    """Two tracking plans: Checkout (Checkout Completed) and Discovery (Product Viewed, Search Performed)."""
    folder = root / "tracking-plans"
    folder.mkdir(exist_ok=True)
    (folder / "checkout.yaml").write_text(
        f"id: {CHECKOUT_PLAN}\nname: Checkout\nstatus: published\neventSpecifications:\n"
        "  - {id: 5e1d7a2c-3b4f-4c6d-8e9f-0a1b2c3d4e5f, name: Order placed, event: Checkout Completed}\n"
    )
    (folder / "discovery.yaml").write_text(
        f"id: {DISCOVERY_PLAN}\nname: Discovery\nstatus: published\neventSpecifications:\n"
        "  - {id: 6f2e8b3d-4c5a-4d7e-9fa0-1b2c3d4e5f60, name: Viewed, event: Product Viewed}\n"
        "  - {id: 7a3f9c4e-5d6b-4e8f-a0b1-2c3d4e5f6071, name: Searched, event: Search Performed}\n"
    )

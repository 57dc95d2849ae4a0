"""Idempotency keys: the first successful answer to a request, replayed for its retries.

Kept in sqlite in the state folder, per service account and key, with a digest of the request
it answered: the same key on a different request is refused instead of replayed.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from dataclasses import dataclass
from pathlib import Path

MAX_KEY = 255
_KEEP_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Answer:
    request_digest: str
    status: int
    body: bytes


class IdempotencyStore:
    def __init__(self, state_dir: Path) -> None:
        state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self._db = sqlite3.connect(state_dir / "idempotency.sqlite", check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute(
            "CREATE TABLE IF NOT EXISTS answers (account TEXT, key TEXT, digest TEXT, status INTEGER, "
            "body BLOB, at REAL, PRIMARY KEY (account, key))"
        )
        self._lock = threading.Lock()

    def get(self, account: str, key: str) -> Answer | None:
        with self._lock:
            row = self._db.execute(
                "SELECT digest, status, body FROM answers WHERE account = ? AND key = ? AND at > ?",
                (account, key, time.time() - _KEEP_SECONDS),
            ).fetchone()
        return Answer(row[0], row[1], row[2]) if row else None

    def put(self, account: str, key: str, answer: Answer) -> None:
        with self._lock:
            self._db.execute("DELETE FROM answers WHERE at <= ?", (time.time() - _KEEP_SECONDS,))
            self._db.execute(
                "INSERT OR REPLACE INTO answers VALUES (?, ?, ?, ?, ?, ?)",
                (account, key, answer.request_digest, answer.status, answer.body, time.time()),
            )

    def close(self) -> None:
        self._db.close()

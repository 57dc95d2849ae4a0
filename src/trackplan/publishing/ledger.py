"""Which commits have been delivered to which integration: what makes publishing idempotent.

A server (or an operator's machine) keeps the record in a sqlite file in its state folder; CI,
which has no state of its own between runs, keeps it in git notes on the published commits
(`refs/notes/trackplan-publish`, pushed with the branch). Only accepted deliveries are
recorded: a failed one is tried again by the next publish.
"""

from __future__ import annotations

import json
import sqlite3
import time
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import Protocol

from trackplan.repo.git.notes import read_note, update_note
from trackplan.repo.git.store import GitStore

LEDGER_FILE = "publishing.sqlite"
NOTES_REF = "refs/notes/trackplan-publish"


class Ledger(Protocol):
    def delivered(self, integration: str, commits: Sequence[str]) -> dict[str, str]:
        """{commit: the delivery id that carried it to `integration`} for those of `commits` delivered."""

    def record(self, integration: str, commit: str, delivery_id: str) -> None: ...


class StateLedger:
    """Deliveries in `publishing.sqlite` in the state folder."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / LEDGER_FILE

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        db = sqlite3.connect(self.path, timeout=10)
        db.execute(
            "CREATE TABLE IF NOT EXISTS deliveries (integration TEXT NOT NULL, commit_id TEXT NOT NULL,"
            " delivery_id TEXT NOT NULL, delivered_at REAL NOT NULL, PRIMARY KEY (integration, commit_id))"
        )
        return db

    def delivered(self, integration: str, commits: Sequence[str]) -> dict[str, str]:
        wanted = set(commits)
        with closing(self._connect()) as db:
            rows = db.execute("SELECT commit_id, delivery_id FROM deliveries WHERE integration = ?", (integration,))
            return {str(c): str(d) for c, d in rows if c in wanted}

    def record(self, integration: str, commit: str, delivery_id: str) -> None:
        with closing(self._connect()) as db, db:
            db.execute(
                "INSERT OR REPLACE INTO deliveries VALUES (?, ?, ?, ?)", (integration, commit, delivery_id, time.time())
            )


class NoteLedger:
    """Deliveries as git notes: one JSON line per delivery on the published commit."""

    def __init__(self, store: GitStore) -> None:
        self.store = store

    def _entries(self, commit: str) -> list[dict[str, str]]:
        return _entries(read_note(self.store, commit, NOTES_REF))

    def delivered(self, integration: str, commits: Sequence[str]) -> dict[str, str]:
        found = {}
        for commit in commits:
            ids = [e["delivery"] for e in self._entries(commit) if e.get("integration") == integration]
            if ids:
                found[commit] = str(ids[-1])
        return found

    def record(self, integration: str, commit: str, delivery_id: str) -> None:
        entry = json.dumps({"delivery": delivery_id, "integration": integration}, sort_keys=True)

        def added(note: str | None) -> str:
            return "".join(json.dumps(e, sort_keys=True) + "\n" for e in _entries(note)) + entry + "\n"

        update_note(self.store, commit, NOTES_REF, added)


def _entries(note: str | None) -> list[dict[str, str]]:
    entries = []
    for line in (note or "").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue  # a line someone wrote by hand: not a delivery
        if isinstance(entry, dict):
            entries.append(entry)
    return entries

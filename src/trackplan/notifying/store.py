"""Subscriptions, their confirmation tokens and the digest runs, in `subscriptions.sqlite` in
the server's state folder: never in a plan repository, since recipients are personal data,
tokens are secrets and git history is forever.

A confirmation token is 256 random bits, mailed once and stored only as its SHA-256; issuing a
new one voids the old. Unsubscribe links carry an HMAC of the recipient under a key kept in the
state folder (`notify.key`, mode 0600), so a digest can link without storing a token.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import sqlite3
import time
import uuid
from collections.abc import Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path

from trackplan.errors import InputError

DATABASE_FILE = "subscriptions.sqlite"
KEY_FILE = "notify.key"
_SCHEMA = """
CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY, organization TEXT NOT NULL, data_product TEXT NOT NULL, recipient TEXT NOT NULL,
    reason TEXT NOT NULL, receive_notifications INTEGER NOT NULL, created_at REAL NOT NULL,
    confirmed_at REAL, token_sha256 TEXT UNIQUE, UNIQUE (organization, data_product, recipient));
CREATE TABLE IF NOT EXISTS digest_runs (
    organization TEXT NOT NULL, ref TEXT NOT NULL, window_start REAL NOT NULL, window_end REAL NOT NULL,
    finished_at REAL NOT NULL, mails INTEGER NOT NULL);
"""
SENDING = -1
"""The mails of a claimed digest run still sending."""


@dataclass(frozen=True)
class Subscription:
    id: str
    organization: str
    data_product: str
    recipient: str
    reason: str
    receive_notifications: bool
    created_at: float
    confirmed_at: float | None

    @property
    def confirmed(self) -> bool:
        return self.confirmed_at is not None

    @property
    def notified(self) -> bool:
        """Whether digests go to it: confirmed, with notifications on."""
        return self.confirmed and self.receive_notifications


@dataclass(frozen=True)
class Pending:
    """A subscription with the confirmation token just issued for it (mailed, never stored)."""

    subscription: Subscription
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class SubscriptionStore:
    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.path = state_dir / DATABASE_FILE

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        fresh = not self.path.exists()
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            if fresh:
                os.chmod(self.path, 0o600)  # recipients are personal data
            db.executescript(_SCHEMA)
            yield db

    def _rows(self, where: str, *args: object) -> list[Subscription]:
        with self._db() as db:
            rows = db.execute(
                "SELECT id, organization, data_product, recipient, reason, receive_notifications, created_at,"
                f" confirmed_at FROM subscriptions WHERE {where} ORDER BY created_at, id",
                args,
            ).fetchall()
        return [Subscription(r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows]

    # -- subscriptions ----------------------------------------------------------------------------
    def subscriptions(self, organization: str | None = None, data_product: str | None = None) -> list[Subscription]:
        return self._rows(
            "(? IS NULL OR organization = ?) AND (? IS NULL OR data_product = ?)",
            organization,
            organization,
            data_product,
            data_product,
        )

    def get(self, organization: str, data_product: str, subscription_id: str) -> Subscription | None:
        found = self._rows(
            "organization = ? AND data_product = ? AND id = ?", organization, data_product, subscription_id
        )
        return found[0] if found else None

    def find(self, subscription_id: str) -> Subscription | None:
        found = self._rows("id = ?", subscription_id)
        return found[0] if found else None

    def add(self, organization: str, data_product: str, recipient: str, reason: str, notify: bool) -> Pending:
        """A new, unconfirmed subscription and its confirmation token; a recipient subscribes
        to a plan once (InputError otherwise)."""
        token = secrets.token_urlsafe(32)
        sub_id = str(uuid.uuid4())
        try:
            with self._db() as db:
                db.execute(
                    "INSERT INTO subscriptions VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?)",
                    (sub_id, organization, data_product, recipient, reason, int(notify), time.time(), _digest(token)),
                )
        except sqlite3.IntegrityError:
            raise InputError(f"{recipient} is already subscribed to this tracking plan") from None
        found = self.find(sub_id)
        assert found is not None
        return Pending(found, token)

    def update(self, subscription: Subscription, reason: str, notify: bool) -> Subscription:
        with self._db() as db:
            db.execute(
                "UPDATE subscriptions SET reason = ?, receive_notifications = ? WHERE id = ?",
                (reason, int(notify), subscription.id),
            )
        found = self.find(subscription.id)
        assert found is not None
        return found

    def remove(self, subscription_id: str) -> bool:
        with self._db() as db:
            return db.execute("DELETE FROM subscriptions WHERE id = ?", (subscription_id,)).rowcount > 0

    # -- confirmation -----------------------------------------------------------------------------
    def reissue(self, subscription: Subscription) -> Pending:
        """A new confirmation token for an unconfirmed subscription; the old one stops working."""
        token = secrets.token_urlsafe(32)
        with self._db() as db:
            db.execute("UPDATE subscriptions SET token_sha256 = ? WHERE id = ?", (_digest(token), subscription.id))
        return Pending(subscription, token)

    def confirm(self, subscription_id: str, token: str) -> Subscription | None:
        """Confirm with the token last mailed; None when the token is not that one."""
        with self._db() as db:
            changed = db.execute(
                "UPDATE subscriptions SET confirmed_at = ?, token_sha256 = NULL WHERE id = ? AND token_sha256 = ?",
                (time.time(), subscription_id, _digest(token)),
            ).rowcount
        return self.find(subscription_id) if changed else None

    # -- unsubscribing ----------------------------------------------------------------------------
    def _key(self) -> bytes:
        key_file = self.state_dir / KEY_FILE
        if not key_file.exists():
            self.state_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
            try:
                fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                return key_file.read_bytes()  # another process made it first
            with os.fdopen(fd, "wb") as handle:
                handle.write(secrets.token_bytes(32))
        return key_file.read_bytes()

    def unsubscribe_token(self, organization: str, recipient: str) -> str:
        return hmac.new(self._key(), f"{organization}\n{recipient}".encode(), hashlib.sha256).hexdigest()

    def unsubscribe(self, organization: str, token: str) -> int:
        """Turn off every digest of the recipient whose unsubscribe token this is; the number
        of subscriptions changed (0 for a token that is no recipient's)."""
        recipients = {s.recipient for s in self.subscriptions(organization)}
        found = [r for r in recipients if hmac.compare_digest(self.unsubscribe_token(organization, r), token)]
        if not found:
            return 0
        with self._db() as db:
            return db.execute(
                "UPDATE subscriptions SET receive_notifications = 0 WHERE organization = ? AND recipient = ?",
                (organization, found[0]),
            ).rowcount

    # -- digest runs ------------------------------------------------------------------------------
    def last_run_end(self, organization: str, ref: str) -> float | None:
        with self._db() as db:
            row = db.execute(
                "SELECT MAX(window_end) FROM digest_runs WHERE organization = ? AND ref = ?", (organization, ref)
            ).fetchone()
        return None if row[0] is None else float(row[0])

    def claim_run(self, organization: str, ref: str, window: tuple[float, float], alone: bool = True) -> bool:
        """Record a run about to send `window` (its mails counted as SENDING until `finish_run`).
        `alone`: False, and nothing recorded, when another run already covers part of the
        window: it read the last run's end first, and sends what this run would."""
        with self._db() as db:
            db.execute("BEGIN IMMEDIATE")  # one claim at a time, across processes
            covered = db.execute(
                "SELECT 1 FROM digest_runs WHERE organization = ? AND ref = ? AND window_end > ? LIMIT 1",
                (organization, ref, window[0]),
            ).fetchone()
            if alone and covered:
                return False
            db.execute(
                "INSERT INTO digest_runs VALUES (?, ?, ?, ?, ?, ?)", (organization, ref, *window, time.time(), SENDING)
            )
        return True

    def finish_run(self, organization: str, ref: str, window: tuple[float, float], mails: int | None) -> None:
        """The claimed run sent `mails`; None: it sent nothing, and gives its window back."""
        where = "organization = ? AND ref = ? AND window_start = ? AND window_end = ? AND mails = ?"
        key = (organization, ref, *window, SENDING)
        with self._db() as db:
            if mails is None:
                db.execute(f"DELETE FROM digest_runs WHERE {where}", key)
            else:
                done = (mails, time.time(), *key)
                db.execute(f"UPDATE digest_runs SET mails = ?, finished_at = ? WHERE {where}", done)

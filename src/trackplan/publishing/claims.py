"""Claims on a publication: what makes a commit reach an integration once, whichever process
(a server, a second server, `trackplan publish`) publishes it, and whatever ledger it keeps.

A claim is a file in the repository's git dir, `trackplan/published/<integration>/<commit>`,
shared by every process that works on the repository. It appears whole and already locked
(written aside, locked with `flock`, then hard-linked into place, which fails if it exists),
and names the delivery id. The sender holds the lock while it sends:

- accepted: the claim says `sent`, and stays as the record;
- refused for good or out of retries: the claim is removed, so the next publish tries again;
- killed mid-send: the kernel drops the lock and the claim still says `sending`. The next
  publisher takes it over with the same delivery id, so a receiver that got the first
  attempt can drop the second as a duplicate.

A process that finds a claim waits for its lock (a live sender is never interrupted), then
reads what the sender left.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path

from trackplan.errors import GitError

CLAIMS_FOLDER = "trackplan/published"
SENDING = "sending"
SENT = "sent"
POLL_SECONDS = 0.05


@dataclass(frozen=True)
class AlreadySent:
    delivery_id: str


@dataclass(frozen=True)
class Busy:
    """The claim's holder still sends after the wait: `holder` says who it is."""

    holder: str
    delivery_id: str


class Claim:
    """The right to send one commit to one integration, held until `close`."""

    def __init__(self, path: Path, fd: int, delivery_id: str) -> None:
        self.path = path
        self.delivery_id = delivery_id
        self._fd = fd

    def mark_sent(self) -> None:
        """Record the delivery as accepted: no publisher sends this commit again."""
        _rewrite(self._fd, {"delivery": self.delivery_id, "state": SENT, "at": time.time()}, durable=True)

    def release(self) -> None:
        """Give the claim up after a failed delivery, so the next publish tries again."""
        self.path.unlink(missing_ok=True)
        self.close()

    def close(self) -> None:
        if self._fd >= 0:
            os.close(self._fd)  # drops the lock
            self._fd = -1


def claim(git_dir: Path, integration: str, commit: str, delivery_id: str, wait: float) -> Claim | AlreadySent | Busy:
    """Claim sending `commit` to `integration` as `delivery_id` (or as the delivery a killed
    sender left), waiting up to `wait` seconds for a sender that holds it. A GitError when the
    git dir cannot hold the claim: nothing is sent without one."""
    path = git_dir / CLAIMS_FOLDER / integration / commit
    try:
        return _claim(path, delivery_id, time.monotonic() + wait)
    except OSError as exc:
        why = exc.strerror or exc
        raise GitError(f"cannot claim the delivery of {commit[:12]} in {path.parent}: {why}; nothing was sent") from exc


def _claim(path: Path, delivery_id: str, deadline: float) -> Claim | AlreadySent | Busy:
    while True:
        try:
            fd = os.open(path, os.O_RDWR)
        except FileNotFoundError:
            created = _create(path, delivery_id)
            if created is not None:
                return Claim(path, created, delivery_id)
            continue  # another publisher created it first
        if not _lock(fd, deadline):
            record = _read(fd)
            os.close(fd)
            return Busy(_holder(record), str(record.get("delivery", "")))
        if not _names(path, fd):  # released while we waited: claim afresh
            os.close(fd)
            continue
        record = _read(fd)
        found = record.get("delivery")
        if record.get("state") == SENT and isinstance(found, str):
            os.close(fd)
            return AlreadySent(found)
        resumed = found if isinstance(found, str) else delivery_id
        _rewrite(fd, _sending(resumed))
        return Claim(path, fd, resumed)


def _sending(delivery_id: str) -> dict[str, object]:
    return {"delivery": delivery_id, "state": SENDING, "pid": os.getpid(), "host": socket.gethostname()}


def _create(path: Path, delivery_id: str) -> int | None:
    """The claim's file, created whole and locked; None when one already exists."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{time.monotonic_ns()}")
    fd = os.open(aside, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        _rewrite(fd, _sending(delivery_id))
        os.link(aside, path)
    except FileExistsError:
        os.close(fd)
        return None
    except BaseException:
        os.close(fd)
        raise
    finally:
        aside.unlink(missing_ok=True)
    return fd


def _lock(fd: int, deadline: float) -> bool:
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(POLL_SECONDS)


def _names(path: Path, fd: int) -> bool:
    """Whether `path` still names the file `fd` has open."""
    try:
        there = path.stat()
    except FileNotFoundError:
        return False
    here = os.fstat(fd)
    return (there.st_dev, there.st_ino) == (here.st_dev, here.st_ino)


def _read(fd: int) -> dict[str, object]:
    try:
        record = json.loads(os.pread(fd, 4096, 0))
    except ValueError:
        return {}  # empty or cut short (a crash while it was written): no delivery to resume
    return record if isinstance(record, dict) else {}


def _rewrite(fd: int, record: dict[str, object], durable: bool = False) -> None:
    """Replace the claim's record; `durable`: on disk before returning (a `sent` record: lost in a
    crash, it would send again; a lost `sending` one only costs the delivery id)."""
    data = json.dumps(record, sort_keys=True).encode() + b"\n"
    os.ftruncate(fd, 0)
    os.pwrite(fd, data, 0)
    if durable:
        os.fsync(fd)


def _holder(record: dict[str, object]) -> str:
    if "pid" in record:
        return f"process {record['pid']} on {record.get('host', 'this host')}"
    return "another publisher"

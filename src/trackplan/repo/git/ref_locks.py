"""git's ref lock files (`refs/heads/x.lock`) left behind by a writer that was killed.

git and libgit2 take a ref's lock by creating `<ref>.lock` (it fails if the file exists),
keep it open while they write the new value, and rename it over the ref. A writer killed
with SIGKILL leaves the file, and every later write to that branch is refused, as git
refuses it. Neither git nor libgit2 writes who holds a lock, so a lock counts as stale, and
is removed, only when both hold:

- it is older than STALE_LOCK_SECONDS (a ref update holds its lock for milliseconds), and
- no process has it open, as /proc shows (Linux; without /proc nothing is ever removed).

Removals are serialized across processes by a lock of our own, and each re-checks the lock
file it found (same file, still old, still not open) under it: a lock created in between
belongs to a live writer and stays. Whatever is refused gets one line naming the lock file.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

from trackplan.repo.file_lock import exclusive

STALE_LOCK_SECONDS = 600
RECOVERY_LOCK = "trackplan/ref-locks.lock"
PROC = Path("/proc")


def holders(lock: Path) -> list[int] | None:
    """The processes (that this user can see) with `lock` open; None when /proc cannot tell."""
    try:
        wanted = lock.stat()
        pids = [int(name) for name in os.listdir(PROC) if name.isdigit()]
    except OSError:
        return None
    found = []
    for pid in pids:
        try:
            fds = os.scandir(PROC / str(pid) / "fd")
        except OSError:
            continue  # gone, or another user's: it cannot be inspected
        with fds:
            for fd in fds:
                try:
                    info = os.stat(fd.path)
                except OSError:
                    continue
                if (info.st_dev, info.st_ino) == (wanted.st_dev, wanted.st_ino):
                    found.append(pid)
                    break
    return found


def clear_if_stale(lock: Path, common_dir: Path) -> bool:
    """Remove `lock` if it is provably stale; whether it is gone (removed, or its writer finished)."""
    guard = common_dir / RECOVERY_LOCK
    try:
        guard.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(guard):
            try:
                old = time.time() - lock.stat().st_mtime
            except FileNotFoundError:
                return True
            if old < STALE_LOCK_SECONDS or holders(lock) != []:
                return False
            lock.unlink()
    except OSError:
        return False  # the guard or the lock cannot be handled here: leave the lock to its owner
    import logging  # only here: every command that opens a repository loads this module

    logging.getLogger("trackplan.repo").warning(
        "removed the stale lock %s (%d minutes old, no process had it open)", lock, old // 60
    )
    return True


def locked_message(branch: str, lock: Path) -> str:
    """Why a write to `branch` was refused, and what to do about `lock`."""
    held = holders(lock) if lock.exists() else None
    if held:
        return (
            f"branch {branch!r} is locked by another writer (process {held[0]} has {lock} open); "
            "nothing was written, run the command again"
        )
    return (
        f"branch {branch!r} is locked by another writer; nothing was written. Run the command again; if no git "
        f"command is running, a killed one left {lock}: remove it (one older than {STALE_LOCK_SECONDS // 60} "
        "minutes that no process has open is removed by itself)"
    )

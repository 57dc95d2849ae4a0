"""What a folder export (`export -o DIR/`) wrote, kept so that the next export into the same
folder removes the files it no longer writes: the folder then holds this export's files and
whatever else was there, as a user expects after an event is removed or filtered out.

A list per folder is kept under .git/trackplan/folders/, named by a digest of the folder's
resolved path, with a digest of each file's bytes as written. A file is removed only when
it is still a regular file inside the folder holding exactly those bytes: a file the user
put there, or edited since, is never touched. Folders left empty by a removal go too, up
to the export's folder (a folder with anything in it is never removed). Exports into one
folder take a lock, so two at once do not remove each other's files. Only the
`FOLDERS_KEPT` folders most recently exported to are remembered: a folder forgotten only
keeps its stale files, as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from collections.abc import Callable, Iterator
from pathlib import Path

from trackplan.repo.atomic import atomic_write
from trackplan.repo.file_lock import exclusive

FOLDERS_KEPT = 32
"""Folders whose export is remembered (each list is a few bytes per file)."""


def content_digest(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


class FolderRecord:
    """The list of the files the last export wrote into `folder` (a resolved path)."""

    def __init__(self, git_dir: Path, folder: Path) -> None:
        self.folder = folder
        self.records = git_dir / "trackplan" / "folders"
        self.file = self.records / hashlib.sha256(str(folder).encode()).hexdigest()[:32]

    @contextlib.contextmanager
    def locked(self) -> Iterator[None]:
        """Held while an export writes a folder and its list: one lock for every folder, so
        forgetting a folder never removes a lock another export holds. Where .git cannot be
        written, the export goes on unlocked, and `keep` fails: nothing is remembered."""
        lock = contextlib.ExitStack()
        with contextlib.suppress(OSError):
            self.records.mkdir(parents=True, exist_ok=True)
            lock.enter_context(exclusive(self.records.with_name("folders.lock")))
        with lock:
            yield

    def written(self) -> dict[str, str]:
        """{path in the folder: digest of its bytes} of the last export; {} when unknown."""
        try:
            doc = json.loads(self.file.read_bytes())
        except (OSError, ValueError):
            return {}
        files = doc.get("files") if isinstance(doc, dict) and doc.get("folder") == str(self.folder) else None
        return {p: d for p, d in files.items() if isinstance(d, str)} if isinstance(files, dict) else {}

    def keep(self, files: dict[str, str]) -> None:
        """Remember `files` as what this export wrote, then forget the oldest folders."""
        doc = {"folder": str(self.folder), "files": dict(sorted(files.items()))}
        atomic_write(self.file, json.dumps(doc, ensure_ascii=False, indent=0).encode())
        lists = []
        for entry in os.scandir(self.records):
            with contextlib.suppress(OSError):
                if not entry.name.startswith("."):  # "." files are writes in progress
                    lists.append((entry.stat().st_mtime, entry.path))
        for _, path in sorted(lists, reverse=True)[FOLDERS_KEPT:]:
            with contextlib.suppress(OSError):
                os.unlink(path)


def remove_stale(folder: Path, before: dict[str, str], now: set[str], allowed: Callable[[str], bool]) -> list[str]:
    """Remove the files `before` lists that `now` does not, where each still holds the bytes
    written then; `allowed(path)` says a path is one an export may write. Returns the paths
    removed, sorted."""
    removed = []
    for path in sorted(set(before) - now):
        target = folder.joinpath(*path.split("/"))
        if allowed(path) and _unchanged(target, before[path]):
            with contextlib.suppress(OSError):
                target.unlink()
                removed.append(path)
                _remove_empty_parents(folder, target.parent)
    return removed


def _unchanged(target: Path, digest: str) -> bool:
    try:
        info = target.lstat()
        return stat.S_ISREG(info.st_mode) and content_digest(target.read_bytes()) == digest
    except OSError:
        return False


def _remove_empty_parents(top: Path, folder: Path) -> None:
    while folder != top and folder.is_relative_to(top):
        try:
            folder.rmdir()  # refused unless empty
        except OSError:
            return
        folder = folder.parent

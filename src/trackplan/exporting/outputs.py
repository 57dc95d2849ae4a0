"""Whole exports kept as plain files under .git/trackplan/exports/, one per (plan tree, options).

A file is named by a digest of everything its bytes depend on: the tree of the plan folder,
the format, the label, every filter and option, and the code that wrote it (each source
file's path, size and mtime: an upgrade or an edit of any writer is another key, with no
version number to remember to bump).
A warm export resolves the ref, finds the file and copies it out: no plan file is read, no
model is built, no database is opened. Files are written whole (a reader never sees part
of one). Like the blob cache, this is only a speed-up: a folder that cannot be read or
written is a miss.

What is kept is bounded at each write (a copy out drops nothing): files another version of
the code wrote go (their names begin with its digest, and no export of this code can use
them), then the least recently used beyond `KEPT` files or `KEPT_BYTES` bytes (the newest
file stays whatever its size), and temporary files a killed writer left. A reader that
finds its file gone since it looked is a miss, never an error.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import hashlib
import json
import os
import stat
import time
from pathlib import Path
from typing import BinaryIO

import trackplan

KEPT = 8
"""Outputs kept per folder: a few refs and formats, each as large as the plan's export."""
KEPT_BYTES = 1 << 30
"""Bytes kept per folder: two avo-json exports of a 100,000-event plan (434 MB each)."""
ABANDONED = 3600
"""Seconds after which a temporary file is a write a killed process left, not one in progress."""
CODE_PART = 16
"""Hex digits of the code's digest that begin each kept file's name."""
BLOCK = 1 << 20
"""The size of each read and write where the kernel cannot copy a file (`os.sendfile`)."""


def output_key(tree: str, parts: list[object]) -> str:
    """The file name of the output of the plan tree `tree` under `parts` (format, label,
    options): any difference in any of them, or in the code, is another name."""
    code = code_digest()
    described = json.dumps([code, tree, parts], separators=(",", ":"), sort_keys=True)
    return f"{code[:CODE_PART]}-{hashlib.sha256(described.encode()).hexdigest()}"


def code_fingerprint(root: Path) -> str:
    """A digest of the Python files below `root`: their paths, sizes and mtimes."""
    digest = hashlib.sha256()
    for folder, folders, files in os.walk(root):
        folders[:] = sorted(f for f in folders if f != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                info = os.stat(os.path.join(folder, name))
                digest.update(f"{os.path.join(folder, name)}\0{info.st_size}\0{info.st_mtime_ns}\0".encode())
    return digest.hexdigest()


@functools.cache
def code_digest() -> str:
    """The fingerprint of the installed code, computed once per process."""
    return code_fingerprint(Path(trackplan.__file__).parent)


class KeptOutputs:
    """The outputs kept in one folder (a repository's .git/trackplan/exports)."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def file(self, key: str) -> Path | None:
        """The file of the output stored under `key`, marked as just used; None when there is none."""
        file = self.folder / key
        try:
            os.utime(file)  # least recently used goes first
        except OSError:
            return None
        return file

    def read(self, key: str) -> bytes | None:
        """The output stored under `key`, marked as just used; None when there is none."""
        file = self.file(key)
        try:
            return file.read_bytes() if file is not None else None
        except OSError:
            return None

    def write(self, key: str, data: bytes) -> None:
        """Keep `data` under `key`, then drop what is beyond the bounds (see above)."""
        from trackplan.repo.atomic import atomic_write  # tempfile is not needed to read

        try:
            atomic_write(self.folder / key, data)
            self._prune(key)
        except OSError:
            pass  # a read-only or full disk: the export itself has succeeded

    def _prune(self, written: str) -> None:
        """Drop files of other code, then the least recently used beyond the bounds. Another
        process pruning at once may drop a file first: a file gone is skipped."""
        code, now = written[:CODE_PART], time.time()
        kept: list[tuple[float, int, str]] = []
        for entry in os.scandir(self.folder):
            try:
                info = entry.stat(follow_symlinks=False)
            except OSError:
                continue
            if not stat.S_ISREG(info.st_mode):
                continue
            if entry.name.startswith("."):  # a write in progress, unless it is old
                if now - info.st_mtime > ABANDONED:
                    _drop(entry.path)
            elif not entry.name.startswith(code):
                _drop(entry.path)
            else:
                kept.append((info.st_mtime, info.st_size, entry.name))
        total = 0
        for count, (_, size, name) in enumerate(sorted(kept, reverse=True)):
            total += size
            if count >= KEPT or (count and total > KEPT_BYTES):
                _drop(os.path.join(self.folder, name))


def _drop(path: str) -> None:
    with contextlib.suppress(OSError):  # gone already, or not ours to remove
        os.unlink(path)


def copy_file(file: Path, out: BinaryIO) -> bool:
    """Copy `file` to `out`: by the kernel (`os.sendfile`) when `out` is a file, a pipe or a
    socket, else in large blocks. False, with nothing written, when `file` cannot be opened
    (another process dropped it since it was found)."""
    try:
        source = file.open("rb")
    except OSError:
        return False
    with source:
        out.flush()
        try:
            sent = _sent(source.fileno(), out.fileno())
        except ValueError:  # `out` is no file: a buffer in memory
            sent = False
        if not sent:
            while block := source.read(BLOCK):
                out.write(block)
            out.flush()
    return True


def _sent(source: int, target: int) -> bool:
    """Whether the kernel copied all of `source` to `target`; False, with nothing written,
    where it cannot (a terminal, a file opened to append)."""
    offset, size = 0, os.fstat(source).st_size
    while offset < size:
        try:
            sent = os.sendfile(target, source, offset, size - offset)
        except OSError as exc:
            if offset == 0 and exc.errno in (errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP):
                return False
            raise
        if sent == 0:  # the file is shorter than it was: what is there has been copied
            break
        offset += sent
    return True

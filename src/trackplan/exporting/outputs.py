"""Whole exports kept as plain files under .git/trackplan/exports/, one per (plan tree, options).

A file is named by a digest of everything its bytes depend on: the tree of the plan folder,
the format, the label, every filter and option, and the code that wrote it (each source
file's path, size and mtime: an upgrade or an edit of any writer is another key, with no
version number to remember to bump).
A warm export resolves the ref, finds the file and copies it out: no plan file is read, no
model is built, no database is opened. Files are written whole (a reader never sees part
of one) and the least recently used go once more than `KEPT` are there. Like the blob
cache, this is only a speed-up: a folder that cannot be read or written is a miss.
"""

from __future__ import annotations

import errno
import functools
import hashlib
import json
import os
from pathlib import Path
from typing import BinaryIO

import trackplan

KEPT = 8
"""Outputs kept per repository: a few refs and formats, each as large as the plan's export."""
BLOCK = 1 << 20
"""The size of each read and write where the kernel cannot copy a file (`os.sendfile`)."""


def output_key(tree: str, parts: list[object]) -> str:
    """The file name of the output of the plan tree `tree` under `parts` (format, label,
    options): any difference in any of them, or in the code, is another name."""
    described = json.dumps([_code(), tree, parts], separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(described.encode()).hexdigest()


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
def _code() -> str:
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
        """Keep `data` under `key`, then drop the least recently used beyond `KEPT`."""
        from trackplan.repo.atomic import atomic_write  # tempfile is not needed to read

        try:
            atomic_write(self.folder / key, data)
            self._prune()
        except OSError:
            pass  # a read-only or full disk: the export itself has succeeded

    def _prune(self) -> None:
        kept: list[tuple[float, Path]] = []
        for entry in os.scandir(self.folder):
            if entry.is_file() and not entry.name.startswith("."):  # "." files are writes in progress
                kept.append((entry.stat().st_mtime, Path(entry.path)))
        for _, file in sorted(kept, reverse=True)[KEPT:]:
            file.unlink(missing_ok=True)


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

"""Writing files so that readers never see half of one (exports, version fixes, the work tree
after a commit). A new file gets the mode the umask gives, as any program's would; a file
rewritten keeps its mode. A target that is not a regular file (`-o /dev/null`, a FIFO) is
written in place: replacing it would turn a device into a plain file."""

from __future__ import annotations

import functools
import os
import stat
import tempfile
from pathlib import Path


@functools.cache
def _umask() -> int:
    mask = os.umask(0o022)  # reading the umask means setting it: put it straight back
    os.umask(mask)
    return mask


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that readers see the old or the new content, never a part; a failed
    write (a full disk, an interruption) leaves the old file and no temporary one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        info = path.stat()
    except FileNotFoundError:
        mode = 0o666 & ~_umask()
    else:
        if not stat.S_ISREG(info.st_mode) and not stat.S_ISDIR(info.st_mode):
            with path.open("wb") as handle:
                handle.write(data)
            return
        mode = stat.S_IMODE(info.st_mode)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), mode)
            handle.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

"""trackplan.yaml as the full settings read last accepted it, kept in .git/trackplan/, so a
default `diff` of an unchanged work tree (cli/quick.py) knows the plan's main branch, and
that its settings raise no error, without PyYAML, the settings model or the blob cache's
sqlite: loading those costs more than the whole quick answer.

The memo holds the file's bytes, the main branch the full read found in them, and the path,
size and mtime of each module of trackplan and PyYAML loaded when it was written: any other
byte in the file, or an upgrade or edit of that code, is a miss. A miss, or a folder that
cannot be read or written, only means that the full read runs. No pathlib, no hashlib:
marshal is loaded with the interpreter.
"""

from __future__ import annotations

import marshal
import os
import sys

from trackplan.repo.paths import SETTINGS_FILE

NAME = "accepted-settings"
FORMAT = (1, sys.hexversion)  # marshal's format follows the interpreter's version
CODE = ("trackplan", "yaml")
"""The packages whose modules decide whether a trackplan.yaml is accepted."""

Code = tuple[tuple[str, int, int], ...]


def settings_bytes(root: str) -> bytes | None:
    """The work tree's trackplan.yaml as the full read takes it (`workspace.worktree_bytes`);
    None when there is none or it is a symlink, which that read does not follow."""
    file = os.path.join(root, SETTINGS_FILE)
    try:
        if os.path.isfile(file) and os.path.realpath(file) == file:
            with open(file, "rb") as handle:
                return handle.read()
    except OSError:
        pass
    return None


def recall(git_dir: str, root: str) -> str | None:
    """The main branch of the work tree's trackplan.yaml in the plan folder `root` (resolved),
    if the memo holds that very file, read by the code there is now."""
    data = settings_bytes(root)
    kept = _read(git_dir)
    if data is None or kept is None or kept[1] != data or not _unchanged(kept[0]):
        return None
    return kept[2]


def remember(git_dir: str, root: str, read: bytes | None, main_branch: str) -> None:
    """Keep `read`, the trackplan.yaml the full read has just accepted with this main branch,
    unless the file is no longer those bytes (then which bytes were read is not known)."""
    if read is None or settings_bytes(root) != read or recall(git_dir, root) == main_branch:
        return
    folder = os.path.join(git_dir, "trackplan")
    partial = os.path.join(folder, f"{NAME}.{os.getpid()}.tmp")
    try:
        os.makedirs(folder, exist_ok=True)
        with open(partial, "wb") as handle:
            marshal.dump((FORMAT, _code(), read, main_branch), handle)
        os.replace(partial, os.path.join(folder, NAME))
    except OSError:
        if os.path.exists(partial):
            os.unlink(partial)


def _read(git_dir: str) -> tuple[Code, bytes, str] | None:
    try:
        with open(os.path.join(git_dir, "trackplan", NAME), "rb") as handle:
            memo = marshal.load(handle)
    except (OSError, EOFError, ValueError, TypeError):
        return None
    if not (isinstance(memo, tuple) and len(memo) == 4 and memo[0] == FORMAT):
        return None
    _, code, data, main_branch = memo
    if not (isinstance(code, tuple) and isinstance(data, bytes) and isinstance(main_branch, str)):
        return None
    return code, data, main_branch


def _code() -> Code:
    """Each loaded module of the packages in CODE: (file, size, mtime in ns)."""
    files = set()
    for name, module in list(sys.modules.items()):
        file = getattr(module, "__file__", None)
        if name.partition(".")[0] in CODE and isinstance(file, str):
            files.add(file)
    stats = [(file, os.stat(file)) for file in sorted(files)]
    return tuple((file, info.st_size, info.st_mtime_ns) for file, info in stats)


def _unchanged(code: Code) -> bool:
    try:
        for file, size, mtime in code:
            info = os.stat(file)
            if (info.st_size, info.st_mtime_ns) != (size, mtime):
                return False
    except (OSError, TypeError, ValueError):
        return False
    return True

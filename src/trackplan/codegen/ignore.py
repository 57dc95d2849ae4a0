"""The files of a source tree that git does not ignore, read from the tree's `.gitignore` files
(and `.git/info/exclude`) with git's matching rules: `*`, `?`, `[...]`, `**`, `!` to
re-include, a trailing `/` for folders only, a leading or inner `/` to anchor a pattern to
its `.gitignore`'s folder, the last matching pattern wins, and nothing below an ignored
folder comes back.

`status` scans app folders that need not belong to the plan's repository, or to any
repository, so this reads the files itself rather than asking git.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Pattern:
    base: str  # the folder of the .gitignore, relative to the walk's top ("" for the top)
    regex: re.Pattern[str]
    negated: bool
    folders_only: bool


def parse(text: str, base: str) -> list[Pattern]:
    patterns = []
    for raw in text.splitlines():
        line = raw if raw.endswith("\\ ") else raw.rstrip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        line = line[1:] if negated or line.startswith("\\!") or line.startswith("\\#") else line
        folders_only = line.endswith("/")
        line = line.rstrip("/")
        if not line:
            continue
        anchored = "/" in line
        body = _translate(line.lstrip("/"))
        regex = re.compile(body if anchored else f"(?:.*/)?{body}", re.DOTALL)
        patterns.append(Pattern(base, regex, negated, folders_only))
    return patterns


def _translate(glob: str) -> str:
    """A regular expression for a gitignore glob (matched against the whole relative path)."""
    out, i = [], 0
    while i < len(glob):
        if glob.startswith("**/", i) and (i == 0 or glob[i - 1] == "/"):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i) and i + 2 == len(glob) and (i == 0 or glob[i - 1] == "/"):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and "]" in glob[i + 2 :]:
            end = glob.index("]", i + 2)
            chars = glob[i + 1 : end]
            negate = chars[:1] in ("!", "^")
            chars = chars[1:] if negate else chars
            out.append(f"[{'^' if negate else ''}{chars.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        elif glob[i] == "\\" and i + 1 < len(glob):
            out.append(re.escape(glob[i + 1]))
            i += 2
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def ignored(patterns: list[Pattern], path: str, is_folder: bool) -> bool:
    """Whether `path` (relative to the walk's top, with `/`) is ignored; the last match wins."""
    verdict = False
    for pattern in patterns:
        if pattern.folders_only and not is_folder:
            continue
        if pattern.base:
            if not path.startswith(pattern.base + "/"):
                continue
            relative = path[len(pattern.base) + 1 :]
        else:
            relative = path
        if pattern.regex.fullmatch(relative):
            verdict = not pattern.negated
    return verdict


def repository_top(start: Path) -> Path:
    """The top of the git work tree holding `start` (`start` itself outside any)."""
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return start


def files(root: Path) -> Iterator[Path]:
    """Every file below `root` that git would not ignore, in a fixed order; the `.gitignore`
    files from the repository's top down to `root` apply."""
    root = root.resolve()
    top = repository_top(root)
    patterns: list[Pattern] = []
    exclude = top / ".git" / "info" / "exclude"
    if exclude.is_file():
        patterns += parse(exclude.read_text(errors="replace"), "")
    parts = root.relative_to(top).parts
    for depth in range(len(parts) + 1):  # the top first, down to root
        patterns += _read(top.joinpath(*parts[:depth]), top)
    yield from _walk(root, top, patterns)


def _read(folder: Path, top: Path) -> list[Pattern]:
    file = folder / ".gitignore"
    if not file.is_file():
        return []
    base = folder.relative_to(top).as_posix()
    return parse(file.read_text(errors="replace"), "" if base == "." else base)


def _walk(folder: Path, top: Path, patterns: list[Pattern]) -> Iterator[Path]:
    with os.scandir(folder) as scan:
        entries = sorted(scan, key=lambda entry: entry.name)
    for entry in entries:
        path = Path(entry.path)
        relative = path.relative_to(top).as_posix()
        is_folder = entry.is_dir(follow_symlinks=False)
        if entry.name == ".git" or ignored(patterns, relative, is_folder):
            continue
        if is_folder:
            yield from _walk(path, top, patterns + _read(path, top))
        elif entry.is_file():
            yield path

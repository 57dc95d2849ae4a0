"""Implementation coverage (`trackplan status`), as `avo status` and `ampli status` report it:
which of the selected events an app calls, where, which it never calls, and which raw
`track("Event Name")` calls name no selected event.

The scan is textual, over the files git does not ignore: a call is a generated function's
name followed by `(` (not its definition), or `track(` with a string literal as its first
argument (or its second, after a user id, as server SDKs take them). Files that
`trackplan codegen` wrote are skipped. A raw call counts for an event when it names the
event as the plan does or as a destination receives it (x-name-mapping).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trackplan.codegen import ignore
from trackplan.codegen.header import is_generated
from trackplan.codegen.run import LANGUAGES, CodegenRequest, select
from trackplan.errors import InputError
from trackplan.repo.workspace import Workspace

_CALL = re.compile(r"(?<![\w$])([^\W\d][\w$]*)\s*\(")
_DEFINITION = re.compile(r"(?:function|def)\s+$")
_RAW_TRACK = re.compile(
    r"(?<![\w$])track\s*\(\s*(?:[A-Za-z_$][\w$.]*\s*,\s*)?(?P<quote>[\"'`])(?P<name>(?:\\.|(?!(?P=quote))[^\\\n])*)(?P=quote)"
)
_ESCAPE = re.compile(r"\\(u\{[0-9a-fA-F]+\}|u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|.)")
_ESCAPED = {"n": "\n", "t": "\t", "r": "\r", "0": "\0", "b": "\b", "f": "\f", "v": "\v"}


@dataclass(frozen=True)
class StatusRequest:
    lang: str
    paths: tuple[Path, ...]
    ref: str = "HEAD"
    source: str | None = None
    tracking_plan: str | None = None


@dataclass(frozen=True)
class Site:
    """A call found in the source tree: `name` is the function called, or the event name a
    raw `track()` call gives."""

    path: str
    line: int
    name: str
    raw: bool

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "call": self.name, "kind": "track" if self.raw else "function"}


@dataclass(frozen=True)
class Coverage:
    event: str
    function: str
    sites: tuple[Site, ...]

    @property
    def status(self) -> str:
        return "implemented" if self.sites else "missing"


@dataclass(frozen=True)
class StatusReport:
    lang: str
    events: tuple[Coverage, ...]
    unknown: tuple[Site, ...]
    files: int

    def counts(self) -> dict[str, int]:
        implemented = sum(1 for e in self.events if e.sites)
        return {
            "events": len(self.events),
            "implemented": implemented,
            "missing": len(self.events) - implemented,
            "unknown": len(self.unknown),
            "files": self.files,
        }

    def fails(self, fail_on: Iterable[str]) -> bool:
        counts = self.counts()
        return any(counts[level] for level in fail_on)

    def to_json(self) -> dict[str, Any]:
        return {
            "lang": self.lang,
            "events": [
                {
                    "event": e.event,
                    "function": e.function,
                    "status": e.status,
                    "calls": [site.to_json() for site in e.sites],
                }
                for e in self.events
            ],
            "unknown": [{"event": s.name, "path": s.path, "line": s.line} for s in self.unknown],
            "summary": self.counts(),
        }


def scan(ws: Workspace, request: StatusRequest, cwd: Path) -> StatusReport:
    library = select(ws, CodegenRequest(request.lang, request.ref, request.source, request.tracking_plan)).library
    functions = {call.function: call.event for call in library.events}
    raw_names = {call.event: call.event for call in library.events}
    raw_names.update((sent, call.event) for call in library.events for _, sent in call.sent_names)
    found: dict[str, list[Site]] = {call.event: [] for call in library.events}
    unknown: list[Site] = []
    scanned = 0
    for file in _source_files(request.paths, cwd, LANGUAGES[request.lang].suffixes):
        text = file.read_text(encoding="utf-8", errors="replace")
        if is_generated(text):
            continue
        scanned += 1
        shown = _shown(file, cwd)
        for site in _sites(text, shown, functions):
            event = functions.get(site.name) if not site.raw else raw_names.get(site.name)
            if event is None:
                unknown.append(site)
            else:
                found[event].append(site)
    events = tuple(Coverage(c.event, c.function, tuple(found[c.event])) for c in library.events)
    return StatusReport(request.lang, events, tuple(unknown), scanned)


def _source_files(paths: tuple[Path, ...], cwd: Path, suffixes: tuple[str, ...]) -> Iterator[Path]:
    seen: set[Path] = set()
    for given in paths or (cwd,):
        path = (cwd / given).resolve()
        if not path.exists():
            raise InputError(f"{given}: no such file or folder")
        candidates = [path] if path.is_file() else ignore.files(path)
        for file in candidates:
            if file.suffix in suffixes and file not in seen:
                seen.add(file)
                yield file


def _shown(file: Path, cwd: Path) -> str:
    try:
        return file.relative_to(cwd.resolve()).as_posix()
    except ValueError:
        return file.as_posix()


def _sites(text: str, path: str, functions: dict[str, str]) -> Iterator[Site]:
    """The calls in one file, in the order they appear."""
    lines = [0, *(m.end() for m in re.finditer("\n", text))]
    hits: list[tuple[int, Site]] = []
    for match in _CALL.finditer(text):
        name = match.group(1)
        if name in functions and not _DEFINITION.search(text, max(0, match.start() - 12), match.start()):
            hits.append((match.start(), Site(path, bisect.bisect_right(lines, match.start()), name, raw=False)))
    for match in _RAW_TRACK.finditer(text):
        literal = match.group("name")
        if match.group("quote") == "`" and "${" in literal:
            continue  # a name built at run time
        hits.append(
            (match.start(), Site(path, bisect.bisect_right(lines, match.start()), _unescape(literal), raw=True))
        )
    return (site for _, site in sorted(hits, key=lambda hit: hit[0]))


def _unescape(literal: str) -> str:
    def one(match: re.Match[str]) -> str:
        code = match.group(1)
        if code.startswith("u{"):
            return chr(int(code[2:-1], 16))
        if code[0] in "ux" and len(code) > 1:
            return chr(int(code[1:], 16))
        return _ESCAPED.get(code, code)

    return _ESCAPE.sub(one, literal)


def render_text(report: StatusReport) -> str:
    rows = [("implemented" if e.sites else "missing", e.event, e.function, _where(e.sites)) for e in report.events]
    rows += [("unknown", f'"{site.name}"', "", _where((site,))) for site in report.unknown]
    widths = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    lines = ["  ".join(cell.ljust(widths[i]) if i < 3 else cell for i, cell in enumerate(row)).rstrip() for row in rows]
    counts = report.counts()
    lines.append(
        f"{counts['events']} events: {counts['implemented']} implemented, {counts['missing']} missing; "
        f"{counts['unknown']} unknown call{'' if counts['unknown'] == 1 else 's'}; {counts['files']} files scanned"
    )
    return "\n".join(lines) + "\n"


def _where(sites: tuple[Site, ...]) -> str:
    if not sites:
        return ""
    first = f"{sites[0].path}:{sites[0].line}"
    return first if len(sites) == 1 else f"{first} (+{len(sites) - 1} more)"

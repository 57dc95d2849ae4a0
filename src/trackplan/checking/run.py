"""`trackplan check`: stream payloads from a file (JSONL or a JSON array) through a Checker
(the plan at the ref asked for, or at the commit a payload names), summarise per event, and
judge the result against --max-invalid. Memory stays bounded whatever the file size."""

from __future__ import annotations

import codecs
import json
import math
import random
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from trackplan.checking.checker import Checker, CheckResult
from trackplan.checking.commits import CommitCheckers, payload_commit
from trackplan.errors import InputError
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

CHUNK = 1 << 20
BOM = b"\xef\xbb\xbf"


@dataclass
class EventStats:
    seen: int = 0
    valid: int = 0
    invalid: int = 0
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)
    sent: set[str] = field(default_factory=set)
    planned: set[str] = field(default_factory=set)  # the event's properties at every commit checked
    planned_last: tuple[str, ...] = ()  # the last Checker's, so each payload costs no set update


@dataclass
class QAReport:
    checked: int = 0
    invalid: int = 0
    malformed: list[tuple[int, str]] = field(default_factory=list)
    malformed_count: int = 0
    unknown: Counter[str] = field(default_factory=Counter)
    events: dict[str, EventStats] = field(default_factory=dict)
    commits: Counter[str] = field(default_factory=Counter)  # payloads checked at the commit they name
    unknown_commits: Counter[str] = field(default_factory=Counter)  # named commits this repository lacks

    def add_unknown_commit(self, commit: str) -> None:
        """A payload naming a commit with no plan here: not checked, and counted invalid."""
        self.checked += 1
        self.invalid += 1
        self.unknown_commits[commit] += 1

    def add(self, result: CheckResult, planned: tuple[str, ...] = (), commit: str | None = None) -> None:
        self.checked += 1
        if commit is not None:
            self.commits[commit] += 1
        if not result.known:
            self.invalid += 1
            self.unknown[str(result.event or result.shape)] += 1
            return
        name = str(result.event)
        stats = self.events.get(name)
        if stats is None:
            stats = self.events[name] = EventStats()
        stats.seen += 1
        if planned is not stats.planned_last:
            stats.planned.update(planned)
            stats.planned_last = planned
        if len(stats.sent) < len(stats.planned):  # once every property was seen, nothing is left to learn
            stats.sent.update(result.sent)
        if result.valid:
            stats.valid += 1
        else:
            stats.invalid += 1
            self.invalid += 1
            stats.errors.update(result.errors)

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "invalid": self.invalid,
            "malformed": self.malformed_count,
            "malformedLines": [{"line": n, "error": e} for n, e in self.malformed],
            "unknownEvents": dict(self.unknown.most_common()),
            "commits": dict(self.commits.most_common()),
            "unknownCommits": dict(self.unknown_commits.most_common()),
            "events": {
                name: {
                    "seen": s.seen,
                    "valid": s.valid,
                    "invalid": s.invalid,
                    "topErrors": [{"path": p, "message": m, "count": c} for (p, m), c in s.errors.most_common(5)],
                    "neverSent": sorted(s.planned - s.sent),
                }
                for name, s in sorted(self.events.items())
            },
        }


def records(stream: BinaryIO) -> Iterator[tuple[int, Any, str | None]]:
    """(line or item number, parsed JSON or None, error) for JSONL or a JSON array; a UTF-8
    byte order mark and leading blank lines are skipped, the lines still counted."""
    first = stream.read(1)
    if first == BOM[:1]:
        rest = stream.read(2)
        first = stream.read(1) if rest == BOM[1:] else first + rest
    number = 0
    while first.isspace():
        number += first == b"\n"
        first = stream.read(1)
    if not first:
        return
    if first == b"[":
        yield from _array_items(stream)
        return
    lines = iter(stream)
    number += 1
    line = first + next(lines, b"")
    while True:
        if line.strip():
            try:
                yield number, orjson.loads(line), None
            except orjson.JSONDecodeError as exc:
                yield number, None, str(exc).split(":")[0]
        line = next(lines, b"")
        if not line:
            return
        number += 1


def _array_items(stream: BinaryIO) -> Iterator[tuple[int, Any, str | None]]:
    decoder = json.JSONDecoder()
    text = codecs.getincrementaldecoder("utf-8")("replace")  # a character may straddle two chunks
    buffer = ""
    index = 0
    done = False
    while not done:
        chunk = stream.read(CHUNK)
        done = not chunk
        buffer += text.decode(chunk, final=done)
        while True:
            stripped = buffer.lstrip(" \t\r\n,")
            if not stripped or stripped.startswith("]"):
                buffer = stripped
                break
            try:
                value, end = decoder.raw_decode(stripped)
            except ValueError as exc:
                if done or len(stripped) > 64 * CHUNK:
                    index += 1
                    yield index, None, str(exc).split(":")[0]
                    return
                buffer = stripped
                break
            index += 1
            yield index, value, None
            buffer = stripped[end:]
        if buffer.startswith("]"):
            return


def run_checks(
    checker: Checker,
    stream: BinaryIO,
    sample: int | None = None,
    keep_malformed: int = 20,
    at_commit: CommitCheckers | None = None,
) -> QAReport:
    """Check every payload of `stream` (or a sample of them) with `checker`; with `at_commit`,
    a payload naming a commit in `context.trackingPlan.commit` is checked against that one."""
    report = QAReport()
    reservoir: list[Any] = []
    rng = random.Random(0)
    seen = 0
    for number, doc, error in records(stream):
        if error is not None:
            report.malformed_count += 1
            if len(report.malformed) < keep_malformed:
                report.malformed.append((number, error))
            continue
        if sample is None:
            _check_one(report, doc, checker, at_commit)
            continue
        seen += 1
        if len(reservoir) < sample:
            reservoir.append(doc)
        else:
            slot = rng.randrange(seen)
            if slot < sample:
                reservoir[slot] = doc
    for doc in reservoir:
        _check_one(report, doc, checker, at_commit)
    return report


def _check_one(report: QAReport, doc: Any, checker: Checker, at_commit: CommitCheckers | None) -> None:
    commit = None
    if at_commit is not None and isinstance(doc, dict) and "context" in doc:  # most payloads: no lookup
        commit = payload_commit(doc)
        if commit is not None:
            found = at_commit.checker(commit)
            if found is None:
                report.add_unknown_commit(commit)
                return
            checker = found
    result = checker.check(doc)
    report.add(result, checker.properties.get(str(result.event), ()), commit)


@dataclass(frozen=True)
class MaxInvalid:
    """How many invalid payloads a check allows: a count, or a share of the payloads checked."""

    threshold: float
    share: bool

    @classmethod
    def parse(cls, value: str) -> MaxInvalid:
        """`N` (a count) or `P%` (a share of checked payloads)."""
        text = value.strip()
        try:
            limit = cls(float(text[:-1]) / 100, True) if text.endswith("%") else cls(float(int(text)), False)
        except ValueError:
            limit = None
        if limit is None or not math.isfinite(limit.threshold) or limit.threshold < 0:
            raise InputError(f"--max-invalid {value!r}: expected a count like 10 or a share like 0.5%")
        return limit

    def exceeded_by(self, report: QAReport) -> bool:
        allowed = self.threshold * report.checked if self.share else self.threshold
        return report.invalid > allowed


@dataclass(frozen=True)
class CheckRequest:
    payloads: str  # a file, or - for standard input
    ref: str = "HEAD"
    sample: int | None = None
    max_invalid: str | None = None  # as given: N or P%
    ignore_payload_commit: bool = False  # check every payload at `ref`, whatever commit it names


@dataclass(frozen=True)
class CheckOutcome:
    summary: dict[str, Any]  # QAReport.to_json
    failed: bool  # more payloads were invalid than --max-invalid allows


def check_ref(ws: Workspace, request: CheckRequest, stdin: BinaryIO) -> CheckOutcome:
    """Check the payloads of `request` against the plan at its ref, or at the commit each names."""
    limit = MaxInvalid.parse(request.max_invalid) if request.max_invalid is not None else None
    checker = Checker(ws.load(request.ref).plan)
    at_commit = None
    if not request.ignore_payload_commit:
        # A payload naming the ref's own commit is checked by the Checker already built.
        known = {} if request.ref == WORKTREE else {ws.store.resolve(request.ref): checker}
        at_commit = CommitCheckers(ws, known)
    if request.payloads == "-":
        report = run_checks(checker, stdin, request.sample, at_commit=at_commit)
    else:
        path = Path(request.payloads)
        if not path.is_file():
            raise InputError(f"{request.payloads}: no such file")
        with path.open("rb") as stream:
            report = run_checks(checker, stream, request.sample, at_commit=at_commit)
    return CheckOutcome(report.to_json(), limit is not None and limit.exceeded_by(report))

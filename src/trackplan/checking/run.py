"""`trackplan check`: stream payloads from a file (JSONL or a JSON array) through a Checker
(the plan at the ref asked for, or at the commit a payload names), summarise per event, and
judge the result against --max-invalid. Memory stays bounded whatever the file size.

Most payloads are valid: they are counted straight from `Checker.quick_check`, and only the
others get a full `CheckResult`. Every violation is counted; the report lists the most
frequent kinds per event, each with the first places it was seen, and says how many kinds
and violations it left out.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from trackplan import memory
from trackplan.checking.checker import Checker, CheckResult
from trackplan.checking.commits import CommitCheckers, payload_commit
from trackplan.checking.sources import Batch, Location, Malformed, batches
from trackplan.errors import InputError
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

TOP_ERRORS = 10  # kinds of error listed per event; the rest are counted
EXAMPLES = 5  # places listed per kind of error and per unknown event
Progress = Callable[[int], None]  # told the number of payloads read so far, after each batch


@dataclass(slots=True)
class EventStats:
    seen: int = 0
    valid: int = 0
    invalid: int = 0
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # every violation, by kind
    examples: dict[tuple[str, str], list[Location]] = field(default_factory=dict)
    planned: set[str] = field(default_factory=set)  # the event's properties at every commit checked
    missing: set[str] = field(default_factory=set)  # planned and not sent yet
    planned_last: tuple[str, ...] | None = None  # the last Checker's, so each payload costs no set update

    def plan(self, planned: tuple[str, ...]) -> None:
        self.missing.update(name for name in planned if name not in self.planned)
        self.planned.update(planned)
        self.planned_last = planned

    def sent(self, names: Iterable[str]) -> None:
        if self.missing:
            self.missing.difference_update(names)

    def to_json(self) -> dict[str, Any]:
        listed = self.errors.most_common(TOP_ERRORS)
        left_out = len(self.errors) - len(listed)
        return {
            "seen": self.seen,
            "valid": self.valid,
            "invalid": self.invalid,
            "errors": self.errors.total(),
            "topErrors": [
                {"path": p, "message": m, "count": c, "at": [at.to_json() for at in self.examples[p, m]]}
                for (p, m), c in listed
            ],
            "otherErrors": {"kinds": left_out, "count": self.errors.total() - sum(c for _, c in listed)},
            "neverSent": sorted(self.missing),
        }


@dataclass(slots=True)
class QAReport:
    checked: int = 0
    invalid: int = 0
    malformed: list[tuple[Location, str]] = field(default_factory=list)
    malformed_count: int = 0
    unknown: Counter[str] = field(default_factory=Counter)
    unknown_examples: dict[str, list[Location]] = field(default_factory=dict)
    not_objects: int = 0  # JSON that is no object (a string, number, list or null): no payload at all
    not_object_examples: list[Location] = field(default_factory=list)
    events: dict[str, EventStats] = field(default_factory=dict)
    commits: Counter[str] = field(default_factory=Counter)  # payloads checked at the commit they name
    unknown_commits: Counter[str] = field(default_factory=Counter)  # named commits this repository lacks

    def add_unknown_commit(self, commit: str) -> None:
        """A payload naming a commit with no plan here: not checked, and counted invalid."""
        self.checked += 1
        self.invalid += 1
        self.unknown_commits[commit] += 1

    def add_not_object(self, at: Callable[[], Location]) -> None:
        """A JSON value that is no object: checked, and invalid, as it is no payload of any shape."""
        self.checked += 1
        self.invalid += 1
        self.not_objects += 1
        _note(self.not_object_examples, at)

    def add_malformed(self, error: str, at: Location, keep: int) -> None:
        self.malformed_count += 1
        if len(self.malformed) < keep:
            self.malformed.append((at, error))

    def add(self, result: CheckResult, planned: tuple[str, ...], at: Callable[[], Location]) -> None:
        """One payload's full result; `at` tells where it is, asked only for the first few."""
        self.checked += 1
        if not result.known:
            self.invalid += 1
            name = str(result.event or result.shape)
            self.unknown[name] += 1
            _note(self.unknown_examples.setdefault(name, []), at)
            return
        stats = self.stats(str(result.event), planned)
        stats.seen += 1
        stats.sent(result.sent)
        if result.valid:
            stats.valid += 1
            return
        stats.invalid += 1
        self.invalid += 1
        stats.errors.update(result.errors)
        for kind in result.errors:
            _note(stats.examples.setdefault(kind, []), at)

    def stats(self, name: str, planned: tuple[str, ...]) -> EventStats:
        stats = self.events.get(name)
        if stats is None:
            stats = self.events[name] = EventStats()
        if planned is not stats.planned_last:
            stats.plan(planned)
        return stats

    def to_json(self) -> dict[str, Any]:
        return {
            "checked": self.checked,
            "invalid": self.invalid,
            "malformed": self.malformed_count,
            "malformedLines": [{**at.to_json(), "error": e} for at, e in self.malformed],
            "unknownEvents": dict(self.unknown.most_common()),
            "unknownEventsAt": {
                name: [at.to_json() for at in self.unknown_examples[name]] for name, _ in self.unknown.most_common()
            },
            "notObjects": self.not_objects,
            "notObjectsAt": [at.to_json() for at in self.not_object_examples],
            "commits": dict(self.commits.most_common()),
            "unknownCommits": dict(self.unknown_commits.most_common()),
            "events": {name: s.to_json() for name, s in sorted(self.events.items())},
        }


def _note(places: list[Location], at: Callable[[], Location]) -> None:
    if len(places) < EXAMPLES:
        places.append(at())


def run_checks(
    checker: Checker,
    stream: BinaryIO,
    sample: int | None = None,
    keep_malformed: int = 20,
    at_commit: CommitCheckers | None = None,
    progress: Progress | None = None,
) -> QAReport:
    """Check every payload of `stream` (or a sample of them) with `checker`; with `at_commit`,
    a payload naming a commit in `context.trackingPlan.commit` is checked against that one."""
    report = QAReport()
    read = 0
    reservoir: list[tuple[Any, Location]] = []
    rng = random.Random(0)
    with memory.paused():
        for batch in batches(stream):
            if sample is None:
                _tally(report, batch, checker, at_commit, keep_malformed)
            else:
                _sampled(reservoir, batch, read, sample, rng)
            read += len(batch.docs)
            if progress is not None:
                progress(read)
        for doc, at in reservoir:
            _tally(report, Batch([doc], partial(_there, at)), checker, at_commit, keep_malformed)
    return report


def _there(at: Location, _: int) -> Location:
    return at


def _sampled(reservoir: list[tuple[Any, Location]], batch: Batch, read: int, sample: int, rng: random.Random) -> None:
    """Reservoir sampling: each payload read so far is in the reservoir with the same chance."""
    for i, doc in enumerate(batch.docs, read):
        if len(reservoir) < sample:
            reservoir.append((doc, batch.locate(i - read)))
        else:
            slot = rng.randrange(i + 1)
            if slot < sample:
                reservoir[slot] = (doc, batch.locate(i - read))


def _tally(report: QAReport, batch: Batch, checker: Checker, at_commit: CommitCheckers | None, keep: int) -> None:
    """Count one batch: a valid payload through `quick_check` and a few counters, any other
    through a full check."""
    events = report.events
    for i, doc in enumerate(batch.docs):
        use, commit = checker, None
        if at_commit is not None and type(doc) is dict and "context" in doc:  # most payloads: no lookup
            commit = payload_commit(doc)
            if commit is not None:
                found = at_commit.checker(commit)
                if found is None:
                    report.add_unknown_commit(commit)
                    continue
                use = found
                report.commits[commit] += 1
        name = use.quick_check(doc)
        stats = events.get(name) if name is not None else None
        if stats is not None and stats.planned_last is use.properties[name]:  # type: ignore[index]
            report.checked += 1
            stats.seen += 1
            stats.valid += 1
            if stats.missing and not doc["properties"].keys().isdisjoint(stats.missing):
                stats.sent(doc["properties"])
        elif type(doc) is Malformed:
            report.add_malformed(doc.error, batch.locate(i), keep)
        elif type(doc) is not dict:
            report.add_not_object(partial(batch.locate, i))
        else:
            result = use.check(doc)
            report.add(result, use.properties.get(str(result.event), ()), partial(batch.locate, i))


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
    formats: bool = True  # assert `format` keywords (email, date-time, ...)


@dataclass(frozen=True)
class CheckOutcome:
    summary: dict[str, Any]  # QAReport.to_json
    failed: bool  # more payloads were invalid than --max-invalid allows


def check_ref(ws: Workspace, request: CheckRequest, stdin: BinaryIO, progress: Progress | None = None) -> CheckOutcome:
    """Check the payloads of `request` against the plan at its ref, or at the commit each names;
    `progress` is told the number of payloads read so far."""
    limit = MaxInvalid.parse(request.max_invalid) if request.max_invalid is not None else None
    checker = Checker(ws.load(request.ref).plan, formats=request.formats)
    at_commit = None
    if not request.ignore_payload_commit:
        # A payload naming the ref's own commit is checked by the Checker already built.
        known = {} if request.ref == WORKTREE else {ws.store.resolve(request.ref): checker}
        at_commit = CommitCheckers(ws, known, formats=request.formats)
    if request.payloads == "-":
        report = run_checks(checker, stdin, request.sample, at_commit=at_commit, progress=progress)
    else:
        path = Path(request.payloads)
        if not path.is_file():
            raise InputError(f"{request.payloads}: no such file")
        with path.open("rb") as stream:
            report = run_checks(checker, stream, request.sample, at_commit=at_commit, progress=progress)
    return CheckOutcome(report.to_json(), limit is not None and limit.exceeded_by(report))

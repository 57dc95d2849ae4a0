"""`trackplan check`: stream payloads from a file (JSONL or a JSON array) through a Checker
(the plan at the ref asked for, or at the commit a payload names), summarise per event, and
judge the result against --max-invalid. Memory stays bounded whatever the file size.

Most payloads are valid: they are counted straight from the fast path (`checking.fast`: one
msgspec pass over the payload's text) or else from `Checker.quick_check`, and only the others
get a full `CheckResult`. Every violation is counted; the report lists the most
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

from msgspec import UNSET

from trackplan import memory
from trackplan.checking.checker import Checker, CheckResult
from trackplan.checking.commits import CommitCheckers, payload_commit
from trackplan.checking.fast import Accepted, DecodeErrors
from trackplan.checking.sources import BLANK, Batch, Location, Malformed, Texts, batches
from trackplan.errors import InputError
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

TOP_ERRORS = 10  # kinds of error listed per event; the rest are counted
EXAMPLES = 5  # places listed per kind of error and per unknown event
Progress = Callable[[int], None]  # told the number of payloads read so far, after each batch


@dataclass(slots=True)
class EventStats:
    valid: int = 0
    invalid: int = 0
    errors: Counter[tuple[str, str]] = field(default_factory=Counter)  # every violation, by kind
    examples: dict[tuple[str, str], list[Location]] = field(default_factory=dict)
    planned: set[str] = field(default_factory=set)  # the event's properties at every commit checked
    missing: set[str] = field(default_factory=set)  # planned and not sent yet
    planned_last: tuple[str, ...] | None = None  # the last Checker's, so each payload costs no set update

    @property
    def seen(self) -> int:
        return self.valid + self.invalid

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
    plans: int = 0  # how often an event's planned properties were set: what a fast count relies on

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
            self.plans += 1
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
        texts = _TextTally(report, checker, at_commit, keep_malformed)
        for batch in batches(stream, texts=sample is None):
            if isinstance(batch, Texts):
                read += texts.tally(batch)
            elif sample is None:
                _tally(report, batch, checker, at_commit, keep_malformed)
                read += len(batch.docs)
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
    for i, doc in enumerate(batch.docs):
        _tally_doc(report, doc, checker, at_commit, keep, partial(batch.locate, i))


def _tally_doc(
    report: QAReport,
    doc: Any,
    checker: Checker,
    at_commit: CommitCheckers | None,
    keep: int,
    at: Callable[[], Location],
) -> None:
    use, commit = checker, None
    if at_commit is not None and type(doc) is dict and "context" in doc:  # most payloads: no lookup
        commit = payload_commit(doc)
        if commit is not None:
            found = at_commit.checker(commit)
            if found is None:
                report.add_unknown_commit(commit)
                return
            use = found
            report.commits[commit] += 1
    name = use.quick_check(doc)
    stats = report.events.get(name) if name is not None else None
    if stats is not None and stats.planned_last is use.properties[name]:  # type: ignore[index]
        report.checked += 1
        stats.valid += 1
        if stats.missing and not doc["properties"].keys().isdisjoint(stats.missing):
            stats.sent(doc["properties"])
    elif type(doc) is Malformed:
        report.add_malformed(doc.error, at(), keep)
    elif type(doc) is not dict:
        report.add_not_object(at)
    else:
        result = use.check(doc)
        report.add(result, use.properties.get(str(result.event), ()), at)


class _TextTally:
    """Counts Texts batches: a payload the fast path accepts with one counter when its event
    is `ready` (its stats made, planned as by this Checker, nothing left to learn of what it
    sends) and its judged strings were seen together before, else as `_tally` would."""

    def __init__(self, report: QAReport, checker: Checker, at_commit: CommitCheckers | None, keep: int) -> None:
        self.report, self.checker, self.at_commit, self.keep = report, checker, at_commit, keep
        self.ready: dict[type, tuple[EventStats, Callable[[Any], Any] | None, set[Any]]] = {}
        self.plans = report.plans

    def tally(self, batch: Texts) -> int:
        """Count one batch; returns the number of payloads in it (a blank line is none)."""
        fast = self.checker.fast_path()
        decode, ready, any_context = fast.decode, self.ready, self.at_commit is not None
        checked = blank = 0
        for i, text in enumerate(batch.texts):
            if decode is not None:
                try:
                    payload = decode(text)
                except DecodeErrors:
                    pass
                else:
                    entry = ready.get(type(payload))
                    if entry is not None and (not any_context or payload.context is UNSET):
                        stats, values, known = entry
                        try:
                            seen = values is None or values(payload.properties) in known
                        except TypeError:  # a list among the judged values
                            seen = False
                        if seen:
                            stats.valid += 1
                            checked += 1
                            continue
                    if self._accepted(payload, fast.accepted[type(payload)], batch, i):
                        continue
            doc = batch.doc(i)
            if doc is BLANK:
                blank += 1
                continue
            fast.missed(doc)
            _tally_doc(self.report, doc, self.checker, self.at_commit, self.keep, partial(batch.locate, i))
            if self.report.plans != self.plans:  # planned properties changed: `ready` may no longer hold
                ready.clear()
                self.plans = self.report.plans
        self.report.checked += checked
        return len(batch.texts) - blank

    def _accepted(self, payload: Any, event: Accepted, batch: Texts, i: int) -> bool:
        """Count a decoded payload the loop could not count at once; False leaves it to the
        full path."""
        report = self.report
        stats = report.events.get(event.key)
        if (
            stats is None
            or stats.planned_last is not event.planned
            or (event.judged and not event.passes(payload.properties))
            or not (self.at_commit is None or payload.context is UNSET or _at_ref(report, payload, self))
        ):
            return False
        report.checked += 1
        stats.valid += 1
        if stats.missing:
            _sent(stats, event, payload.properties, batch, i)
        if not stats.missing:
            self.ready[type(payload)] = (stats, event.values, event.known)
        return True


def _at_ref(report: QAReport, payload: Any, tally: _TextTally) -> bool:
    """True when an accepted payload with a context is the tally's Checker's to count (its
    commit, if it names one, counted); False leaves it to the full path, which counts it."""
    plan = payload.context.trackingPlan
    if plan is UNSET or plan.commit is None:
        return True
    if tally.at_commit is None or tally.at_commit.checker(plan.commit) is not tally.checker:
        return False
    report.commits[plan.commit] += 1
    return True


def _sent(stats: EventStats, event: Accepted, properties: Any, batch: Texts, i: int) -> None:
    names = event.sent(properties, stats.missing)
    stats.sent(names if names is not None else batch.doc(i)["properties"])


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

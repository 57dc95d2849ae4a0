"""Event and plan comparison: two events, or two plans, -> change records and SchemaVer advice.

Events pair by name, then unmatched ones by x-id, so a rename is one record. A pair is
compared by name, metadata and sources, then through its schema (`schema.py`); a pair with
changes gets SchemaVer advice, and an `x-version` bumped less than the changes need fires
TP060. A plan adds its traits (identify, group, contexts) and its settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from trackplan.diffing.records import BUMP_RANK, Change, DiffResult, VersionAdvice, plain_value
from trackplan.diffing.schema import Place, SchemaDiffer, shown
from trackplan.model import Event, Plan, SchemaVer

SCHEMA_BUMP = {"breaking": "model", "warning": "revision", "info": "addition"}
# Rules that need no version bump.
UNVERSIONED_RULES = ("TP040", "TP041", "TP042", "TP060")
# Event attributes compared as sets (a record per element) and as single values, with their names in messages.
SET_METADATA = (
    ("tags", "tag"),
    ("categories", "category"),
    ("stakeholders", "stakeholder"),
    ("name_mapping", "name mapping"),
)
VALUE_METADATA = (
    ("description", "description"),
    ("owner", "owner"),
    ("status", "status"),
    ("event_type", "event type"),
)

EventPairs = dict[str, tuple[Event | None, Event | None]]
"""(before, after) of events with changes, by their current (or last) name."""


class Differ(SchemaDiffer):
    """Compares events and plans; their schemas as `SchemaDiffer` does."""

    def events(self, old: Event | None, new: Event | None, path: str | None = None) -> list[Change]:
        if new is None:
            return [] if old is None else [self._whole("TP002", old, path, "remove", "removed", before=old)]
        if old is None:
            return [self._whole("TP001", new, path, "add", "added", after=new)]
        if old == new:
            return []
        place = Place("event", new.name, path)
        schemas = (_event_schema(old), _event_schema(new), Place("property", new.name, path))
        return [*self._name(old, new, place), *self._metadata(old, new, place), *self.schema(*schemas)]

    def _whole(self, rule: str, event: Event, path: str | None, op: str, verb: str, **detail: Any) -> Change:
        return self.fire(rule, f"event `{event.name}` {verb}", Place("event", event.name, path), op=op, **detail)

    def _name(self, old: Event, new: Event, place: Place) -> Iterator[Change]:
        if old.name != new.name:
            message = f"event `{old.name}` renamed to `{new.name}`"
            yield self.fire("TP003", message, place, field="name", before=old.name, after=new.name)

    def _metadata(self, old: Event, new: Event, place: Place) -> Iterator[Change]:
        """Metadata and sources: the set-valued ones give a record per element added or removed."""
        name = place.label
        for attr, noun in SET_METADATA:
            a, b = getattr(old, attr), getattr(new, attr)
            for value in (_as_json(v) for v in b if v not in a):
                yield self.fire(
                    "TP040", f"{name}: {noun} {shown(value)} added", place, op="add", field=attr, after=value
                )
            for value in (_as_json(v) for v in a if v not in b):
                message = f"{name}: {noun} {shown(value)} removed"
                yield self.fire("TP040", message, place, op="remove", field=attr, before=value)
        for attr, noun in VALUE_METADATA:
            a, b = getattr(old, attr), getattr(new, attr)
            if a != b:
                before, after = plain_value(_as_json(a)), plain_value(_as_json(b))
                yield self.fire("TP040", f"{name}: {noun} changed", place, field=attr, before=before, after=after)
        for source in sorted(set(old.sources) - set(new.sources)):
            message = f"{name}: no longer sent from `{source}`"
            yield self.fire("TP041", message, place, op="remove", field="sources", before=source)
        for source in sorted(set(new.sources) - set(old.sources)):
            yield self.fire(
                "TP042", f"{name}: now sent from `{source}`", place, op="add", field="sources", after=source
            )

    def compare(
        self,
        a: Event | None,
        b: Event | None,
        path: str | None,
        changes: list[Change],
        versions: list[VersionAdvice],
        events: EventPairs,
    ) -> None:
        """Compare one pair of events and collect its changes, its SchemaVer advice and,
        when the version bump is too small, a TP060 record."""
        found = self.events(a, b, path)
        if not found:
            return
        changes.extend(found)
        events[(b or a).name] = (a, b)  # type: ignore[union-attr]
        if a is None or b is None:
            return
        advice = self.version_advice(a, b, found, path)
        versions.append(advice)
        if advice.too_small:
            where = Place("event", b.name, path)
            changes.append(
                self.fire("TP060", advice.message, where, field="x-version", before=advice.before, after=advice.after)
            )

    def version_advice(
        self, old: Event, new: Event, changes: Iterable[Change], path: str | None = None
    ) -> VersionAdvice:
        needed = "none"
        for change in changes:
            if change.rule in UNVERSIONED_RULES:
                continue
            bump = SCHEMA_BUMP[change.severity]
            if BUMP_RANK[bump] > BUMP_RANK[needed]:
                needed = bump
        expected = None
        if needed != "none" and old.version:
            try:
                expected = str(SchemaVer.parse(old.version).bump(needed))
            except ValueError:
                expected = None
        return VersionAdvice(new.name, needed, old.version, new.version, expected, path)


def pair_events(old: Mapping[str, Event], new: Mapping[str, Event]) -> list[tuple[Event | None, Event | None]]:
    """Match events by name, then unmatched ones by x-id (renames)."""
    pairs: list[tuple[Event | None, Event | None]] = []
    gone = {n: e for n, e in old.items() if n not in new}
    came = {n: e for n, e in new.items() if n not in old}
    by_id = {e.id: n for n, e in gone.items() if e.id}
    for name in sorted(old.keys() & new.keys()):
        pairs.append((old[name], new[name]))
    for _, event in sorted(came.items()):
        match = by_id.pop(event.id, None) if event.id else None
        if match is not None:
            pairs.append((gone.pop(match), event))
        else:
            pairs.append((None, event))
    pairs.extend((event, None) for _, event in sorted(gone.items()))
    return pairs


def diff_plans(
    old: Plan, new: Plan, differ: Differ | None = None, paths: Mapping[str, str] | None = None
) -> DiffResult:
    differ = differ or Differ()
    paths = paths or {}
    changes: list[Change] = []
    versions: list[VersionAdvice] = []
    events: EventPairs = {}
    for a, b in pair_events(old.event_map(), new.event_map()):
        differ.compare(a, b, paths.get((b or a).name), changes, versions, events)  # type: ignore[union-attr]
    for subject, a, b in (
        ("identify", old.identify, new.identify),
        ("group", old.group, new.group),
        *(("context", old.context(s), new.context(s)) for s in sorted({*dict(old.contexts), *dict(new.contexts)})),
    ):
        if a != b:
            changes.extend(_traits(differ, subject, a, b))
    changes.extend(_settings(differ, old, new))
    return DiffResult(changes, versions, events=events)


def _traits(differ: Differ, subject: str, a: Event | None, b: Event | None) -> list[Change]:
    if a is None or b is None:
        op, verb = ("add", "added") if a is None else ("remove", "removed")
        name = (b or a).name  # type: ignore[union-attr]
        return [differ.fire("TP050", f"{subject} `{name}` {verb}", Place(subject), op=op)]
    return differ.schema(_event_schema(a), _event_schema(b), Place(subject))


def _settings(differ: Differ, old: Plan, new: Plan) -> list[Change]:
    out: list[Change] = []
    a, b = old.settings, new.settings
    for subject, before, after in (
        ("source", a.source_names, b.source_names),
        ("destination", [d.name for d in a.destinations], [d.name for d in b.destinations]),
        ("domain", a.domain_names, b.domain_names),
    ):
        for name in sorted(set(after) - set(before)):
            out.append(differ.fire("TP051", f"{subject} `{name}` added", Place(subject), op="add", after=name))
        for name in sorted(set(before) - set(after)):
            out.append(differ.fire("TP051", f"{subject} `{name}` removed", Place(subject), op="remove", before=name))
    if a.raw != b.raw or a.main_branch != b.main_branch or a.protected_branches != b.protected_branches:
        out.append(differ.fire("TP051", "trackplan.yaml settings changed", Place("settings")))
    return out


def _event_schema(event: Event) -> dict[str, Any]:
    doc = event.to_json()
    keep = {"properties", "required", "additionalProperties"} | {k for k in event.extra if not k.startswith("x-")}
    return {k: v for k, v in doc.items() if k in keep}


def _as_json(value: Any) -> Any:
    """A metadata value as JSON: name mappings (one or a tuple of them) through their to_json."""
    if isinstance(value, tuple):
        return [v.to_json() if hasattr(v, "to_json") else v for v in value]
    return value.to_json() if hasattr(value, "to_json") else value

"""Change records of tracking-plan files (rules TP070 to TP082, see tracking_plan_rules.py): plans
and event specifications added or removed, statuses changed, narrowings tightened or
loosened, and what a change to an event does to the specifications that name it.

Plans pair by `id`, so a renamed plan (its file moved) is one plan that changed; its
specifications pair by their own ids. Severities come from the profile, as for events.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from uuid import UUID

from trackplan.catalogue import Example
from trackplan.diffing.events import Differ, diff_plans
from trackplan.diffing.records import Change
from trackplan.diffing.schema import Place, SchemaDiffer
from trackplan.formats.base import plain_schema
from trackplan.model.frozen import FrozenDict, thaw
from trackplan.model.tracking_plans import EventSpecification, TrackingPlan
from trackplan.repo.reading import LoadedPlan, build_plan, parse_document
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.compatibility import COMPATIBLE, INCOMPATIBLE, Verdict, compatibility
from trackplan.trackingplans.files import PlanFile, plan_from_document, read_tracking_plans
from trackplan.trackingplans.layout import is_tracking_plan_file
from trackplan.trackingplans.references import referenced_event

PLAN_DETAILS = (
    ("name", "name"),
    ("description", "description"),
    ("access_instructions", "accessInstructions"),
    ("domain", "domain"),
    ("owner", "owner"),
    ("source_applications", "sourceApplications"),
)
SPEC_DETAILS = (
    ("name", "name"),
    ("description", "description"),
    ("triggers", "triggers"),
    ("entities", "entities"),
    ("excluded_source_applications", "excludedSourceApplications"),
)


def tracking_plan_changes(
    ws: Workspace, base: str, head: str, differ: SchemaDiffer, event_changes: Sequence[Change]
) -> list[Change]:
    """The tracking-plan records of a diff from `base` to `head`, given the event records
    the diff found (`event_changes`)."""
    old_plans = {f.plan.id: f for f in read_tracking_plans(ws, base)}
    new_plans = {f.plan.id: f for f in read_tracking_plans(ws, head)}
    return plan_set_changes(
        old_plans, new_plans, differ, event_changes, _Plans(lambda: ws.load(base), lambda: ws.load(head))
    )


def example_changes(example: Example, differ: Differ) -> list[Change]:
    """Every change record of a change rule's example (its files before and after), events'
    and tracking plans' alike, as `diff` gives them."""
    before, after = _example_plan(example.before), _example_plan(example.after)
    changes = diff_plans(before.plan, after.plan, differ).changes
    old_plans, new_plans = _example_plans(example.before), _example_plans(example.after)
    return [*changes, *plan_set_changes(old_plans, new_plans, differ, changes, _Plans(lambda: before, lambda: after))]


def _example_plan(files: tuple[tuple[str, str], ...]) -> LoadedPlan:
    data = {path: text.encode() for path, text in files}
    return build_plan({path: path for path in data}, lambda path, blob: parse_document(data[blob], path))


def _example_plans(files: tuple[tuple[str, str], ...]) -> dict[UUID, PlanFile]:
    plans = [
        PlanFile(path, plan_from_document(parse_document(text.encode(), path), path))
        for path, text in files
        if is_tracking_plan_file(path)
    ]
    return {f.plan.id: f for f in plans}


@dataclass(frozen=True)
class _Plans:
    """The plans at the base and the head, loaded on first use: only event changes that a
    specification may see need them."""

    base: Callable[[], LoadedPlan]
    head: Callable[[], LoadedPlan]


def plan_set_changes(
    old_plans: Mapping[UUID, PlanFile],
    new_plans: Mapping[UUID, PlanFile],
    differ: SchemaDiffer,
    event_changes: Sequence[Change],
    plans: _Plans,
) -> list[Change]:
    changes: list[Change] = []
    for plan_id in [*new_plans, *(i for i in old_plans if i not in new_plans)]:
        changes.extend(plan_changes(old_plans.get(plan_id), new_plans.get(plan_id), differ))
    effects = _Effects(plans, differ, event_changes)
    edited = {i for i in new_plans if i not in old_plans or old_plans[i].plan != new_plans[i].plan}
    for plan_id, new in new_plans.items():
        old = old_plans.get(plan_id)
        changes.extend(effects.of(old.plan if old else None, new, plan_id in edited))
    return changes


def plan_changes(old: PlanFile | None, new: PlanFile | None, differ: SchemaDiffer) -> list[Change]:
    """The records of one plan's file from `old` to `new` (None: absent on that side)."""
    if new is None:
        if old is None:
            return []
        place = Place("tracking-plan", None, old.path)
        return [
            differ.fire("TP071", f"tracking plan `{old.plan.name}` removed", place, op="remove", before=old.plan.name)
        ]
    place = Place("tracking-plan", None, new.path)
    label = f"tracking plan `{new.plan.name}`"
    if old is None:
        return [differ.fire("TP070", f"{label} added", place, op="add", after=new.plan.name)]
    a, b = old.plan, new.plan
    changes = []
    if a.status != b.status:
        message = f"{label}: status changed from {a.status} to {b.status}"
        changes.append(differ.fire("TP072", message, place, field="status", before=a.status, after=b.status))
    for attr, key in PLAN_DETAILS:
        before, after = _json(getattr(a, attr)), _json(getattr(b, attr))
        if before != after:
            message = f"tracking plan `{a.name}` renamed to `{b.name}`" if key == "name" else f"{label}: {key} changed"
            changes.append(differ.fire("TP073", message, place, field=key, before=before, after=after))
    changes.extend(_specification_changes(a, b, Place("event-specification", None, new.path), differ))
    return changes


def _json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_json(v) for v in value]
    return value.to_json() if hasattr(value, "to_json") else thaw(value)


def _specification_changes(
    old: TrackingPlan, new: TrackingPlan, place: Place, differ: SchemaDiffer
) -> Iterator[Change]:
    before = {s.id: s for s in old.event_specifications}
    after = {s.id: s for s in new.event_specifications}
    for spec_id in [*after, *(i for i in before if i not in after)]:
        a, b = before.get(spec_id), after.get(spec_id)
        if a is None and b is not None:
            label = f"tracking plan `{new.name}`: event specification `{b.name}`"
            yield differ.fire("TP074", f"{label} added", place, op="add", after=b.name)
        elif b is None and a is not None:
            label = f"tracking plan `{new.name}`: event specification `{a.name}`"
            yield differ.fire("TP075", f"{label} removed", place, op="remove", before=a.name)
        elif a is not None and b is not None:
            label = f"tracking plan `{new.name}`: event specification `{b.name}`"
            yield from _specification_edits(a, b, label, place, differ)


def _specification_edits(
    a: EventSpecification, b: EventSpecification, label: str, place: Place, differ: SchemaDiffer
) -> Iterator[Change]:
    if a.status != b.status:
        message = f"{label}: status changed from {a.status} to {b.status}"
        yield differ.fire("TP076", message, place, field="status", before=a.status, after=b.status)
    if a.event != b.event:
        message = f"{label}: now names event `{b.event}` instead of `{a.event}`"
        yield differ.fire("TP080", message, place, field="event", before=a.event, after=b.event)
    narrowing = narrowing_change(a.schema, b.schema)
    if narrowing is not None:
        rule, verb = narrowing
        before, after = _json(a.schema), _json(b.schema)
        yield differ.fire(rule, f"{label}: narrowing {verb}", place, field="schema", before=before, after=after)
    for attr, key in SPEC_DETAILS:
        before, after = _json(getattr(a, attr)), _json(getattr(b, attr))
        if before != after:
            yield differ.fire("TP079", f"{label}: {key} changed", place, field=key, before=before, after=after)


def narrowing_change(old: FrozenDict | None, new: FrozenDict | None) -> tuple[str, str] | None:
    """(rule, how) for a narrowing that changed: tightened when the new one is shown to accept
    only what the old one did, loosened when the reverse is shown; a change neither way can
    be shown counts as tightened, since payloads valid before may fail."""
    if old == new:
        return None
    if new is None:
        return "TP078", "removed"
    if old is None:
        return "TP077", "added"
    tighter = compatibility(thaw(new), thaw(old)).result == COMPATIBLE
    looser = compatibility(thaw(old), thaw(new)).result == COMPATIBLE
    if tighter and looser:
        return None  # written differently, the same payloads
    if looser:
        return "TP078", "loosened"
    return "TP077", "tightened" if tighter else "changed, and not shown to accept more payloads only"


class _Effects:
    """What event changes do to the specifications naming the events: TP081 for a breaking
    event change, TP082 for a narrowing that became incompatible with its event's schema."""

    def __init__(self, plans: _Plans, differ: SchemaDiffer, changes: Sequence[Change]) -> None:
        self.plans, self.differ = plans, differ
        self.changed = {c.event for c in changes if c.event}
        self.breaking: dict[str, list[str]] = {}
        for change in changes:
            if change.event and change.severity == "breaking":
                self.breaking.setdefault(change.event, []).append(change.message)

    @cached_property
    def head_plan(self) -> LoadedPlan:
        return self.plans.head()

    @cached_property
    def base_plan(self) -> LoadedPlan:
        return self.plans.base()

    def of(self, old: TrackingPlan | None, new: PlanFile, edited: bool) -> Iterator[Change]:
        if not (edited or self.changed):
            return
        place = Place("event-specification", None, new.path)
        old_specs = {s.id: s for s in old.event_specifications} if old else {}
        for spec in new.plan.event_specifications:
            event = referenced_event(self.head_plan, spec.event)
            if event is None or not (edited or event.name in self.changed):
                continue
            label = f"tracking plan `{new.plan.name}`: event specification `{spec.name}`"
            if event.name in self.breaking:
                found = "; ".join(dict.fromkeys(self.breaking[event.name]))
                message = f"{label}: its event changes in a breaking way: {found}"
                yield self.differ.fire("TP081", message, place, field="event", after=event.name)
            verdict = self._verdict(spec, self.head_plan)
            if verdict is not None and verdict.result == INCOMPATIBLE:
                before = old_specs.get(spec.id)
                earlier = self._verdict(before, self.base_plan) if before is not None else None
                if earlier is None or earlier.result != INCOMPATIBLE:
                    message = f"{label}: the narrowing is now incompatible with event `{event.name}`: {verdict.reason}"
                    yield self.differ.fire("TP082", message, place, field="schema", after=verdict.result)

    @staticmethod
    def _verdict(spec: EventSpecification, loaded: LoadedPlan) -> Verdict | None:
        event = referenced_event(loaded, spec.event)
        if spec.schema is None or event is None:
            return None
        return compatibility(thaw(spec.schema), plain_schema(event))

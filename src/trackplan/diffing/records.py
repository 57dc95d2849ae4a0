"""Change records: what a diff finds, and the result of a diff.

A `Change` says what changed (op, subject, event, property, field, before/after), how bad it
is (a rule and its severity under the chosen profile) and carries a stable fingerprint.
`apply_add_only` applies the addOnly change set of a diff to a plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trackplan.diffing.profiles import SEVERITIES
from trackplan.model import Event, Plan, SchemaVer
from trackplan.model.frozen import SetList, freeze, thaw

CHANGE_SETS = {"add": "addOnly", "update": "update", "remove": "remove"}
BUMP_RANK = {"none": 0, "addition": 1, "revision": 2, "model": 3}


@dataclass(frozen=True)
class Change:
    op: str  # add | update | remove
    subject: str  # event, property, identify, group, context, source, destination, domain, settings
    rule: str
    severity: str
    message: str
    event: str | None = None
    prop: str | None = None  # the property path, e.g. `items[].sku`
    field: str | None = None
    before: Any = None
    after: Any = None
    path: str | None = None

    @property
    def change_set(self) -> str:
        return CHANGE_SETS[self.op]

    @property
    def fingerprint(self) -> str:
        key = [
            self.rule,
            self.op,
            self.subject,
            self.event,
            self.prop,
            self.field,
            plain_value(self.before),
            plain_value(self.after),
        ]
        return hashlib.sha256(json.dumps(key, sort_keys=True, default=str).encode()).hexdigest()[:16]

    def to_json(self) -> dict[str, Any]:
        from trackplan.diffing.rules import RULES  # the catalogue, loaded when there is a change to show

        return {
            "op": self.op,
            "subject": self.subject,
            "changeSet": self.change_set,
            "event": self.event,
            "property": self.prop,
            "field": self.field,
            "before": plain_value(self.before),
            "after": plain_value(self.after),
            "severity": self.severity,
            "rule": self.rule,
            "ruleName": RULES[self.rule].name,
            "message": self.message,
            "path": self.path,
            "fingerprint": self.fingerprint,
        }


def plain_value(value: Any) -> Any:
    if isinstance(value, Event):  # whole events are kept as values and rendered on output
        return value.to_json()
    return thaw(value) if isinstance(value, Mapping | tuple) else value


def bump_kind(before: str | None, after: str | None) -> int:
    try:
        old, new = SchemaVer.parse(before or ""), SchemaVer.parse(after or "")
    except ValueError:
        return 0
    if new.model > old.model:
        return 3
    if new.model == old.model and new.revision > old.revision:
        return 2
    if (new.model, new.revision) == (old.model, old.revision) and new.addition > old.addition:
        return 1
    return 0


@dataclass
class VersionAdvice:
    event: str
    needed: str  # none | addition | revision | model
    before: str | None
    after: str | None
    expected: str | None
    path: str | None = None

    @property
    def too_small(self) -> bool:
        return (
            self.expected is not None
            and self.after != self.expected
            and bump_kind(self.before, self.after) < BUMP_RANK[self.needed]
        )

    @property
    def message(self) -> str:
        """What a too small bump needs, as TP060 and the text report say it."""
        change = f"{'an' if self.needed == 'addition' else 'a'} {self.needed} change"
        if self.after is None:
            return f"{self.event}: no x-version; {change} needs {self.expected}"
        return f"{self.event}: x-version {self.after} is too small for {change}; expected {self.expected}"

    def to_json(self) -> dict[str, Any]:
        return {
            "event": self.event,
            "needed": self.needed,
            "before": self.before,
            "after": self.after,
            "expected": self.expected,
            "tooSmall": self.too_small,
            "path": self.path,
        }


@dataclass
class DiffResult:
    changes: list[Change]
    versions: list[VersionAdvice]
    base: str = ""
    head: str = ""
    # (before, after) of every event with changes, by its current (or last) name.
    events: dict[str, tuple[Event | None, Event | None]] = field(default_factory=dict)

    def counts(self) -> dict[str, int]:
        return {s: sum(1 for c in self.changes if c.severity == s) for s in SEVERITIES}

    @property
    def changed_events(self) -> list[str]:
        return sorted({c.event for c in self.changes if c.event})


def apply_add_only(plan: Plan, changes: Iterable[Change]) -> Plan:
    """Apply the addOnly change set of a diff to `plan`: new events, new properties on
    events, and new sources, tags, categories, stakeholders and name mappings. A property
    name the plan already has keeps the plan's definition (properties are plan-wide), with
    the presence the change gives it. This equals an addOnly import of the diff's HEAD."""
    from dataclasses import replace

    from trackplan.model import NameMapping, Property

    events = plan.event_map()
    definitions = {p.name: p for e in plan.events for p in e.properties}

    def link(name: str, spec: Any, required: bool) -> Property:
        known = definitions.get(name)
        return replace(known, required=required) if known else Property(name, freeze(spec), required)

    for change in changes:
        if change.change_set != "addOnly" or change.subject not in ("event", "property"):
            continue
        if change.rule == "TP001":
            new = change.after if isinstance(change.after, Event) else Event.from_json(change.after)
            events[new.name] = new.replace(properties=tuple(link(p.name, p.schema, p.required) for p in new.properties))
            continue
        event = events.get(change.event or "")
        if event is None:
            continue
        if change.rule in ("TP010", "TP011") and change.prop and event.get_property(change.prop) is None:
            events[event.name] = event.with_property(link(change.prop, change.after, change.rule == "TP011"))
        elif change.rule == "TP042":
            events[event.name] = event.replace(sources=SetList([*event.sources, change.after]))
        elif change.rule == "TP040" and change.field:
            value = (
                NameMapping(**{"destination": change.after["destination"], "name": change.after["name"]})
                if change.field == "name_mapping"
                else change.after
            )
            events[event.name] = event.replace(**{change.field: SetList([*getattr(event, change.field), value])})
    return plan.replace(events=tuple(events.values()))

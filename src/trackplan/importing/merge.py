"""Import methods: the current plan + an incoming plan -> the new plan and Avo's counts.

addOnly, addAndUpdate and addUpdateAndRemove follow Avo's Import API; `sync` is itly's
account-wide import, and a `source` turns any method into itly's source-specific import.
Events match by `x-id` first, then by name. How properties match follows the plan's
`property_scope` (trackplan.yaml): `plan` is Avo's model, where a name is one plan-wide
definition; `event` keeps each event's properties as its file wrote them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property

from trackplan.errors import InputError
from trackplan.memory import building
from trackplan.model import Domain, Event, Plan, Property, Settings, Source
from trackplan.model.frozen import SetList, WrittenSet

METHODS = ("addOnly", "addAndUpdate", "addUpdateAndRemove", "sync")
PROTECTED_SEND_AS = ("UserProperty", "SystemProperty", "GroupProperty")
SCOPE_KEY = "property_scope"
PROPERTY_SCOPES = ("plan", "event")


def property_scope(
    settings: Settings, has_events: bool, incoming: Settings, format_scope: str | None
) -> tuple[str, str | None]:
    """(the property model an import into a plan with `settings` follows, the one it records
    in trackplan.yaml or None). A plan's `property_scope` rules; a plan without one that has
    events follows `plan`, the model every plan followed before the setting existed; into an
    empty plan the format chooses (`format_scope`) and is recorded. A bundle (`format_scope`
    None) carries its plan's settings (`incoming`): its own setting is recorded, or none when
    it has none, and its events are kept as written."""
    recorded = settings.get(SCOPE_KEY)
    if recorded is not None:
        if recorded not in PROPERTY_SCOPES:
            place = settings.locate((SCOPE_KEY,))
            raise InputError(f"{place}: {SCOPE_KEY}: {recorded!r} is not one of {', '.join(PROPERTY_SCOPES)}")
        return str(recorded), None
    if has_events:
        return "plan", None
    if format_scope is None:
        carried = incoming.get(SCOPE_KEY)
        return str(carried or "event"), carried
    return format_scope, format_scope


@dataclass
class ImportResult:
    new_events: int = 0
    updated_events: int = 0
    new_properties: int = 0
    updated_properties: int = 0
    new_sources: int = 0
    new_stakeholder_domains: int = 0
    removed_events: int = 0
    warnings: list[str] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        """Avo's result object."""
        return {
            "newEvents": self.new_events,
            "updatedEvents": self.updated_events,
            "newProperties": self.new_properties,
            "updatedProperties": self.updated_properties,
            "newSources": self.new_sources,
            "newStakeholderDomains": self.new_stakeholder_domains,
        }


def _first_definitions(events: Sequence[Event]) -> dict[str, Property]:
    """Each property name's first definition in the plan (read backwards, the first one is set last)."""
    return {prop.name: prop for event in reversed(events) for prop in reversed(event.properties)}


def _parts(plan: Plan) -> list[Event]:
    """The events, then the contexts and traits: every part of a plan that has properties."""
    return [*plan.events, *(c for _, c in plan.contexts), *(t for t in (plan.identify, plan.group) if t)]


def _property_names(parts: Iterable[Event]) -> set[str]:
    return {p.name for part in parts for p in part.properties}


def trait_property_names(plan: Plan) -> set[str]:
    """The property names of the plan's contexts and traits (the parts that are not events)."""
    return _property_names(_parts(plan)[len(plan.events) :])


def _enum_values(prop: Property) -> WrittenSet:
    if prop.type == "array" and hasattr(prop.schema.get("items"), "get"):
        return WrittenSet(prop.schema["items"].get("enum") or ())
    return WrittenSet(prop.enum or ())


def _with_enum(prop: Property, values: WrittenSet) -> Property:
    if prop.type == "array" and hasattr(prop.schema.get("items"), "get"):
        return prop.with_keyword("items", prop.schema["items"].set("enum", values))
    return prop.with_keyword("enum", values)


def _update_definition(existing: Property, incoming: Property) -> Property:
    """Plan-wide fields (description, type, list flag, matches) under Avo's conditions."""
    updated = existing
    if incoming.description and incoming.description != existing.description:
        updated = updated.with_keyword("description", incoming.description)
    # Type and list flag: a list is `type: array`, so one comparison covers both.
    if incoming.type is not None and incoming.type != existing.type:
        updated = updated.with_keyword("type", incoming.type)
        updated = updated.with_keyword("items", incoming.schema.get("items"))
    # New values go after the ones already there, in the file's order.
    combined = WrittenSet([*_enum_values(updated), *_enum_values(incoming)])
    if combined != _enum_values(updated):
        updated = _with_enum(updated, combined)
    return updated


def _update_event_specific(existing: Property, incoming: Property) -> Property:
    """Event-specific fields: regex and pinned value."""
    updated = existing
    if incoming.pattern is not None and incoming.pattern != existing.pattern:
        updated = updated.with_keyword("pattern", incoming.pattern)
    if incoming.const is not None and incoming.const != existing.const:
        updated = updated.with_keyword("const", incoming.const)
    return updated


class Merger:
    """One import. Under the `plan` scope properties are plan-wide by name: a definition
    (description, type, list flag, matches) is shared by every event using it, while presence,
    regex and pinned value belong to each event. Under the `event` scope each event's
    properties are its own, taken as written."""

    def __init__(
        self,
        current: Plan,
        incoming: Plan,
        method: str,
        source: str | None,
        scope: tuple[str, str | None],
        known_names: frozenset[str] = frozenset(),
    ) -> None:
        """`current` may be part of a plan: `known_names` are the property names the rest of it uses."""
        self.current = current
        self.known_names = known_names
        self.plan_wide = scope[0] == "plan"
        self.record_scope = scope[1]
        self.incoming = incoming
        self.method = method
        self.source = source
        self.result = ImportResult()
        self.update = method in ("addAndUpdate", "addUpdateAndRemove")
        self.remove = method == "addUpdateAndRemove"
        self.events: dict[str, Event] = current.event_map()
        self.names_by_id = {e.id: e.name for e in current.events if e.id}
        self.definitions = _first_definitions(current.events)
        self.changed_properties: set[str] = set()
        incoming_events = list(incoming.events)
        if source is not None:
            incoming_events = [e.replace(sources=SetList([source])) for e in incoming_events]
        self.incoming_events = incoming_events
        # The last incoming definition of each name wins, as in Avo.
        self.incoming_definitions = {p.name: p for e in incoming_events for p in e.properties}
        self._new_links: dict[tuple[str, bool, str | None, str], Property] = {}
        self.named = {self.match(e) or e.name for e in incoming_events}
        # property -> events the file does not name that its plan-wide definition changed
        self.changed_elsewhere: dict[str, set[str]] = {}

    def match(self, incoming: Event) -> str | None:
        if incoming.id:
            name = self.names_by_id.get(incoming.id)
            if name is not None and name in self.events:
                return name
        return incoming.name if incoming.name in self.events else None

    def run(self) -> tuple[Plan, ImportResult]:
        if self.update and self.plan_wide:
            self._update_definitions()
        touched: set[str] = set()
        for incoming in self.incoming_events:
            name = self.match(incoming)
            if self.method == "sync":
                merged = self._synced(self.events.get(name) if name else None, incoming)
            elif name is None and not self.plan_wide:
                merged = incoming
            elif name is None:
                merged = incoming.replace(properties=tuple(self._link(p) for p in incoming.properties))
            else:
                merged = self._merged(self.events[name], incoming)
            if name is not None and name != merged.name:
                del self.events[name]
            if name is None:
                self.result.new_events += 1
            self.events[merged.name] = merged
            if merged.id:
                self.names_by_id[merged.id] = merged.name
            touched.add(merged.name)
        if self.update and self.plan_wide:
            self._update_presence()
        self._remove_untouched(touched)
        # An event the import left alone is still the same object: no comparison needed.
        self.result.updated_events = sum(
            1
            for old in self.current.events
            if self.events.get(old.name, old) is not old and self.events[old.name] != old
        ) + sum(1 for old in self.current.events if old.name not in self.events and self._renamed(old))
        plan = self.current.replace(
            events=tuple(self.events.values()),
            settings=self._settings(),
            identify=self._traits(self.current.identify, self.incoming.identify),
            group=self._traits(self.current.group, self.incoming.group),
            contexts=self._contexts(),
        )
        if self.record_scope is not None and self.events:
            plan = plan.replace(
                settings=replace(plan.settings, raw=plan.settings.raw.set(SCOPE_KEY, self.record_scope))
            )
        # Parts the import did not touch (the same objects) bring no new name: only the others are read.
        old_parts = _parts(self.current)
        before = set(self.definitions) | _property_names(old_parts[len(self.current.events) :]) | self.known_names
        kept = {id(part) for part in old_parts}
        added = _property_names(part for part in _parts(plan) if id(part) not in kept) - before
        self.result.new_properties = len(added)
        self.result.updated_properties = len(self.changed_properties & before)
        self.result.warnings.extend(
            f"Property '{prop}' is one plan-wide definition (property_scope: plan): this import also "
            f"changes it in {', '.join(sorted(events))}, which the file does not name."
            for prop, events in sorted(self.changed_elsewhere.items())
        )
        return plan, self.result

    def run_matched(self) -> tuple[Plan, ImportResult] | None:
        """Merge incoming events that each match a current event, event-level fields only:
        the plan-wide property steps are left out. For a re-import whose property-level
        input is what the plan already reflects (reimport.py), where those steps change
        nothing. None when an event is new or its properties would change after all."""
        for incoming in self.incoming_events:
            name = self.match(incoming)
            if name is None:
                return None
            old = self.events[name]
            merged = self._merged(old, incoming)
            if merged.name != old.name or merged.properties != old.properties:
                return None
            self.events[name] = merged
        self.result.updated_events = sum(1 for old in self.current.events if self.events[old.name] != old)
        plan = self.current.replace(events=tuple(self.events.values()), settings=self._settings())
        return plan, self.result

    @cached_property
    def links_before(self) -> set[tuple[str, str]]:
        """(event, property) of every link the plan had before the import."""
        return {(e.name, p.name) for e in self.current.events for p in e.properties}

    def _renamed(self, old: Event) -> bool:
        return old.id is not None and self.names_by_id.get(old.id, old.name) != old.name

    # -- properties -------------------------------------------------------------------------
    def _update_definitions(self) -> None:
        """addAndUpdate: a changed definition applies to every event that uses the property."""
        for name, incoming in self.incoming_definitions.items():
            definition = self.definitions.get(name)
            if definition is None:
                continue
            updated_definition = _update_definition(definition, incoming)
            if updated_definition == definition:
                continue
            self.changed_properties.add(name)
            for event_name, event in list(self.events.items()):
                prop = event.get_property(name)
                if prop is not None:
                    updated = _update_definition(prop, incoming)
                    self.events[event_name] = event.with_property(updated)
                    self._note_elsewhere(event_name, name, updated != prop)
            self.definitions[name] = updated_definition

    def _note_elsewhere(self, event_name: str, prop_name: str, changed: bool) -> None:
        if changed and event_name not in self.named:
            self.changed_elsewhere.setdefault(prop_name, set()).add(event_name)

    def _link(self, incoming: Property) -> Property:
        """The property to add to an event that does not have it yet."""
        definition = self.definitions.get(incoming.name)
        if definition is None:
            # New to the plan: the file's last definition of the name, as for known names,
            # with this event's presence, regex and pinned value. Each event keeping its own
            # copy would make the next import of the same file change them.
            winner = self.incoming_definitions.get(incoming.name, incoming)
            if winner is incoming:
                return incoming
            key = (incoming.name, incoming.required, incoming.pattern, repr(incoming.const))
            linked = self._new_links.get(key)
            if linked is None:  # many events link a property alike: build each variant once
                linked = replace(winner, required=incoming.required)
                linked = linked.with_keyword("pattern", incoming.pattern).with_keyword("const", incoming.const)
                self._new_links[key] = linked
            return linked
        linked = replace(definition, required=incoming.required)
        return _update_event_specific(linked, incoming) if self.update else linked

    def _with_properties(self, event: Event, incoming: Event) -> Event:
        if not self.plan_wide:
            return self._with_own_properties(event, incoming)
        for prop in incoming.properties:
            existing = event.get_property(prop.name)
            if existing is None:
                event = event.with_property(self._link(prop))
            elif self.update:
                updated = _update_event_specific(existing, prop)
                if updated != existing:
                    self.changed_properties.add(prop.name)
                    event = event.with_property(updated)
        return event

    def _with_own_properties(self, event: Event, incoming: Event) -> Event:
        """`event` scope: a new property is added as written; with an update, a changed one is
        replaced by the file's definition, and the event's own keywords follow the file."""
        for prop in incoming.properties:
            existing = event.get_property(prop.name)
            if existing is None or (self.update and existing != prop):
                if existing is not None:
                    self.changed_properties.add(prop.name)
                event = event.with_property(prop)
        if self.update:
            event = event.replace(extra=incoming.extra, additional_properties=incoming.additional_properties)
        return event

    # -- events -----------------------------------------------------------------------------
    def _merged(self, old: Event, new: Event) -> Event:
        # Additive metadata is appended whatever the method.
        event = old.replace(
            sources=SetList([*old.sources, *new.sources]),
            tags=SetList([*old.tags, *new.tags]),
            categories=SetList([*old.categories, *new.categories]),
            stakeholders=SetList([*old.stakeholders, *new.stakeholders]),
            name_mapping=SetList([*old.name_mapping, *new.name_mapping]),
        )
        if self.update:
            if new.description and new.description != old.description:
                event = event.replace(description=new.description)
            if new.owner and new.owner != old.owner:
                event = event.replace(owner=new.owner)
        event = self._with_properties(event, new)
        if self.remove:
            keep = set(new.property_names)
            for prop in old.properties:
                if prop.name not in keep and prop.send_as not in PROTECTED_SEND_AS:
                    event = event.without_property(prop.name)
        # An unchanged event stays the same object: later steps skip it by identity.
        return old if event == old else event

    def _synced(self, old: Event | None, new: Event) -> Event:
        """itly: the event is made to match the file (a source import keeps other sources)."""
        sources = SetList([*(old.sources if old else ()), *new.sources]) if self.source else new.sources
        return new.replace(sources=sources, id=new.id or (old.id if old else None))

    def _update_presence(self) -> None:
        """One global update when every imported event agrees, else per event. Properties
        whose presence is Mixed in the plan are left alone: import cannot express
        per-event/per-source presence."""
        wanted: dict[str, dict[str, bool]] = {}
        for incoming in self.incoming_events:
            target = self.match(incoming) or incoming.name
            for prop in incoming.properties:
                wanted.setdefault(prop.name, {})[target] = prop.required
        users = self._users(wanted)
        for prop_name, per_event in wanted.items():
            if len(self._presence_of_existing_links(prop_name, users[prop_name])) > 1:
                continue
            agreed = set(per_event.values())
            for event_name in users[prop_name]:
                event = self.events[event_name]
                linked = event.get_property(prop_name)
                if linked is None:
                    continue
                required = next(iter(agreed)) if len(agreed) == 1 else per_event.get(event_name)
                if required is not None and required != linked.required:
                    self.events[event_name] = event.with_property(replace(linked, required=required))
                    self.changed_properties.add(prop_name)
                    self._note_elsewhere(event_name, prop_name, True)

    def _users(self, prop_names: Iterable[str]) -> dict[str, list[str]]:
        """{property name: the events that use it, in plan order} for `prop_names`: one pass
        over the plan, where a pass per property grew with both."""
        users: dict[str, list[str]] = {name: [] for name in prop_names}
        for event_name, event in self.events.items():
            for prop in event.properties:
                found = users.get(prop.name)
                if found is not None and (not found or found[-1] != event_name):
                    found.append(event_name)
        return users

    def _presence_of_existing_links(self, prop_name: str, users: list[str]) -> set[bool]:
        """Presence over the links the plan had before and still has after removals (`users`:
        the events using the property)."""
        found = set()
        for name in users:
            prop = self.events[name].get_property(prop_name)
            if prop is not None and (name, prop_name) in self.links_before:
                found.add(prop.required)
        return found

    def _remove_untouched(self, touched: set[str]) -> None:
        if self.method != "sync" and self.source is None:
            return
        for name in list(self.events):
            if name in touched:
                continue
            event = self.events[name]
            if self.source is None:
                del self.events[name]
                self.result.removed_events += 1
            elif self.source in event.sources:
                remaining = SetList(s for s in event.sources if s != self.source)
                if remaining:
                    self.events[name] = event.replace(sources=remaining)
                else:
                    del self.events[name]
                    self.result.removed_events += 1

    # -- plan-wide parts --------------------------------------------------------------------
    def _settings(self) -> Settings:
        settings = self.current.settings
        known_sources = {s.name for s in settings.sources}
        wanted_sources = {s for e in self.events.values() for s in e.sources}
        incoming_sources = {s.name: s for s in self.incoming.settings.sources}
        new_sources = sorted(wanted_sources - known_sources)
        self.result.new_sources = len(new_sources)
        known_domains = {d.name for d in settings.domains}
        wanted_domains = {d for e in self.events.values() for d in (*e.stakeholders, *([e.owner] if e.owner else []))}
        new_domains = sorted(wanted_domains - known_domains)
        self.result.new_stakeholder_domains = len(new_domains)
        known_destinations = {d.name for d in settings.destinations}
        new_destinations = [d for d in self.incoming.settings.destinations if d.name not in known_destinations]
        if not (new_sources or new_domains or new_destinations):
            return settings
        return replace(
            settings,
            sources=tuple(
                sorted(
                    [
                        *settings.sources,
                        *(incoming_sources.get(s) or Source(name=s) for s in new_sources),
                    ]
                )
            ),
            domains=tuple(sorted([*settings.domains, *(Domain(name=d) for d in new_domains)])),
            destinations=tuple(sorted([*settings.destinations, *new_destinations])),
        )

    def _traits(self, current: Event | None, incoming: Event | None) -> Event | None:
        if incoming is None:
            return None if self.method == "sync" and self.source is None else current
        if current is None or self.method == "sync":
            return incoming
        return self._merged(current, incoming)

    def _contexts(self) -> tuple[tuple[str, Event], ...]:
        contexts = dict(self.current.contexts)
        incoming = dict(self.incoming.contexts)
        if self.source is not None:
            incoming = {self.source: list(incoming.values())[-1]} if incoming else {}
        if self.method == "sync" and self.source is None:
            return tuple(incoming.items())
        for source, ctx in incoming.items():
            merged = self._traits(contexts.get(source), ctx)
            if merged is not None:
                contexts[source] = merged
        return tuple(contexts.items())


def merge(
    current: Plan,
    incoming: Plan,
    method: str = "addOnly",
    source: str | None = None,
    scope: tuple[str, str | None] = ("plan", None),
) -> tuple[Plan, ImportResult]:
    """`current` with `incoming` merged by `method`, under `scope` (see `property_scope`)."""
    if method not in METHODS:
        raise ValueError(f"unknown import method {method!r}; use one of {', '.join(METHODS)}")
    with building():
        return Merger(current, incoming, method, source, scope).run()

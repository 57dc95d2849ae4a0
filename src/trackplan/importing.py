"""Import methods: the current plan + an incoming plan -> the new plan and Avo's counts.

addOnly, addAndUpdate and addUpdateAndRemove follow Avo's Import API; `sync` is itly's
account-wide import, and a `source` turns any method into itly's source-specific import.
Events match by `x-id` first, then by name; properties match by name and are plan-wide.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace

from trackplan.jsonvalue import SetList
from trackplan.model import Domain, Event, Plan, Property, Settings, Source

METHODS = ("addOnly", "addAndUpdate", "addUpdateAndRemove", "sync")
PROTECTED_SEND_AS = ("UserProperty", "SystemProperty", "GroupProperty")


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


def _all_properties(events: Iterable[Event]) -> dict[str, list[tuple[Event, Property]]]:
    out: dict[str, list[tuple[Event, Property]]] = {}
    for event in events:
        for prop in event.properties:
            out.setdefault(prop.name, []).append((event, prop))
    return out


def _enum_values(prop: Property) -> SetList:
    if prop.type == "array" and hasattr(prop.schema.get("items"), "get"):
        return prop.schema["items"].get("enum") or SetList()
    return prop.enum or SetList()


def _with_enum(prop: Property, values: SetList) -> Property:
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
    new_values = set(_enum_values(incoming)) - set(_enum_values(existing))
    if new_values:
        updated = _with_enum(updated, SetList([*_enum_values(updated), *new_values]))
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
    def __init__(self, current: Plan, incoming: Plan, method: str, source: str | None) -> None:
        self.current = current
        self.incoming = incoming
        self.method = method
        self.source = source
        self.result = ImportResult()
        self.update = method in ("addAndUpdate", "addUpdateAndRemove", "sync")
        self.remove = method in ("addUpdateAndRemove", "sync")
        self.events: dict[str, Event] = current.event_map()
        self.names_by_id = {e.id: e.name for e in current.events if e.id}
        self.properties_before = _all_properties(current.events)
        self.updated_property_names: set[str] = set()
        self.new_property_names: set[str] = set()

    # -- events -----------------------------------------------------------------------------
    def match(self, incoming: Event) -> str | None:
        if incoming.id:
            name = self.names_by_id.get(incoming.id)
            if name is not None and name in self.events:
                return name
        return incoming.name if incoming.name in self.events else None

    def run(self) -> tuple[Plan, ImportResult]:
        incoming_events = list(self.incoming.events)
        if self.source is not None:
            incoming_events = [e.replace(sources=SetList([self.source])) for e in incoming_events]
        touched: set[str] = set()
        changed_events: set[str] = set()
        for event in incoming_events:
            name = self.match(event)
            if name is None:
                self.events[event.name] = self._new_event(event)
                self.result.new_events += 1
                touched.add(event.name)
                continue
            old = self.events[name]
            new = self._merge_event(old, event)
            if new.name != name:
                del self.events[name]
            self.events[new.name] = new
            if new.id:
                self.names_by_id[new.id] = new.name
            touched.add(new.name)
            if new != old:
                changed_events.add(new.name)
        self._apply_global_presence(incoming_events)
        self._propagate_definitions()
        self._remove_untouched(touched)
        for name, merged in self.events.items():
            previous = self.current.event(name)
            if previous is not None and previous != merged and name not in changed_events:
                changed_events.add(name)
        self.result.updated_events = len([n for n in changed_events if self.current.event(n) is not None])
        self.result.new_properties = len(self.new_property_names)
        self.result.updated_properties = len(self.updated_property_names - self.new_property_names)
        plan = self.current.replace(
            events=tuple(self.events.values()),
            settings=self._settings(),
            identify=self._traits(self.current.identify, self.incoming.identify),
            group=self._traits(self.current.group, self.incoming.group),
            contexts=self._contexts(),
        )
        return plan, self.result

    def _new_event(self, event: Event) -> Event:
        props = []
        for prop in event.properties:
            existing = self.properties_before.get(prop.name)
            if existing:
                # Properties are plan-wide: link the existing definition.
                definition = existing[0][1]
                linked = replace(definition, required=prop.required)
                if self.update:
                    updated = _update_definition(linked, prop)
                    if updated.schema != linked.schema:
                        self.updated_property_names.add(prop.name)
                    linked = updated
                props.append(_update_event_specific(linked, prop))
            else:
                self.new_property_names.add(prop.name)
                props.append(prop)
        return event.replace(properties=tuple(props))

    def _merge_event(self, old: Event, new: Event) -> Event:
        event = old
        # Additive metadata: always appended.
        event = event.replace(
            sources=SetList([*old.sources, *new.sources]),
            tags=SetList([*old.tags, *new.tags]),
            categories=SetList([*old.categories, *new.categories]),
            stakeholders=SetList([*old.stakeholders, *new.stakeholders]),
            name_mapping=SetList([*old.name_mapping, *new.name_mapping]),
        )
        if self.method == "sync":
            # itly: the event is made to match the file.
            sources = SetList([*old.sources, self.source]) if self.source else new.sources
            return new.replace(sources=sources, id=new.id or old.id, name=new.name)
        if self.update:
            if new.description and new.description != old.description:
                event = event.replace(description=new.description)
            if new.owner and new.owner != old.owner:
                event = event.replace(owner=new.owner)
        incoming_props = {p.name: p for p in new.properties}
        for prop in new.properties:
            existing = event.get_property(prop.name)
            if existing is None:
                base = self.properties_before.get(prop.name)
                if base:
                    linked = replace(base[0][1], required=prop.required)
                    event = event.with_property(
                        _update_event_specific(linked, prop) if self.update else linked
                    )
                else:
                    self.new_property_names.add(prop.name)
                    event = event.with_property(prop)
                continue
            if not self.update:
                continue
            updated = _update_definition(existing, prop)
            updated = _update_event_specific(updated, prop)
            if updated.schema != existing.schema:
                self.updated_property_names.add(prop.name)
            event = event.with_property(updated)
        if self.remove:
            for prop in old.properties:
                if prop.name not in incoming_props and prop.send_as not in PROTECTED_SEND_AS:
                    event = event.without_property(prop.name)
        return event

    def _presence(self, name: str) -> set[bool]:
        return {p.required for _, p in self.properties_before.get(name, [])}

    def _apply_global_presence(self, incoming_events: list[Event]) -> None:
        """Presence: one global update when every imported event agrees, else per event;
        properties whose presence is already Mixed in the plan are skipped."""
        if not self.update:
            return
        wanted: dict[str, set[bool]] = {}
        per_event: dict[tuple[str, str], bool] = {}
        for event in incoming_events:
            matched = self.match(event) or event.name
            for prop in event.properties:
                wanted.setdefault(prop.name, set()).add(prop.required)
                per_event[(matched, prop.name)] = prop.required
        for prop_name, values in wanted.items():
            before = self._presence(prop_name)
            if len(before) > 1:
                continue  # Mixed: per-event/per-source granularity import cannot express
            if len(values) == 1:
                targets = [n for n, e in self.events.items() if e.get_property(prop_name) is not None]
            else:
                targets = [n for (n, p) in per_event if p == prop_name]
            for name in targets:
                target = self.events.get(name)
                current = target.get_property(prop_name) if target else None
                if target is None or current is None:
                    continue
                required = per_event.get(
                    (name, prop_name), next(iter(values)) if len(values) == 1 else current.required
                )
                if current.required != required:
                    self.events[name] = target.with_property(replace(current, required=required))
                    if self.current.event(name) is not None and prop_name not in self.new_property_names:
                        self.updated_property_names.add(prop_name)

    def _propagate_definitions(self) -> None:
        """A plan-wide field updated on one event applies to every event using the property."""
        if not self.update or not self.updated_property_names:
            return
        latest: dict[str, Property] = {}
        for event in self.incoming.events:
            for prop in event.properties:
                if prop.name in self.updated_property_names:
                    latest[prop.name] = prop
        for name, event in list(self.events.items()):
            props = []
            for prop in event.properties:
                incoming = latest.get(prop.name)
                props.append(_update_definition(prop, incoming) if incoming is not None else prop)
            self.events[name] = event.replace(properties=tuple(props))

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
        wanted_domains = {
            d for e in self.events.values() for d in (*e.stakeholders, *([e.owner] if e.owner else []))
        }
        new_domains = sorted(wanted_domains - known_domains)
        self.result.new_stakeholder_domains = len(new_domains)
        known_destinations = {d.name for d in settings.destinations}
        new_destinations = [
            d for d in self.incoming.settings.destinations if d.name not in known_destinations
        ]
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
        if current is None:
            for prop in incoming.properties:
                if prop.name not in self.properties_before:
                    self.new_property_names.add(prop.name)
            return incoming
        if self.method == "sync":
            return incoming
        return self._merge_event(current, incoming)

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
    current: Plan, incoming: Plan, method: str = "addOnly", source: str | None = None
) -> tuple[Plan, ImportResult]:
    if method not in METHODS:
        raise ValueError(f"unknown import method {method!r}; use one of {', '.join(METHODS)}")
    return Merger(current, incoming, method, source).run()

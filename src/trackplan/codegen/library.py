"""What a selection of a plan's events becomes in one language, decided before any text is
written: each event's function and type names in the language's style, its properties as
types, the name each destination receives (x-name-mapping), and the identify and group
calls. The emitters turn a `Library` into text and decide nothing.

Names are claimed in a fixed order (identify and group first, then events by name, then
the objects nested in them), so the same plan always gives the same names; a name that two
events would share goes to the first, the second gets a suffix and a note says so.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from trackplan.codegen.names import NamingStyle, Scope, identifier, words
from trackplan.codegen.shapes import ObjectType, ShapeBuilder
from trackplan.model import Event

IDENTIFY = "$identify"
GROUP = "$group"
TRAIT_TYPES = {IDENTIFY: "IdentifyTraits", GROUP: "GroupTraits"}
TRAIT_FUNCTIONS = {IDENTIFY: "identify", GROUP: "group"}


@dataclass(frozen=True)
class Call:
    """One generated call: an event (or the identify or group traits) and its names."""

    event: str  # the name in the plan; IDENTIFY and GROUP for traits
    function: str
    properties: ObjectType
    version: str | None = None
    description: str = ""
    deprecated: bool = False
    sent_names: tuple[tuple[str, str], ...] = ()  # (destination, event name sent there)

    @property
    def user_properties(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.properties.fields if f.user_property)

    @property
    def sent_keys(self) -> tuple[tuple[str, tuple[tuple[str, str], ...]], ...]:
        """(destination, ((key, key sent there), ...)) for properties renamed by x-name-mapping."""
        by_destination: dict[str, list[tuple[str, str]]] = {}
        for f in self.properties.fields:
            for destination, sent in f.sent_keys:
                by_destination.setdefault(destination, []).append((f.key, sent))
        return tuple((d, tuple(pairs)) for d, pairs in sorted(by_destination.items()))


@dataclass(frozen=True)
class Library:
    events: tuple[Call, ...]
    identify: Call | None
    group: Call | None
    objects: tuple[ObjectType, ...]  # every named object type, nested ones first
    destinations: tuple[str, ...]
    notes: tuple[str, ...] = ()

    @property
    def calls(self) -> tuple[Call, ...]:
        traits = tuple(call for call in (self.identify, self.group) if call is not None)
        return (*traits, *self.events)


def build_library(
    events: Sequence[Event],
    identify: Event | None,
    group: Event | None,
    destinations: Iterable[str],
    style: NamingStyle,
) -> Library:
    """The calls for `events` (and the traits) in `style`. `destinations` are those of the
    source in trackplan.yaml; the ones the events' name mappings name are added."""
    values = Scope(style.keywords, style.taken_values)
    types = values if style.one_namespace else Scope(style.keywords, style.taken_types)
    builder = ShapeBuilder(types, style.type, lambda: Scope(style.keywords, style.taken_parameters), style.parameter)
    traits = {}
    for kind, event in ((IDENTIFY, identify), (GROUP, group)):
        if event is not None:
            traits[kind] = _call(builder, event, kind, TRAIT_FUNCTIONS[kind], TRAIT_TYPES[kind])
    notes: list[str] = []
    named = _claim_names(sorted(events, key=lambda e: e.name), values, types, style, notes)
    calls = tuple(_call(builder, event, event.name, function, type_name) for event, function, type_name in named)
    mapped = {d for call in calls for d, _ in call.sent_names} | {d for call in calls for d, _ in call.sent_keys}
    return Library(
        events=calls,
        identify=traits.get(IDENTIFY),
        group=traits.get(GROUP),
        objects=tuple(builder.objects),
        destinations=tuple(sorted({*destinations, *mapped})),
        notes=tuple(notes),
    )


def _claim_names(
    events: Sequence[Event], values: Scope, types: Scope, style: NamingStyle, notes: list[str]
) -> list[tuple[Event, str, str]]:
    """(event, function name, type name) for each event, all claimed before any nested type."""
    owners: dict[str, str] = {}
    out = []
    for event in events:
        parts = words(event.name)
        function_wanted = identifier(parts, style.function, "event")
        type_wanted = identifier(parts, style.type, "Event")
        function, type_name = values.claim(function_wanted), types.claim(type_wanted)
        note = _renamed(event.name, [(function_wanted, function), (type_wanted, type_name)], owners)
        if note:
            notes.append(note)
        owners.setdefault(function_wanted, event.name)
        owners.setdefault(type_wanted, event.name)
        out.append((event, function, type_name))
    return out


def _renamed(event: str, claims: list[tuple[str, str]], owners: dict[str, str]) -> str | None:
    """A note for an event whose names got suffixes (None when they did not)."""
    renamed = [(want, got) for want, got in claims if got not in (want, f"{want}_")]
    if not renamed:
        return None
    want, got = renamed[0]
    if want == claims[0][0] and renamed[0] != claims[0]:
        return f"the function and the type of event {event!r} would both be {want}; the type is {got}"
    owner = owners.get(want)
    why = f"event {owner!r} makes the same name" if owner else "the generated code uses that name"
    wanted, given = (", ".join(dict.fromkeys(names)) for names in zip(*renamed, strict=True))
    return f"event {event!r} would be {wanted} but {why}: it gets {given}"


def _call(builder: ShapeBuilder, event: Event, name: str, function: str, type_name: str) -> Call:
    closed = event.additional_properties is False
    properties = builder.object_type(type_name, event.properties, closed, event.description, event.extra)
    return Call(
        event=name,
        function=function,
        properties=properties,
        version=event.version,
        description=event.description,
        deprecated=event.status == "deprecated",
        sent_names=tuple((m.destination, m.name) for m in event.name_mapping),
    )

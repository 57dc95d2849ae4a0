"""Spreadsheet plans (CSV): Avo's ultimate template and every layout Avo's importer reads.

Header names are exact, column order is free and extra columns are ignored. One row per
event-property; rows without an event name continue the event above.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from trackplan.errors import InputError
from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import UTF16_BOMS, Incoming, InputFile, WriteOptions, utf8_text
from trackplan.model import Domain, Event, Plan, Settings, Source


@dataclass(frozen=True)
class Layout:
    name: str
    required: tuple[str, ...]
    columns: Mapping[str, str]  # our field -> column header


LAYOUTS = (
    Layout(
        "Avo ultimate template",
        (
            "Event Name",
            "Event Description",
            "Event Category",
            "Sources",
            "Property Name",
            "Property Description",
            "Property Value Type",
            "Is Property Required?",
            "Is Property Array?",
            "Property Enumeration Options",
        ),
        {
            "event": "Event Name",
            "event_description": "Event Description",
            "category": "Event Category",
            "sources": "Sources",
            "property": "Property Name",
            "property_description": "Property Description",
            "type": "Property Value Type",
            "required": "Is Property Required?",
            "array": "Is Property Array?",
            "enum": "Property Enumeration Options",
        },
    ),
    Layout(
        "Avo import API example",
        ("Event Name", "Event Description", "Event Property Name", "Platforms"),
        {
            "event": "Event Name",
            "event_description": "Event Description",
            "category": "Event Category",
            "sources": "Platforms",
            "property": "Event Property Name",
            "property_description": "Property Description",
            "type": "Property Value Type",
            "required": "Is Property Required?",
            "array": "Is Property Array?",
            "enum": "Property Enumeration Options",
            "status": "Status",
        },
    ),
    Layout(
        "Amplitude taxonomy",
        (
            "Event Name",
            "Trigger + Event Description",
            "Event Category",
            "Platform",
            "Property Name",
            "Property Description",
            "Property Type",
            "Sample Values",
        ),
        {
            "event": "Event Name",
            "event_description": "Trigger + Event Description",
            "category": "Event Category",
            "sources": "Platform",
            "property": "Property Name",
            "property_description": "Property Description",
            "send_as": "Property Type",
            "enum": "Sample Values",
        },
    ),
    Layout(
        "Mixpanel tracking plan",
        (
            "Event Name",
            "Event Definition",
            "Platform",
            "Property Name",
            "Property Definition",
            "Data Type",
            "Sample Values",
        ),
        {
            "event": "Event Name",
            "event_description": "Event Definition",
            "sources": "Platform",
            "property": "Property Name",
            "property_description": "Property Definition",
            "type": "Data Type",
            "enum": "Sample Values",
        },
    ),
    Layout(
        "Segment Protocols CSV",
        (
            "Version",
            "Event Type",
            "Event Name",
            "Property Name",
            "Description",
            "Labels",
            "Property Data Type",
            "Enum Values",
        ),
        {
            "event_type": "Event Type",
            "event": "Event Name",
            "property": "Property Name",
            "description": "Description",
            "tags": "Labels",
            "type": "Property Data Type",
            "enum": "Enum Values",
        },
    ),
    Layout(
        "properties import",
        (
            "Property Type",
            "Property Name",
            "Property Description",
            "Property Value Type",
            "Property Value Is List",
            "Property Required",
            "Property Allowed Values",
        ),
        {
            "send_as": "Property Type",
            "property": "Property Name",
            "property_description": "Property Description",
            "type": "Property Value Type",
            "array": "Property Value Is List",
            "required": "Property Required",
            "enum": "Property Allowed Values",
        },
    ),
    Layout(
        "group properties import",
        (
            "Group Type",
            "Property Name",
            "Property Description",
            "Property Value Type",
            "Is Property Array?",
            "Sent with Events",
            "Property Enumeration options",
        ),
        {
            "group_type": "Group Type",
            "property": "Property Name",
            "property_description": "Property Description",
            "type": "Property Value Type",
            "array": "Is Property Array?",
            "sent_with": "Sent with Events",
            "enum": "Property Enumeration options",
        },
    ),
)

# Optional columns of the ultimate template, read by every event layout when present.
OPTIONAL = {
    "send_as": "Property Type",
    "tags": "Event Tags",
    "variant": "Event Variant Name",
    "pinned": "Pinned Value",
    "stakeholders": "Stakeholder Domains",
    "owner": "Owner",
    "pattern": "Property Regex",
}
TYPES = {
    "string": "string",
    "int": "integer",
    "integer": "integer",
    "float": "number",
    "number": "number",
    "bool": "boolean",
    "boolean": "boolean",
    "object": "object",
    "any": None,
    "": None,
    "null": None,
}
SEND_AS = {
    "event": "EventProperty",
    "event property": "EventProperty",
    "user": "UserProperty",
    "user property": "UserProperty",
    "system": "SystemProperty",
    "system property": "SystemProperty",
}
TRUE = {"true", "yes", "y", "1", "x", "required", "always"}
FALSE = {"false", "no", "n", "0", "", "optional", "sometimes"}


def _split(value: str, sep: str = ",") -> list[str]:
    return [part.strip() for part in value.split(sep) if part.strip()]


def _text(data: bytes, name: str) -> str:
    # Spreadsheets save "Unicode text" as UTF-16: NUL bytes, but not binary.
    if b"\x00" in data[:4096] and not data.startswith(UTF16_BOMS):
        raise InputError(f"{name}: binary data, not a CSV file")
    text = utf8_text(data, name)
    if "\n" not in text.strip() and "\\n" in text:
        # A body pasted from a shell example: escapes were never interpreted.
        text = text.replace("\\n", "\n").replace('\\"', '"')
    return text


@dataclass
class _EventDraft:
    name: str
    description: str = ""
    categories: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)
    stakeholders: list[str] = field(default_factory=list)
    owner: str | None = None
    name_mapping: list[dict[str, str]] = field(default_factory=list)
    status: str | None = None
    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)


def read(source: InputFile) -> Incoming:
    name = source.name
    rows, layout = _rows(_text(source.data, name), name)
    sheet = _Sheet(name, layout)
    line = 1
    try:
        for row in rows:
            line = rows.line_num
            sheet.add(row, f"{name}:{line}")
    except csv.Error as exc:
        raise InputError(f"{name}:{line}: invalid CSV: {exc}") from None
    return sheet.incoming()


def _rows(text: str, name: str) -> tuple[csv.DictReader[str], Layout]:
    """The rows of a CSV text, keyed by their stripped header cells, and the header's layout."""
    rows = csv.DictReader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in (rows.fieldnames or [])]
    except csv.Error as exc:
        raise InputError(f"{name}:1: invalid CSV: {exc}") from None
    if not header:
        raise InputError(f"{name}: empty file, expected a CSV header row")
    rows.fieldnames = header
    return rows, _layout(header, name)


def _layout(header: list[str], name: str) -> Layout:
    present = set(header)
    # A layout whose columns are all there wins; otherwise the closest names what is missing.
    best = max(
        LAYOUTS,
        key=lambda lay: (
            all(c in present for c in lay.required),
            len(lay.required) * all(c in present for c in lay.required),
            sum(c in present for c in lay.required) / len(lay.required),
        ),
    )
    missing = [c for c in best.required if c not in present]
    if missing:
        raise InputError(
            f"{name}: missing required column{'s' if len(missing) > 1 else ''} "
            f"{', '.join(repr(m) for m in missing)} (closest layout: {best.name})"
        )
    return best


FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(cell: str) -> bool:
    """A spreadsheet would run the cell as a formula (OWASP's CSV injection), or it is one
    that was guarded: a quote before such a cell."""
    return cell.startswith(FORMULA_STARTS) or (cell.startswith("'") and _formula_like(cell[1:]))


def guarded(cell: str) -> str:
    """A cell a spreadsheet shows as text: a quote goes before a formula-like cell, as OWASP
    recommends; `unguarded` takes it off again on import."""
    return f"'{cell}" if _formula_like(cell) else cell


def unguarded(cell: str) -> str:
    return cell[1:] if cell.startswith("'") and _formula_like(cell[1:]) else cell


def _cells(row: Mapping[str, Any], layout: Layout) -> Any:
    columns = {**OPTIONAL, **layout.columns}

    def cell(key: str) -> str:
        column = columns.get(key)
        value = row.get(column) if column else None
        return unguarded(value.strip()) if isinstance(value, str) else ""

    return cell


def _bool(value: str, where: str, column: str) -> bool:
    lowered = value.strip().lower()
    if lowered in TRUE:
        return True
    if lowered in FALSE:
        return False
    raise InputError(f"{where}: column {column!r}: expected true or false, got {value!r}")


def _property(cell: Any, prop: str, reader: SchemaReader, where: str) -> tuple[dict[str, Any], bool]:
    raw_type = cell("type").lower()
    nullable = False
    if "," in raw_type:  # Segment: "string,null" marks an optional property
        parts = _split(raw_type)
        nullable = "null" in parts
        non_null = [p for p in parts if p != "null"]
        raw_type = non_null[0] if len(non_null) == 1 else "any"
    is_list = False
    if raw_type.startswith("list of ") or raw_type == "array":
        is_list, raw_type = True, raw_type.removeprefix("list of ").replace("array", "any")
    if raw_type not in TYPES:
        reader.warn(f"Unsupported JSON Schema type: '{raw_type}'. Defaulting to 'any'.")
    json_type = TYPES.get(raw_type)
    spec: dict[str, Any] = {}
    array_value = cell("array")
    if array_value:
        is_list = _bool(array_value, where, "Is Property Array?") or is_list
    values = _split(cell("enum"))
    item: dict[str, Any] = {"type": json_type} if json_type else {}
    if values:
        item["enum"] = values
    pattern = cell("pattern")
    if pattern:
        item["pattern"] = pattern
    spec = ({"type": "array", "items": item} if item else {"type": "array"}) if is_list else item
    description = cell("property_description") or cell("description")
    if description:
        spec = {"description": description, **spec}
    send_as = cell("send_as").lower()
    if send_as:
        if send_as not in SEND_AS:
            reader.warn(f"Invalid sendAs value {cell('send_as')}; defaulting to EventProperty")
        elif SEND_AS[send_as] != "EventProperty":
            spec["x-send-as"] = SEND_AS[send_as]
    required_value = cell("required")
    required = (
        _bool(required_value, where, "Is Property Required?")
        if required_value
        else not nullable and cell("event_type") != ""
    )
    return spec, required


def _mappings(row: Mapping[str, Any], prefix: str) -> list[dict[str, str]]:
    out = []
    for column, value in row.items():
        if isinstance(column, str) and column.startswith(prefix) and isinstance(value, str) and value.strip():
            out.append({"name": unguarded(value.strip()), "destination": column[len(prefix) :].strip()})
    return out


def _event_fields(draft: _EventDraft, cell: Any, row: Mapping[str, Any], layout: Layout, prop: str) -> None:
    description = cell("event_description") or (cell("description") if not prop else "")
    if description and not draft.description:
        draft.description = description
    for target, values in (
        (draft.categories, _split(cell("category"))),
        (draft.sources, _split(cell("sources"))),
        (
            draft.tags,
            _split(cell("tags"), ";") if layout.name != "Segment Protocols CSV" else _split(cell("tags")),
        ),
        (draft.stakeholders, _split(cell("stakeholders"))),
    ):
        target.extend(v for v in values if v not in target)
    if cell("owner"):
        draft.owner = cell("owner")
    if cell("status"):
        draft.status = cell("status").lower()
    for mapping in _mappings(row, "Event Name Mapping:"):
        if mapping not in draft.name_mapping:
            draft.name_mapping.append(mapping)


class _Sheet:
    """The rows of one file read so far: event drafts, trait properties, and the event whose
    rows are being read (a row without an event name adds a property to it)."""

    def __init__(self, name: str, layout: Layout) -> None:
        self.layout = layout
        self.reader = SchemaReader(name, avo=True)
        self.drafts: dict[str, _EventDraft] = {}
        self.traits: dict[str, dict[str, dict[str, Any]]] = {"identify": {}, "group": {}, "system": {}}
        self.trait_required: dict[str, list[str]] = {"identify": [], "group": [], "system": []}
        self.current: _EventDraft | None = None
        self.skipping_variant = False

    def add(self, row: Mapping[str, Any], where: str) -> None:
        cell = _cells(row, self.layout)
        event_name = cell("event")
        prop = cell("property")
        if self.layout.name in ("properties import", "group properties import"):
            self._trait_row(cell, prop, where)
            return
        if cell("event_type").lower() == "identify":
            if prop:
                spec, required = _property(cell, prop, self.reader, where)
                self.traits["identify"][prop] = spec
                if required:
                    self.trait_required["identify"].append(prop)
            return
        if event_name:
            variant = cell("variant")
            self.skipping_variant = bool(variant)
            if variant:
                self.reader.warn(
                    f"Event variant '{event_name} - {variant}' was skipped. Variants are not supported in import."
                )
                return
            self.current = self.drafts.setdefault(event_name, _EventDraft(event_name))
            _event_fields(self.current, cell, row, self.layout, prop)
        elif self.skipping_variant:
            return
        if self.current is not None and prop:
            self._event_property(self.current, cell, row, prop, where)

    def _event_property(self, draft: _EventDraft, cell: Any, row: Mapping[str, Any], prop: str, where: str) -> None:
        spec, required = _property(cell, prop, self.reader, where)
        mappings = _mappings(row, "Property Name Mapping:")
        if mappings:
            spec["x-name-mapping"] = mappings
        pinned = cell("pinned")
        if pinned:
            spec["const"] = pinned
        draft.properties[prop] = spec
        if required and prop not in draft.required:
            draft.required.append(prop)

    def _trait_row(self, cell: Any, prop: str, where: str) -> None:
        """A row of a properties-only file: a user, system or group property."""
        if not prop:
            return
        spec, required = _property(cell, prop, self.reader, where)
        if self.layout.name == "group properties import":
            spec["x-group-type"] = cell("group_type")
            sent_with = _split(cell("sent_with"), "/")
            if sent_with:
                spec["x-sent-with"] = sent_with
            self.traits["group"][prop] = spec
            return
        kind = spec.get("x-send-as", "EventProperty")
        if kind not in ("UserProperty", "SystemProperty"):
            self.reader.warn(f"Event property '{prop}' is not linked to any event in this file and was skipped.")
            return
        spec.pop("x-send-as")
        target = "identify" if kind == "UserProperty" else "system"
        self.traits[target][prop] = spec
        if required:
            self.trait_required[target].append(prop)

    def incoming(self) -> Incoming:
        events = [self._event(draft) for draft in self.drafts.values()]
        sources = {s for d in self.drafts.values() for s in d.sources}
        domains = {x for d in self.drafts.values() for x in (*d.stakeholders, *([d.owner] if d.owner else []))}
        system = self._trait("system", "System Properties")
        plan = Plan(
            settings=Settings(
                sources=tuple(Source(name=s) for s in sorted(sources)),
                domains=tuple(Domain(name=d) for d in sorted(domains)),
            ),
            events=tuple(events),
            identify=self._trait("identify", "Identify Properties"),
            group=self._trait("group", "Group Properties"),
            contexts=(("system", system),) if system is not None else (),
        )
        return Incoming(plan=plan, warnings=self.reader.warnings)

    def _event(self, draft: _EventDraft) -> Event:
        return self.reader.event(
            draft.name,
            {"type": "object", "properties": draft.properties, "required": draft.required},
            f"event {draft.name!r}",
            description=draft.description or None,
            categories=draft.categories,
            sources=draft.sources,
            tags=draft.tags,
            owner=draft.owner,
            stakeholders=draft.stakeholders,
            name_mapping=draft.name_mapping,
            status=draft.status,
        )

    def _trait(self, key: str, title: str) -> Event | None:
        if not self.traits[key]:
            return None
        return self.reader.event(
            title, {"type": "object", "properties": self.traits[key], "required": self.trait_required[key]}, key
        )


# -- writing -----------------------------------------------------------------------------------

REVERSE_TYPES = {
    "string": "string",
    "integer": "int",
    "number": "float",
    "boolean": "bool",
    "object": "object",
}
SEND_AS_COLUMN = {"EventProperty": "Event", "UserProperty": "User", "SystemProperty": "System"}


def _type_cells(prop: Any) -> tuple[str, str, list[str]]:
    """(value type, is array, enumeration) of a property."""
    schema = prop.schema
    is_array = prop.type == "array"
    item = schema.get("items") if is_array and isinstance(schema.get("items"), Mapping) else schema
    if not is_array:
        item = schema
    value_type = REVERSE_TYPES.get(item.get("type"), "any") if isinstance(item.get("type"), str) else "any"
    values = [str(v) for v in item.get("enum") or ()]
    return value_type, "true" if is_array else "false", values


def write(plan: Plan, options: WriteOptions) -> bytes:
    """Avo's ultimate template, one row per event-property, re-importable."""
    event_dests = sorted({m.destination for e in plan.events for m in e.name_mapping})
    prop_dests = sorted({m.destination for e in plan.events for p in e.properties for m in p.name_mapping})
    written_optional = [c for key, c in OPTIONAL.items() if key != "variant"]  # variants are never written
    header = [
        *LAYOUTS[0].required,
        *written_optional,
        *(f"Event Name Mapping: {d}" for d in event_dests),
        *(f"Property Name Mapping: {d}" for d in prop_dests),
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for event in plan.events:
        event_cells = [
            event.name,
            event.description,
            ", ".join(event.categories),
            ", ".join(event.sources),
        ]
        event_tail = {
            "Event Tags": ";".join(event.tags),
            "Stakeholder Domains": ", ".join(event.stakeholders),
            "Owner": event.owner or "",
            **{f"Event Name Mapping: {m.destination}": m.name for m in event.name_mapping},
        }
        for prop in event.properties or [None]:
            row = dict(zip(header[:4], event_cells, strict=True))
            row.update(event_tail)
            if prop is not None:
                value_type, is_array, values = _type_cells(prop)
                const = prop.const
                row.update(
                    {
                        "Property Name": prop.name,
                        "Property Description": prop.description,
                        "Property Value Type": value_type,
                        "Is Property Required?": "true" if prop.required else "false",
                        "Is Property Array?": is_array,
                        "Property Enumeration Options": ", ".join(values),
                        "Property Type": SEND_AS_COLUMN.get(prop.send_as, "Event"),
                        "Pinned Value": "" if const is None else str(const),
                        "Property Regex": prop.pattern or "",
                        **{f"Property Name Mapping: {m.destination}": m.name for m in prop.name_mapping},
                    }
                )
            writer.writerow([guarded(row.get(column, "")) for column in header])
    return out.getvalue().encode()

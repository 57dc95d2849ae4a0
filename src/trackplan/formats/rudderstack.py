"""RudderStack's rudder-cli data catalog: a folder of YAML files, each `{version: rudder/v1
(or the legacy rudder/v0.1), kind, metadata: {name}, spec}`, of the kinds `events`,
`properties`, `custom-types`, `categories` and `tracking-plan` (legacy `tp`).

An event's properties are those its tracking plans' `event_rule`s give it, nested properties
included; a property of a custom type gets the custom type's schema, and keeps which custom
type it was (`x-custom-type`) so the export writes the reference back; so do an array's items
of a custom type, and the export writes items that say more than their type as one. Catalog ids become
`x-id`s; categories become `x-categories`. Variants are kept as written, with their
references as property names (`x-variants`); the checker does not apply them.

The export writes rudder/v1: `events.yaml`, `properties.yaml`, `custom-types.yaml`,
`categories.yaml` and one `tracking-plan.yaml` with a rule per event.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import Incoming, InputFile, WriteOptions, listed, require
from trackplan.model import Event, Plan
from trackplan.model.frozen import thaw

VERSION = "rudder/v1"
VERSIONS = ("rudder/v1", "rudder/v0.1", "rudder/0.1")
KINDS = {"events", "properties", "custom-types", "categories", "tracking-plan", "tp"}
PLAN_KINDS = ("tracking-plan", "tp")
# v0.1: #/properties/<group>/<id>; v1: #property:<id>
LEGACY_REF = re.compile(r"^#/(?P<kind>events|properties|custom-types|categories)/(?P<group>[^/]+)/(?P<id>[^/]+)$")
REF = re.compile(r"^#(?P<kind>event|property|custom-type|category):(?P<id>.+)$")
SINGULAR = {"events": "event", "properties": "property", "custom-types": "custom-type", "categories": "category"}
NON_TRACK = ("page", "screen", "identify", "group")
_VERSION_LINE = re.compile(rb"^version:\s*[\"']?rudder/", re.MULTILINE)


def looks_like(source: InputFile) -> bool:
    """A YAML file, or a folder holding one, that declares a rudder-cli `version`."""
    if not source.is_dir:
        return bool(_VERSION_LINE.search(source.data[:4096]))
    return any(
        file.suffix in (".yaml", ".yml") and file.is_file() and _VERSION_LINE.search(file.read_bytes()[:4096])
        for file in sorted(Path(source.name).rglob("*"))
    )


@dataclass
class Catalog:
    """The catalog's entries by (kind, id), the `kind` singular as references name it."""

    entries: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)
    plans: list[tuple[dict[str, Any], str]] = field(default_factory=list)
    used: set[tuple[str, str]] = field(default_factory=set)

    def unused(self) -> list[str]:
        """`kind id` of the entries nothing refers to: no event file can hold them."""
        return [f"{kind} {entry_id!r}" for kind, entry_id in self.entries if (kind, entry_id) not in self.used]

    def resolve(self, ref: Any, where: str) -> tuple[str, dict[str, Any]]:
        """(id, entry) of a `#property:id` or `#/properties/group/id` reference."""
        text = str(ref)
        found = REF.match(text) or LEGACY_REF.match(text)
        if found is None:
            raise InputError(f"{where}: {text!r} is not a reference (#property:<id> or #/properties/<group>/<id>)")
        kind = SINGULAR.get(found["kind"], found["kind"])
        entry = self.entries.get((kind, found["id"]))
        if entry is None:
            raise InputError(f"{where}: {text!r} names no {kind} in the catalog")
        self.used.add((kind, found["id"]))
        return found["id"], entry


def _documents(source: InputFile) -> Iterator[tuple[dict[str, Any], str]]:
    root = Path(source.name)
    files = sorted(f for f in root.rglob("*") if f.suffix in (".yaml", ".yml")) if root.is_dir() else [root]
    found = False
    for file in files:
        data = file.read_bytes() if root.is_dir() else source.data
        if not _VERSION_LINE.search(data[:4096]):
            continue
        name = str(file)
        for doc in yamlio.load_all(data, name):  # a file, or the stream `export --to rudderstack` prints
            require(isinstance(doc, Mapping), name, "top level", "expected a mapping")
            require(doc.get("version") in VERSIONS, name, "version", f"expected one of {', '.join(VERSIONS)}")
            require(doc.get("kind") in KINDS, name, "kind", f"expected one of {', '.join(sorted(KINDS))}")
            require(isinstance(doc.get("spec"), Mapping), name, "spec", "expected a mapping")
            found = True
            yield doc, name
    require(found, source.name, "version", "no rudder-cli catalog file (version: rudder/v1 or rudder/v0.1) found")


def _catalog(source: InputFile) -> Catalog:
    catalog = Catalog()
    lists = {"events": "events", "properties": "properties", "custom-types": "types", "categories": "categories"}
    for doc, name in _documents(source):
        kind = doc["kind"]
        if kind in PLAN_KINDS:
            catalog.plans.append((doc["spec"], name))
            continue
        key = lists[kind]
        for index, entry in enumerate(listed(doc["spec"].get(key), name, f"spec.{key}", "a list")):
            where = f"spec.{key}[{index}]"
            require(isinstance(entry, Mapping) and bool(entry.get("id")), name, where, "needs an id")
            catalog.entries[(SINGULAR[kind], str(entry["id"]))] = {**entry, "_where": f"{name}: {where}"}
    return catalog


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(word[:1].upper() + word[1:] for word in rest)


def _types(value: Any) -> Any:
    """`string`, `string,null` (v0.1) or a list of types (v1) as JSON Schema's `type`."""
    if isinstance(value, list):
        return value
    names = [t.strip() for t in str(value).split(",")]
    return names if len(names) > 1 else names[0]


def _type_schema(entry: Mapping[str, Any], catalog: Catalog, where: str) -> dict[str, Any]:
    """The JSON Schema of a property or custom type's own type and config."""
    schema: dict[str, Any] = {}
    raw_type = entry.get("type") if "type" in entry else entry.get("types")
    if isinstance(raw_type, str) and raw_type.startswith("#"):
        schema.update(_custom_type_schema(raw_type, catalog, where))
    elif raw_type not in (None, ""):
        schema["type"] = _types(raw_type)
    config = dict(entry.get("config") or entry.get("propConfig") or {})
    item_types = config.pop("itemTypes", None) or entry.get("item_types") or entry.get("item_type")
    if item_types:
        schema["items"] = _items_schema(_types(item_types), catalog, where)
    schema.update((_camel(k), v) for k, v in config.items())
    if isinstance(entry.get("properties"), list):  # an object custom type
        nested, required = _nested(entry["properties"], catalog, where)
        schema.update(properties=nested, required=required)
    if entry.get("variants"):
        schema["x-variants"] = _variants(entry["variants"], catalog, where)
    return schema


def _custom_type_schema(ref: str, catalog: Catalog, where: str) -> dict[str, Any]:
    """The schema of the custom type a `#custom-type:id` reference names, with which one it was."""
    type_id, custom = catalog.resolve(ref, where)
    schema = _type_schema(custom, catalog, str(custom["_where"]))
    schema.pop("description", None)
    meta = {"id": type_id, "name": custom.get("name"), "description": custom.get("description")}
    schema["x-custom-type"] = {k: v for k, v in meta.items() if v is not None}
    return schema


def _items_schema(item_types: Any, catalog: Catalog, where: str) -> dict[str, Any]:
    """An array's `items`: its item types, or the custom type its one item type names."""
    single = item_types[0] if isinstance(item_types, list) and len(item_types) == 1 else item_types
    if not (isinstance(single, str) and single.startswith("#")):
        return {"type": item_types}
    schema = _custom_type_schema(single, catalog, where)
    if "description" in schema["x-custom-type"]:  # the items' own: an array's description is the property's
        schema["description"] = schema["x-custom-type"]["description"]
    return schema


def _nested(items: list[Any], catalog: Catalog, where: str) -> tuple[dict[str, Any], list[str]]:
    """({name: schema}, required names) of a rule's or custom type's property list."""
    properties: dict[str, Any] = {}
    required: list[str] = []
    for index, item in enumerate(items):
        at = f"{where}.properties[{index}]"
        require(isinstance(item, Mapping), where, f"properties[{index}]", "expected a mapping")
        prop_id, entry = catalog.resolve(item.get("property") or item.get("$ref"), at)
        name = str(entry.get("name") or prop_id)
        schema = _type_schema(entry, catalog, at)
        if entry.get("description"):
            schema["description"] = entry["description"]
        schema["x-id"] = prop_id
        if isinstance(item.get("properties"), list):
            nested, nested_required = _nested(item["properties"], catalog, at)
            schema.update(properties=nested, required=nested_required)
        properties[name] = schema
        if item.get("required") is True:
            required.append(name)
    return properties, required


def _variants(variants: Any, catalog: Catalog, where: str) -> list[dict[str, Any]]:
    """Variants with the discriminator as a property name and each case's properties as an
    event's are (`properties`, `required`), which every version of the format shares."""
    out = []
    for index, variant in enumerate(listed(variants, where, "variants", "a list")):
        at = f"{where}.variants[{index}]"
        require(isinstance(variant, Mapping), where, f"variants[{index}]", "expected a mapping")
        prop_id, discriminator = catalog.resolve(variant.get("discriminator"), at)
        cases = []
        for case in listed(variant.get("cases"), at, "cases", "a list"):
            properties, required = _nested(case.get("properties") or [], catalog, at)
            rest = {k: v for k, v in case.items() if k != "properties"}
            cases.append({**rest, "properties": properties, "required": required})
        entry = {**variant, "discriminator": str(discriminator.get("name") or prop_id), "cases": cases}
        if "default" in variant:
            properties, required = _nested(variant["default"] or [], catalog, at)
            entry["default"] = {"properties": properties, "required": required}
        out.append(entry)
    return out


def _flag(item: Mapping[str, Any]) -> dict[str, Any]:
    return {"required": item["required"]} if "required" in item else {}


def read(source: InputFile) -> Incoming:
    catalog = _catalog(source)
    reader = SchemaReader(source.name, avo=False)
    rules: dict[str, tuple[dict[str, Any], str]] = {}
    for spec, name in catalog.plans:
        for index, rule in enumerate(listed(spec.get("rules"), name, "spec.rules", "a list of rules")):
            where = f"{name}: spec.rules[{index}]"
            require(isinstance(rule, Mapping), name, f"spec.rules[{index}]", "expected a mapping")
            event = rule.get("event")
            ref = event.get("$ref") if isinstance(event, Mapping) else event
            event_id, _ = catalog.resolve(ref, where)
            if event_id in rules and rules[event_id][0] != rule:
                reader.warn(
                    f"{where}: event {event_id!r} has another rule in an earlier tracking plan; the first is kept"
                )
            rules.setdefault(event_id, (dict(rule), where))
    events: list[Event] = []
    traits: dict[str, Event] = {}
    for (kind, event_id), entry in catalog.entries.items():
        if kind != "event":
            continue
        rule, where = rules.get(event_id, ({}, str(entry["_where"])))
        event = _event(event_id, entry, rule, catalog, reader, where)
        if event.event_type in ("identify", "group") and event.event_type not in traits:
            traits[event.event_type] = event.replace(name=f"{event.event_type.title()} Properties", event_type=None)
        else:
            events.append(event)
    unused = [entry for entry in catalog.unused() if not entry.startswith("event ")]
    if unused:
        reader.warn(f"Not imported, as no tracking plan rule uses them: {', '.join(unused)}.")
    plan = Plan(events=tuple(events), identify=traits.get("identify"), group=traits.get("group"))
    return Incoming(plan=plan, warnings=reader.warnings)


def _event(
    event_id: str, entry: Mapping[str, Any], rule: Mapping[str, Any], catalog: Catalog, reader: SchemaReader, where: str
) -> Event:
    properties, required = _nested(rule.get("properties") or [], catalog, where)
    schema: dict[str, Any] = {"type": "object", "properties": properties, "required": required}
    event = rule.get("event")
    allow = rule.get("additional_properties", event.get("allow_unplanned") if isinstance(event, Mapping) else None)
    if allow is not None:
        schema["additionalProperties"] = bool(allow)
    if rule.get("variants"):
        schema["x-variants"] = _variants(rule["variants"], catalog, where)
    event_type = str(entry.get("event_type") or "track")
    categories = []
    if entry.get("category"):
        _, category = catalog.resolve(entry["category"], str(entry["_where"]))
        categories.append(str(category.get("name") or category["id"]))
    return reader.event(
        str(entry.get("name") or event_id),
        schema,
        str(entry["_where"]),
        description=entry.get("description"),
        id=event_id,
        event_type=None if event_type == "track" else event_type,
        categories=categories,
    )


# -- export --------------------------------------------------------------------------------


def _id(name: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_") or "unnamed"


@dataclass
class _Writer:
    """The catalog a plan writes, each entry once by id."""

    properties: dict[str, dict[str, Any]] = field(default_factory=dict)
    custom_types: dict[str, dict[str, Any]] = field(default_factory=dict)
    categories: dict[str, dict[str, Any]] = field(default_factory=dict)

    def rule_properties(self, props: Mapping[str, Any], required: Any) -> list[dict[str, Any]]:
        """A rule's property list: the required ones first, in the order written (the model
        keeps that order, not the rule's), then the rest by name."""
        out = []
        wanted = [name for name in required or () if name in props]
        for name in [*wanted, *sorted(set(props) - set(wanted))]:
            schema = props[name]
            prop_id = self.property(name, dict(schema))
            item: dict[str, Any] = {"property": f"#property:{prop_id}", "required": name in (required or ())}
            if schema.get("properties") and "x-custom-type" not in schema:
                item["properties"] = self.rule_properties(schema["properties"], schema.get("required"))
            out.append(item)
        return out

    def property(self, name: str, schema: dict[str, Any]) -> str:
        prop_id = str(schema.pop("x-id", None) or _id(name))
        entry: dict[str, Any] = {"id": prop_id, "name": name}
        if schema.get("description"):
            entry["description"] = schema["description"]
        custom = schema.get("x-custom-type")
        if custom:
            entry["type"] = f"#custom-type:{self.custom_type(dict(custom), schema)}"
        else:
            entry.update(self.type_entry(prop_id, schema))
        taken = self.properties.setdefault(prop_id, entry)
        return prop_id if taken == entry else self._another(prop_id, entry)

    def _another(self, prop_id: str, entry: dict[str, Any]) -> str:
        """A property id that two different definitions share: the later one gets a new id."""
        suffix = 2
        while True:
            candidate = f"{prop_id}_{suffix}"
            wanted = {**entry, "id": candidate}
            if self.properties.setdefault(candidate, wanted) == wanted:
                return candidate
            suffix += 1

    def custom_type(self, meta: dict[str, Any], schema: Mapping[str, Any]) -> str:
        type_id = str(meta["id"])
        self.custom_types.setdefault(type_id, self._custom_entry(type_id, meta, schema))
        return type_id

    def _custom_entry(self, type_id: str, meta: Mapping[str, Any], schema: Mapping[str, Any]) -> dict[str, Any]:
        entry: dict[str, Any] = {"id": type_id, **{k: meta[k] for k in ("name", "description") if k in meta}}
        entry.update(self.type_entry(type_id, schema))
        if schema.get("properties"):
            entry["properties"] = self.rule_properties(schema["properties"], schema.get("required"))
        if schema.get("x-variants"):
            entry["variants"] = _variants_back(thaw(schema["x-variants"]), self)
        return entry

    def item_type(self, owner: str, items: Mapping[str, Any]) -> str:
        """The custom type an array's items are: the one they came from, else a new one named
        after the array's own id (`tags` -> `tags_item`, `TagsItem`), numbered when taken."""
        if items.get("x-custom-type"):
            return self.custom_type(dict(items["x-custom-type"]), items)
        base = type_id = f"{owner}_item"
        suffix = 2
        while True:
            meta = {
                "name": _type_name(type_id),
                **({"description": items["description"]} if "description" in items else {}),
            }
            entry = self._custom_entry(type_id, meta, items)
            if self.custom_types.setdefault(type_id, entry) == entry:
                return type_id
            type_id = f"{base}_{suffix}"
            suffix += 1

    def type_entry(self, owner: str, schema: Mapping[str, Any]) -> dict[str, Any]:
        """A property's (or custom type's) `type`/`types`, item types and `config`, as rudder/v1
        writes them. Items that say more than their type are a custom type, as rudder-cli has no
        other place for an item's enum, pattern or bounds."""
        out: dict[str, Any] = {}
        kind = schema.get("type")
        if isinstance(kind, list):
            out["types"] = list(kind)
        elif kind is not None:
            out["type"] = kind
        items = schema.get("items")
        if isinstance(items, Mapping) and set(items) - {"type"}:
            out["item_type"] = f"#custom-type:{self.item_type(owner, items)}"
        elif isinstance(items, Mapping) and "type" in items:
            out["item_types" if isinstance(items["type"], list) else "item_type"] = items["type"]
        config = {_snake(k): thaw(v) for k, v in schema.items() if k not in _OWN_KEYS and not k.startswith("x-")}
        if config:
            out["config"] = config
        return out

    def property_id(self, name: str) -> str:
        """The id of a property written already, by its name."""
        return next((pid for pid, p in self.properties.items() if p["name"] == name), _id(name))

    def category(self, name: str) -> str:
        category_id = _id(name)
        self.categories.setdefault(category_id, {"id": category_id, "name": name})
        return category_id


_OWN_KEYS = {"type", "items", "description", "properties", "required", "x-custom-type", "x-id", "x-variants"}


def _snake(key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", key).lower()


def _type_name(type_id: str) -> str:
    """A custom type name rudder-cli accepts (`^[A-Z][A-Za-z0-9_-]*$`) from an id."""
    name = "".join(word[:1].upper() + word[1:] for word in re.findall(r"[A-Za-z0-9]+", type_id))
    return name if name[:1].isalpha() else f"Type{name}"


def _file(kind: str, name: str, spec: dict[str, Any]) -> bytes:
    return yamlio.dump({"version": VERSION, "kind": kind, "metadata": {"name": name}, "spec": spec}).encode()


def write_folder(plan: Plan, options: WriteOptions) -> dict[str, bytes]:
    name = _id(plan.settings.name)
    writer = _Writer()
    events, rules = [], []
    parts = [(e, e.event_type or "track") for e in plan.events]
    traits = ((plan.identify, "identify"), (plan.group, "group"))
    parts += [(t, kind) for t, kind in traits if t is not None and (t.properties or t.id)]  # not an empty stand-in
    for event, event_type in parts:
        entry, rule = _event_entry(event, event_type, writer)
        events.append(entry)
        rules.append(rule)
    plan_spec = {"id": name, "display_name": plan.settings.name, "rules": rules}
    files = {
        "events.yaml": _file("events", name, {"events": events}),
        "properties.yaml": _file("properties", name, {"properties": list(writer.properties.values())}),
        "tracking-plan.yaml": _file("tracking-plan", name, plan_spec),
    }
    if writer.custom_types:
        files["custom-types.yaml"] = _file("custom-types", name, {"types": list(writer.custom_types.values())})
    if writer.categories:
        files["categories.yaml"] = _file("categories", name, {"categories": list(writer.categories.values())})
    return files


def _event_entry(event: Event, event_type: str, writer: _Writer) -> tuple[dict[str, Any], dict[str, Any]]:
    event_id = event.id or _id(event.name)
    entry: dict[str, Any] = {"id": event_id}
    if event_type == "track" or (event.name != event_id and event_type not in ("identify", "group")):
        entry["name"] = event.name
    entry["event_type"] = event_type
    if event.description:
        entry["description"] = event.description
    if event.categories:
        entry["category"] = f"#category:{writer.category(event.categories[0])}"
    schema = event.to_json()
    rule: dict[str, Any] = {"type": "event_rule", "id": f"{event_id}_rule", "event": f"#event:{event_id}"}
    if event.additional_properties is not None:
        rule["additional_properties"] = bool(event.additional_properties)
    props = {p.name: p.to_json() for p in event.properties}
    if props:
        rule["properties"] = writer.rule_properties(props, schema.get("required"))
    if "x-variants" in event.extra:
        rule["variants"] = _variants_back(thaw(event.extra["x-variants"]), writer)
    return entry, rule


def _variants_back(variants: list[dict[str, Any]], writer: _Writer) -> list[dict[str, Any]]:
    out = []
    for variant in variants:
        cases = [
            {
                **{k: v for k, v in case.items() if k not in ("properties", "required")},
                "properties": writer.rule_properties(case["properties"], case["required"]),
            }
            for case in variant["cases"]
        ]
        entry = {
            **variant,
            "discriminator": f"#property:{writer.property_id(variant['discriminator'])}",
            "cases": cases,
        }
        if "default" in variant:
            entry["default"] = writer.rule_properties(variant["default"]["properties"], variant["default"]["required"])
        out.append(entry)
    return out


def write(plan: Plan, options: WriteOptions) -> bytes:
    """The folder's files as one YAML stream, each file a document."""
    return b"---\n".join(data for _, data in sorted(write_folder(plan, options).items()))

"""Schema comparison: two JSON Schemas (an event's, a trait's, a property's) -> change records.

Schemas are compared keyword by keyword (type, composition, enum, pattern, const, format,
bounds, additionalProperties) and recursively through `properties` and `items`, so the same
code classifies whole events and arbitrary JSON Schema pairs. Local `$ref`s (`#/$defs/...`,
`#/definitions/...`) are resolved first: a change to a shared definition is a change of
every property using it, and a property pointed at another definition changes as its
schema does. Set-like lists compare as sets;
a property that keeps its x-id under a new name is one rename record. Each finding fires a
rule of `rules.py` at a `Place`, with the rule's severity under the chosen profile.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from trackplan.diffing.profiles import SEVERITIES
from trackplan.diffing.records import Change, plain_value
from trackplan.diffing.rules import RULES
from trackplan.model.frozen import sort_key, thaw

LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
# keyword, rule when it is set or changed, rule when it is removed, its name in messages
PINNED = (
    ("pattern", "TP028", "TP029", "pattern"),
    ("const", "TP030", "TP031", "pinned value"),
    ("format", "TP034", "TP035", "format"),
)
# The JSON type each keyword constrains; the others constrain every type.
KEYWORD_TYPES = {
    **dict.fromkeys(("properties", "patternProperties", "required", "additionalProperties"), "object"),
    **dict.fromkeys(("minProperties", "maxProperties"), "object"),
    **dict.fromkeys(("items", "minItems", "maxItems", "uniqueItems"), "array"),
    **dict.fromkeys(("minLength", "maxLength", "pattern", "format"), "string"),
    **dict.fromkeys(("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf"), "number"),
}
# The longest value of string formats whose values have a fixed longest form.
FORMAT_MAX_LENGTH = {"uuid": 36, "date": 10, "ipv4": 15}
PROPERTY_METADATA = ("description", "x-send-as", "x-name-mapping", "title", "x-tags")


@dataclass(frozen=True)
class Place:
    """Where a change is: the kind of subject, its event and file, and the property path."""

    subject: str = "property"
    event: str | None = None
    path: str | None = None
    prop: str | None = None

    def at(self, name: str) -> Place:
        """The place of `name` (a property, `[]` or `[i]`) inside this one."""
        return replace(self, prop=join_path(self.prop, name))

    @property
    def label(self) -> str:
        """The place as messages name it: `Checkout Completed.items[].sku`, `identify.email`,
        `Checkout Completed`; in a bare schema, the property path alone."""
        owner = self.event or (None if self.subject == "property" else self.subject)
        if owner is None:
            return self.prop or "schema"
        return owner if self.prop is None else join_path(owner, self.prop)


@dataclass
class SchemaDiffer:
    """Compares schemas under a profile, with per-rule severity overrides from trackplan.yaml."""

    profile: str = "validation"
    overrides: Mapping[str, str] = field(default_factory=dict)

    def fire(self, rule: str, message: str, place: Place, op: str = "update", **detail: Any) -> Change:
        """The record of `rule` firing at `place`; `detail` holds field, before and after.
        An override that is not a known severity falls back to the profile's."""
        severity = self.overrides.get(rule)
        if severity not in SEVERITIES:
            severity = RULES[rule].severity(self.profile)
        return Change(
            op, place.subject, rule, severity, message, event=place.event, prop=place.prop, path=place.path, **detail
        )

    def schema(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> list[Change]:
        """Changes between two schemas, each with its local `$ref`s resolved; messages name the
        place by its label."""
        if old == new:
            return []
        return self._compare(resolve_local_refs(old), resolve_local_refs(new), place)

    def _compare(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> list[Change]:
        """Changes between two subschemas."""
        if old == new:
            return []
        old, new = _single_branch(old), _single_branch(new)
        if not _has_branches(new):
            old = _branch_hull(old)
        old, new = _relevant(old, old), _relevant(new, old)
        keywords = (
            self._type,
            self._composition,
            self._enum,
            self._pinned,
            self._bounds,
            self._closure,
            self._properties,
            self._pattern_properties,
            self._items,
        )
        return [change for compare in keywords for change in compare(old, new, place)]

    def _type(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        old_types, new_types = _types(old), _types(new)
        if old_types == new_types:
            return
        rule, verb = ("TP020", "narrowed") if _narrowed(old_types, new_types) else ("TP021", "widened")
        before, after = _fmt(old_types), _fmt(new_types)
        message = f"{place.label}: type {verb} from {before} to {after}"
        yield self.fire(rule, message, place, field="type", before=before, after=after)

    def _composition(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        if _narrowed(_types(old), _types(new)):  # the type change says it already
            return
        for keyword in ("anyOf", "oneOf", "allOf"):
            a, b = old.get(keyword), new.get(keyword)
            if a is not None and b is not None:
                if sorted(map(sort_key, a)) != sorted(map(sort_key, b)):
                    yield self.fire(
                        "TP038", f"{place.label}: {keyword} branches changed", place, field=keyword, before=a, after=b
                    )
            elif keyword == "allOf" and (a is None) != (b is None):
                message = f"{place.label}: {keyword} {'added' if b else 'removed'}"
                yield self.fire("TP038", message, place, field=keyword, before=a, after=b)

    def _enum(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        a, b = old.get("enum"), new.get("enum")
        if a == b:
            return
        if a is None:
            yield self.fire("TP024", f"{place.label}: now limited to {shown(b)}", place, field="enum", after=b)
        elif b is None:
            yield self.fire(
                "TP025", f"{place.label}: the list of allowed values was lifted", place, field="enum", before=a
            )
        else:
            for value in [v for v in a if v not in b]:
                yield self.fire(
                    "TP022", f"{place.label}: enum value {shown(value)} removed", place, field="enum", before=value
                )
            for value in [v for v in b if v not in a]:
                yield self.fire(
                    "TP023", f"{place.label}: enum value {shown(value)} added", place, field="enum", after=value
                )

    def _pinned(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        """pattern, const and format: set or changed tightens, removed loosens."""
        types_changed = _types(old) != _types(new)
        for keyword, tightened, removed, noun in PINNED:
            a, b = old.get(keyword), new.get(keyword)
            if a == b or (keyword == "const" and types_changed and b is None):
                continue  # a const that gives way to a type: the type change says it
            if b is None:
                yield self.fire(removed, f"{place.label}: {noun} {shown(a)} removed", place, field=keyword, before=a)
            else:
                message = f"{place.label}: {noun} {'set to' if a is None else 'changed to'} {shown(b)}"
                yield self.fire(tightened, message, place, field=keyword, before=a, after=b)

    def _bounds(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        for keyword in LOWER_BOUNDS + UPPER_BOUNDS:
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            tighter = b is not None and (a is None or (b > a if keyword in LOWER_BOUNDS else b < a))
            message = f"{place.label}: {keyword} {_bound_change(a, b)}"
            if tighter and _meets(old, keyword, b):
                tighter, message = False, f"{message} (every value allowed before meets it)"
            yield self.fire("TP032" if tighter else "TP033", message, place, field=keyword, before=a, after=b)

    def _closure(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        a, b = old.get("additionalProperties"), new.get("additionalProperties")
        if (a is False) != (b is False):
            rule, verb = ("TP036", "closed") if b is False else ("TP037", "opened")
            message = f"{place.label}: additionalProperties {verb}"
            yield self.fire(rule, message, place, field="additionalProperties", before=a, after=b)

    def _pattern_properties(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        """The schemas of `patternProperties` both sides have, each compared as a property."""
        before, after = old.get("patternProperties") or {}, new.get("patternProperties") or {}
        for pattern in sorted(before.keys() & after.keys()):
            a, b = before[pattern], after[pattern]
            if isinstance(a, Mapping) and isinstance(b, Mapping):
                yield from self._compare(a, b, place.at(f"{{{pattern}}}"))

    def _items(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            yield from self._compare(old_items, new_items, place.at("[]"))
        elif isinstance(old_items, tuple | list) and isinstance(new_items, tuple | list):
            for i, (a, b) in enumerate(zip(old_items, new_items, strict=False)):
                if isinstance(a, Mapping) and isinstance(b, Mapping):
                    yield from self._compare(a, b, place.at(f"[{i}]"))

    def _properties(self, old: Mapping[str, Any], new: Mapping[str, Any], place: Place) -> Iterator[Change]:
        sides = _Properties.of(old, new)
        if sides.old == sides.new and sides.old_required == sides.new_required:
            return
        closed = new.get("additionalProperties") is False
        # Top-level properties are added and removed; nested ones update their parent.
        adds, removes = ("add", "remove") if place.prop is None else ("update", "update")
        for name in sides.old:
            if name in sides.renamed:
                after = sides.renamed[name]
                message = f"{place.at(name).label}: property renamed to `{after}`"
                yield self.fire("TP014", message, place.at(name), field="name", before=name, after=after)
            elif name not in sides.new:
                rule = "TP013" if closed else "TP012"
                message = f"{place.at(name).label}: property removed"
                yield self.fire(rule, message, place.at(name), op=removes, before=thaw(sides.old[name]))
        for name in sides.new:
            if sides.previous(name) is None:
                required = name in sides.new_required
                rule, kind = ("TP011", "required") if required else ("TP010", "optional")
                message = f"{place.at(name).label}: {kind} property added"
                yield self.fire(rule, message, place.at(name), op=adds, after=thaw(sides.new[name]))
            else:
                yield from self._property(sides, name, place.at(name))
        yield from self._presence_of_undefined(sides, place)

    def _property(self, sides: _Properties, name: str, place: Place) -> Iterator[Change]:
        """A property on both sides (perhaps renamed): its schema, metadata and presence."""
        previous = sides.previous(name) or name
        old_spec, new_spec = sides.old[previous], sides.new[name]
        if isinstance(old_spec, Mapping) and isinstance(new_spec, Mapping):
            yield from self._compare(_schema_only(old_spec), _schema_only(new_spec), place)
            for key in PROPERTY_METADATA:
                a, b = old_spec.get(key), new_spec.get(key)
                if a != b:
                    before, after = plain_value(a), plain_value(b)
                    yield self.fire(
                        "TP040", f"{place.label}: {key} changed", place, field=key, before=before, after=after
                    )
        was, now = previous in sides.old_required, name in sides.new_required
        if was != now:
            rule, text = ("TP026", "optional -> required") if now else ("TP027", "required -> optional")
            yield self.fire(rule, f"{place.label}: {text}", place, field="required", before=was, after=now)

    def _presence_of_undefined(self, sides: _Properties, place: Place) -> Iterator[Change]:
        """Names in `required` that no side defines as a property."""
        for name in sorted((sides.old_required ^ sides.new_required) - sides.old.keys() - sides.new.keys()):
            now = name in sides.new_required
            rule, text = ("TP026", "now required") if now else ("TP027", "no longer required")
            where = place.at(name)
            yield self.fire(rule, f"{where.label}: {text}", where, field="required", before=not now, after=now)


@dataclass(frozen=True)
class _Properties:
    """The `properties` and `required` of two schemas, and the renames between them."""

    old: Mapping[str, Any]
    new: Mapping[str, Any]
    old_required: frozenset[str]
    new_required: frozenset[str]
    renamed: Mapping[str, str]  # old name -> new name, for properties that kept their x-id

    @classmethod
    def of(cls, old: Mapping[str, Any], new: Mapping[str, Any]) -> _Properties:
        before, after = old.get("properties") or {}, new.get("properties") or {}
        by_id = {s.get("x-id"): n for n, s in before.items() if isinstance(s, Mapping) and s.get("x-id")}
        renamed = {
            by_id[spec["x-id"]]: name
            for name, spec in after.items()
            if name not in before
            and isinstance(spec, Mapping)
            and spec.get("x-id") in by_id
            and by_id[spec["x-id"]] not in after
        }
        old_required, new_required = frozenset(old.get("required") or ()), frozenset(new.get("required") or ())
        return cls(before, after, old_required, new_required, renamed)

    def previous(self, name: str) -> str | None:
        """The old name of a property on the new side (None: it is new)."""
        if name in self.old:
            return name
        return next((old for old, new in self.renamed.items() if new == name), None)


DEFINITIONS = ("$defs", "definitions")
MAX_RESOLVED = 100_000  # schema nodes a resolution may write: refs that multiply stay as written


def resolve_local_refs(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """The schema with each `$ref` to a place in itself (`#`, `#/$defs/...`, any JSON pointer)
    replaced by that place's schema, the `$ref`'s sibling keywords over it, and without its
    definitions (resolved, they are where they are used). A ref into itself (a recursive
    schema), to another document, or to nothing stays as written, and so does the whole
    schema when resolving would write more than MAX_RESOLVED nodes. Without a local ref, the
    schema itself."""
    if not _has_local_ref(schema):
        return schema
    budget = [MAX_RESOLVED]

    def walk(node: Any, seen: frozenset[str]) -> Any:
        budget[0] -= 1
        if budget[0] < 0:
            raise _TooLarge
        if isinstance(node, Mapping):
            ref = node.get("$ref")
            target = _pointed(schema, ref) if isinstance(ref, str) and ref not in seen else None
            if isinstance(target, Mapping) and isinstance(ref, str):
                siblings = {k: v for k, v in node.items() if k != "$ref"}
                return walk({**target, **siblings}, seen | {ref})
            return {k: walk(v, seen) for k, v in node.items() if node is not schema or k not in DEFINITIONS}
        if isinstance(node, tuple | list):
            return [walk(item, seen) for item in node]
        return node

    try:
        resolved: Mapping[str, Any] = walk(schema, frozenset())
    except _TooLarge:
        return schema
    return resolved


class _TooLarge(Exception):
    """A resolution past MAX_RESOLVED nodes."""


def _has_local_ref(node: Any) -> bool:
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, Mapping):
            ref = item.get("$ref")
            if isinstance(ref, str) and (ref == "#" or ref.startswith("#/")):
                return True
            stack.extend(item.values())
        elif isinstance(item, tuple | list):
            stack.extend(item)
    return False


def _pointed(root: Mapping[str, Any], ref: str) -> Any:
    """What a local ref (a JSON pointer in a URI fragment) points at in `root`; None for
    anything else."""
    if ref != "#" and not ref.startswith("#/"):
        return None
    from urllib.parse import unquote  # loaded only for a schema with refs

    target: Any = root
    for part in ref[2:].split("/") if ref != "#" else ():
        key = unquote(part).replace("~1", "/").replace("~0", "~")
        if isinstance(target, Mapping):
            target = target.get(key)
        elif isinstance(target, tuple | list) and key.isdigit() and int(key) < len(target):
            target = target[int(key)]
        else:
            return None
    return target


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    """The JSON types a schema accepts (None: any), looking through anyOf/oneOf/const/enum."""
    if "type" in schema:
        kind = schema["type"]
        return set(kind) if isinstance(kind, tuple | list) else {str(kind)}
    for keyword in ("anyOf", "oneOf"):
        branches = schema.get(keyword)
        if isinstance(branches, tuple | list):
            found: set[str] = set()
            for branch in branches:
                sub = _types(branch) if isinstance(branch, Mapping) else None
                if sub is None:
                    return None
                found |= sub
            return found
    values = [schema["const"]] if "const" in schema else schema.get("enum")
    if values:
        return {_json_type(v) for v in values}
    return None


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, tuple | list) else "object"


def _narrowed(old: set[str] | None, new: set[str] | None) -> bool:
    """Whether a value of some type `old` accepts is of no type `new` accepts."""
    return old != new and any(not _covers(new, t) or (t == "any" and new is not None) for t in old or {"any"})


def _covers(types: set[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def _has_branches(schema: Mapping[str, Any]) -> bool:
    return any(isinstance(schema.get(keyword), tuple | list) for keyword in ("anyOf", "oneOf"))


def _branch_hull(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """An `anyOf` whose branches differ only in bounds, as one schema with the loosest bound
    of each keyword every branch has (dropped where one lacks it). It accepts all the anyOf
    accepts (perhaps more), so comparing it with a later single schema finds every value lost."""
    branches = schema.get("anyOf")
    if not isinstance(branches, tuple | list) or not all(isinstance(b, Mapping) for b in branches):
        return schema
    bounds = LOWER_BOUNDS + UPPER_BOUNDS
    shapes = [{k: v for k, v in b.items() if k not in bounds} for b in branches]
    rest = {k: v for k, v in schema.items() if k != "anyOf"}
    if any(shape != shapes[0] for shape in shapes) or any(k in rest for b in branches for k in b):
        return schema
    hull = {**rest, **shapes[0]}
    for keyword in bounds:
        values = [b[keyword] for b in branches if keyword in b]
        if len(values) == len(branches):
            hull[keyword] = min(values) if keyword in LOWER_BOUNDS else max(values)
    return hull


def _relevant(schema: Mapping[str, Any], old: Mapping[str, Any]) -> Mapping[str, Any]:
    """`schema` without the keywords that constrain only JSON types `old` does not accept:
    no value valid against `old` is of those types, so changing them breaks none."""
    accepted = _types(old)
    if accepted is None:
        return schema
    if "integer" in accepted:
        accepted = accepted | {"number"}
    kept = {k: v for k, v in schema.items() if KEYWORD_TYPES.get(k, "any") in accepted | {"any"}}
    return schema if len(kept) == len(schema) else kept


def _meets(old: Mapping[str, Any], keyword: str, bound: Any) -> bool:
    """Whether every value `old` allows already meets `bound`: old is a list of values (enum,
    const) that all do, or a string format whose values are never longer (maxLength)."""
    if keyword == "maxLength" and bound >= FORMAT_MAX_LENGTH.get(str(old.get("format")), bound + 1):
        return True
    values = [old["const"]] if "const" in old else old.get("enum")
    return isinstance(values, tuple | list) and all(_value_meets(v, keyword, bound) for v in values)


def _value_meets(value: Any, keyword: str, bound: Any) -> bool:
    """Whether one value meets a bound keyword; a keyword that does not apply to its type, it meets."""
    kind = KEYWORD_TYPES[keyword]
    if kind == "number":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return True
        size = value
    elif _json_type(value) == kind:
        size = len(value)
    else:
        return True
    if keyword.startswith("exclusive"):
        return bool(size > bound if keyword == "exclusiveMinimum" else size < bound)
    return bool(size >= bound if keyword in LOWER_BOUNDS else size <= bound)


def _single_branch(schema: Mapping[str, Any]) -> Mapping[str, Any]:
    """`anyOf`/`oneOf`/`allOf` with one branch means that branch: compare it as such."""
    for keyword in ("anyOf", "oneOf", "allOf"):
        branches = schema.get(keyword)
        if isinstance(branches, tuple | list) and len(branches) == 1 and isinstance(branches[0], Mapping):
            merged = {k: v for k, v in schema.items() if k != keyword}
            merged.update(branches[0])
            return _single_branch(merged)
    return schema


def _schema_only(spec: Mapping[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in spec.items() if not k.startswith("x-") and k not in ("description", "title")}


def join_path(base: str | None, name: str) -> str:
    """A property path: `items` + `[]` is `items[]`, `items[]` + `sku` is `items[].sku`."""
    if base is None:
        return name
    return f"{base}{name}" if name.startswith("[") else f"{base}.{name}"


def _bound_change(before: Any, after: Any) -> str:
    if before is None:
        return f"set to {shown(after)}"
    if after is None:
        return f"{shown(before)} removed"
    return f"{shown(before)} -> {shown(after)}"


def _fmt(types: set[str] | None) -> str:
    return "any" if types is None else " | ".join(sorted(types))


def shown(value: Any) -> str:
    """A value as messages show it: JSON in backticks, cut at 60 characters."""
    text = json.dumps(plain_value(value), ensure_ascii=False)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"

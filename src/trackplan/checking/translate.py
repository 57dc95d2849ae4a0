"""JSON Schema to msgspec types that accept no value the schema refuses.

`properties_type` turns an event's schema into a msgspec Struct for its properties, or None
when the schema uses anything outside the subset below; a payload that decodes into the
Struct is valid. The subset, each rule exact or stricter than JSON Schema 2020-12:

- `type` (one or a list), with the keywords of each type applied to that type only;
- `required`, `properties`, `additionalProperties: false` (unknown fields refused), nested objects;
- `enum` and `const` as a Literal of their string, integer and null values, each kept only when
  jsonschema-rs accepts it against the whole subschema; other values are left out (stricter);
- `minLength`/`maxLength` (code points, as both count), `minItems`/`maxItems`, `items`;
- `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum` on numbers no larger than 2**53,
  where a float and an integer compare exactly; integers are then held to +-2**53, and to
  +-2**63 without bounds (orjson reads larger ones as floats);
- `pattern` and `format` on a property's own string, or on the strings of its array: decoded
  as `str`, then judged by jsonschema-rs itself on that string (`StringCheck`), so no regular
  expression or format is ever translated.

Booleans are never integers or numbers, a float is never an integer (JSON Schema's 1.0 is:
such payloads take the full path). Any other keyword, `$ref` included, refuses the schema.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Annotated, Any, Literal, Union

import msgspec

DRAFT = "https://json-schema.org/draft/2020-12/schema"
ANNOTATIONS = frozenset(
    {"description", "title", "examples", "default", "$comment", "deprecated", "readOnly", "writeOnly"}
)
STRING_CHECKED = ("pattern", "format")  # judged by jsonschema-rs on the decoded string
KEYWORDS = frozenset(
    {
        "type",
        "enum",
        "const",
        "minLength",
        "maxLength",
        "pattern",
        "format",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minItems",
        "maxItems",
        "items",
        "properties",
        "required",
        "additionalProperties",
    }
)
TOP = frozenset({"type", "properties", "required", "additionalProperties"})  # an event's own keywords
TYPES = ("string", "integer", "number", "boolean", "null", "array", "object")
EXACT = 2**53  # every integer up to this is a float too
INT64 = 2**63
Validate = Callable[[Any], bool]
Compile = Callable[[dict[str, Any]], Validate]  # a subschema to jsonschema-rs's is_valid


class Refused(Exception):
    """The schema uses something the translation does not carry exactly."""


@dataclass(frozen=True, slots=True)
class StringCheck:
    """A property whose strings jsonschema-rs judges (its `pattern` or `format`)."""

    attribute: str
    is_valid: Validate
    each: bool  # the property is an array: judge each of its strings


@dataclass(slots=True)
class Translation:
    struct: type[msgspec.Struct]
    attributes: dict[str, str]  # property name -> the Struct's attribute
    checks: tuple[StringCheck, ...] = ()


@dataclass(slots=True)
class _Context:
    compile: Compile
    formats: bool  # `format` asserted; else an annotation
    checks: list[StringCheck] = field(default_factory=list)
    structs: int = 0


def properties_type(schema: Any, compile: Compile, *, formats: bool) -> Translation | None:
    """The Struct for the properties of an event whose schema is `schema`; None when it is
    outside the subset. `compile` gives jsonschema-rs's is_valid for a subschema, compiled
    as the event's own validator is."""
    context = _Context(compile, formats)
    try:
        if not isinstance(schema, dict):
            raise Refused("not an object schema")
        types = _types(schema)
        if types is not None and "object" not in types:
            raise Refused("not an object")
        if any(k not in TOP and k not in ANNOTATIONS and not k.startswith("x-") for k in schema):
            raise Refused("a keyword beside the object's")
        struct, attributes = _struct(schema, context, top=True)
    except Refused:
        return None
    return Translation(struct, attributes, tuple(context.checks))


def _known_keys(schema: dict[str, Any], context: _Context) -> None:
    for key in schema:
        if key in KEYWORDS or key in ANNOTATIONS or key.startswith("x-"):
            continue
        raise Refused(key)


def _types(schema: dict[str, Any]) -> tuple[str, ...] | None:
    if "type" not in schema:
        return None
    kinds = schema["type"]
    kinds = (kinds,) if isinstance(kinds, str) else kinds
    if not isinstance(kinds, list | tuple) or not kinds or any(k not in TYPES for k in kinds):
        raise Refused("type")
    return tuple(kinds)


def _value(schema: Any, context: _Context, attribute: str | None) -> Any:
    """The msgspec type for one value; `attribute` is the top-level property it belongs to
    (None deeper down, where `pattern` and `format` are refused)."""
    if schema is True:
        return Any
    if schema is False:
        return msgspec.UnsetType  # decodes no JSON value
    if not isinstance(schema, dict):
        raise Refused("schema")
    _known_keys(schema, context)
    if "enum" in schema or "const" in schema:
        return _literal(schema, context)
    types = _types(schema)
    if types is None:
        if set(schema) - ANNOTATIONS - {k for k in schema if k.startswith("x-")}:
            raise Refused("keywords without a type")
        return Any
    members: list[Any] = []
    for kind in dict.fromkeys(types):
        members.extend(_members(kind, schema, context, attribute, types))
    if not members:
        return msgspec.UnsetType
    return members[0] if len(members) == 1 else Union[tuple(members)]  # noqa: UP007


def _members(
    kind: str, schema: dict[str, Any], context: _Context, attribute: str | None, types: tuple[str, ...]
) -> list[Any]:
    if kind == "string":
        return [_string(schema, context, attribute, each=False)]
    if kind == "integer":
        return [] if "number" in types else _integers(schema)
    if kind == "number":
        integers = _integers(schema)
        if not integers:  # msgspec would read an integer as a float, rounded
            raise Refused("bounds no integer meets")
        return [*integers, *_floats(schema)]
    if kind == "boolean":
        return [bool]
    if kind == "null":
        return [None]
    if kind == "array":
        return [_array(schema, context, attribute)]
    struct, _ = _struct(schema, context, top=False)
    return [struct]


def _count(schema: dict[str, Any], key: str) -> int | None:
    value = schema.get(key)
    if value is None:
        return None
    if type(value) is not int or value < 0:
        raise Refused(key)
    return value


def _string(schema: dict[str, Any], context: _Context, attribute: str | None, *, each: bool) -> Any:
    """`str` within its lengths; a `pattern` or `format` makes a StringCheck of the property
    (`each`: of the strings of the property's array)."""
    meta: dict[str, Any] = {
        k: v
        for k, v in (("min_length", _count(schema, "minLength")), ("max_length", _count(schema, "maxLength")))
        if v is not None
    }
    checked = [k for k in STRING_CHECKED if k in schema and (k != "format" or context.formats)]
    if checked:
        if attribute is None:
            raise Refused("pattern or format below a property")
        sub: dict[str, Any] = {k: schema[k] for k in ("pattern", "format", "minLength", "maxLength") if k in schema}
        context.checks.append(StringCheck(attribute, _compiled(context, {"type": "string", **sub}), each))
    return Annotated[str, msgspec.Meta(**meta)] if meta else str


def _compiled(context: _Context, schema: dict[str, Any]) -> Validate:
    try:
        return context.compile(schema)
    except (ValueError, TypeError, OverflowError) as exc:
        raise Refused("does not compile") from exc


def _bound(schema: dict[str, Any], key: str) -> float | int | None:
    value: float | int | None = schema.get(key)
    if value is None:
        return None
    if type(value) not in (int, float) or not math.isfinite(value) or abs(value) > EXACT:
        raise Refused(key)
    return value


def _integers(schema: dict[str, Any]) -> list[Any]:
    """`int` within the schema's bounds (made integers exactly), and within +-2**53 when it
    has any (+-2**63 without)."""
    low, high = _bound(schema, "minimum"), _bound(schema, "maximum")
    above, below = _bound(schema, "exclusiveMinimum"), _bound(schema, "exclusiveMaximum")
    bounded = any(b is not None for b in (low, high, above, below))
    ge, le = (-EXACT, EXACT) if bounded else (-INT64, INT64 - 1)
    if low is not None:
        ge = max(ge, math.ceil(low))
    if above is not None:
        ge = max(ge, math.floor(above) + 1)
    if high is not None:
        le = min(le, math.floor(high))
    if below is not None:
        le = min(le, math.ceil(below) - 1)
    return [Annotated[int, msgspec.Meta(ge=ge, le=le)]] if ge <= le else []


def _floats(schema: dict[str, Any]) -> list[Any]:
    names = (("ge", "minimum"), ("le", "maximum"), ("gt", "exclusiveMinimum"), ("lt", "exclusiveMaximum"))
    meta: dict[str, Any] = {name: float(b) for name, key in names if (b := _bound(schema, key)) is not None}
    try:
        return [Annotated[float, msgspec.Meta(**meta)] if meta else float]
    except ValueError as exc:  # bounds no float meets
        raise Refused("bounds") from exc


def _array(schema: dict[str, Any], context: _Context, attribute: str | None) -> Any:
    items = schema.get("items", True)
    if isinstance(items, dict) and any(k in items for k in STRING_CHECKED):
        item = _string_items(items, context, attribute)
    else:
        item = _value(items, context, None)
    meta: dict[str, Any] = {
        k: v
        for k, v in (("min_length", _count(schema, "minItems")), ("max_length", _count(schema, "maxItems")))
        if v is not None
    }
    return Annotated[list[item], msgspec.Meta(**meta)] if meta else list[item]  # type: ignore[valid-type]


def _string_items(items: dict[str, Any], context: _Context, attribute: str | None) -> Any:
    """The items of a top-level array whose strings are judged one by one: only a plain
    `string` item is carried."""
    _known_keys(items, context)
    if attribute is None or items.get("type") != "string" or "enum" in items or "const" in items:
        raise Refused("checked array items")
    return _string(items, context, attribute, each=True)


def _literal(schema: dict[str, Any], context: _Context) -> Any:
    """The enum's (or const's) string, integer and null values that jsonschema-rs accepts
    against the whole subschema: other values are left out, so no more is accepted."""
    values = [schema["const"]] if "const" in schema else schema["enum"]
    if not isinstance(values, list):
        raise Refused("enum")
    is_valid = _compiled(context, schema)
    kept = [
        v for v in values if (v is None or type(v) is str or (type(v) is int and -INT64 <= v < INT64)) and is_valid(v)
    ]
    if not kept:
        return msgspec.UnsetType
    return Literal[tuple(dict.fromkeys(kept))]


def _struct(schema: dict[str, Any], context: _Context, *, top: bool) -> tuple[Any, dict[str, str]]:
    """A Struct for an object schema (a dict of any values when it names no property); the
    attributes are p0, p1, ... renamed to the property names, which need not be identifiers."""
    properties = schema.get("properties", {})
    required = schema.get("required", [])
    extra = schema.get("additionalProperties", True)
    if not isinstance(properties, dict) or not isinstance(required, list) or extra not in (True, False):
        raise Refused("object keywords")
    if any(type(name) is not str for name in required):
        raise Refused("required")
    if not top and not properties and not required and extra is True:
        return dict[str, Any], {}
    names = list(dict.fromkeys([*properties, *required]))
    attributes = {name: f"p{i}" for i, name in enumerate(names)}
    fields: list[tuple[str, Any] | tuple[str, Any, Any]] = []
    for name in names:
        kind = _value(properties.get(name, True), context, attributes[name] if top else None)
        fields.append((attributes[name], kind) if name in required else (attributes[name], kind, msgspec.UNSET))
    fields.sort(key=len)  # required fields first, as a Struct wants them
    context.structs += 1
    try:
        struct = msgspec.defstruct(
            f"Properties{context.structs}",
            fields,
            rename={a: n for n, a in attributes.items()},
            forbid_unknown_fields=extra is False,
            gc=False,
        )
    except (ValueError, TypeError) as exc:  # a name msgspec cannot match (a quote, a control character)
        raise Refused("property names") from exc
    return struct, attributes

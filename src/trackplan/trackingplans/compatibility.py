"""Whether an event specification's narrowing schema accepts only payloads that its event's
schema accepts, decided offline, with Snowplow's three answers:

- `incompatible`: a payload the narrowing accepts and the event's schema refuses was found
  (it is shown, so the answer can be checked by hand);
- `compatible`: a proof, keyword by keyword, that the narrowing is at least as strict as the
  event's schema on every keyword the event uses;
- `undecidable`: neither, e.g. a keyword the proof does not compare (`anyOf`, `$ref`, ...)
  or a pattern the narrowing does not repeat.

A narrowing is a whole JSON Schema, read on its own: it names the type and the properties
it keeps, as the event's schema does.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from trackplan.formats.base import plain_schema
from trackplan.model import Event
from trackplan.model.frozen import thaw
from trackplan.model.tracking_plans import TrackingPlan

COMPATIBLE = "compatible"
UNDECIDABLE = "undecidable"
INCOMPATIBLE = "incompatible"

ANNOTATIONS = frozenset(
    {
        "$schema",
        "$id",
        "$comment",
        "$defs",
        "definitions",
        "title",
        "description",
        "examples",
        "default",
        "deprecated",
        "readOnly",
        "writeOnly",
    }
)
COMPARED = frozenset(
    {
        "type",
        "enum",
        "const",
        "properties",
        "required",
        "additionalProperties",
        "items",
        "minimum",
        "maximum",
        "exclusiveMinimum",
        "exclusiveMaximum",
        "minLength",
        "maxLength",
        "minItems",
        "maxItems",
        "uniqueItems",
        "pattern",
        "format",
    }
)
TYPES = ("null", "boolean", "integer", "number", "string", "array", "object")
ANY_VALUES: tuple[Any, ...] = (None, True, 0, 1.5, "", "x", [], {})
"""One value of each kind: what a schema that says nothing of a value may meet."""
LOWER = (("minimum", "exclusiveMinimum"), ("minLength", None), ("minItems", None))
UPPER = (("maximum", "exclusiveMaximum"), ("maxLength", None), ("maxItems", None))
FORMAT_SAMPLES = {
    "date-time": "2024-01-01T00:00:00Z",
    "date": "2024-01-01",
    "email": "someone@example.com",
    "uri": "https://example.com/",
    "uuid": "00000000-0000-4000-8000-000000000000",
}
MAX_DEPTH = 4
MAX_CANDIDATES = 2000


@dataclass(frozen=True)
class Verdict:
    result: str  # compatible | undecidable | incompatible
    reason: str
    payload: Any = None  # for incompatible: a payload the narrowing accepts and the event refuses

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"result": self.result, "reason": self.reason}
        if self.result == INCOMPATIBLE:
            doc["payload"] = self.payload
        return doc


def compatibility(narrowing: Mapping[str, Any], event_schema: Mapping[str, Any]) -> Verdict:
    """Whether every payload `narrowing` accepts, `event_schema` accepts."""
    try:
        narrow, event = _validator(narrowing), _validator(event_schema)
    except ValueError as exc:
        return Verdict(UNDECIDABLE, f"a schema cannot be compiled: {exc}")
    for payload in _limited(_candidates(narrowing, event_schema, 0)):
        if narrow.is_valid(payload) and not event.is_valid(payload):
            shown = json.dumps(payload, sort_keys=True)
            return Verdict(INCOMPATIBLE, f"the narrowing accepts {shown}, which the event's schema refuses", payload)
    gap = _gap(event_schema, narrowing, "")
    if gap is None:
        return Verdict(COMPATIBLE, "every payload the narrowing accepts, the event's schema accepts")
    return Verdict(UNDECIDABLE, gap)


def narrowing_verdicts(plan: TrackingPlan, event_of: Callable[[str], Event | None]) -> dict[UUID, Verdict]:
    """{specification id: verdict} for each specification of `plan` that narrows an event the
    plan has (`event_of`: a specification's `event` -> the event, or None)."""
    verdicts = {}
    for spec in plan.event_specifications:
        event = event_of(spec.event) if spec.schema is not None else None
        if spec.schema is not None and event is not None:
            verdicts[spec.id] = compatibility(thaw(spec.schema), plain_schema(event))
    return verdicts


def _validator(schema: Any) -> Any:
    """A compiled validator of a schema (a mapping or a boolean), compiled once per schema text."""
    return _compiled(json.dumps(schema, sort_keys=True, default=str))


@functools.lru_cache(maxsize=256)
def _compiled(schema_text: str) -> Any:
    import jsonschema_rs

    try:
        return jsonschema_rs.validator_for(json.loads(schema_text))
    except (jsonschema_rs.ValidationError, jsonschema_rs.ReferencingError) as exc:
        raise ValueError(str(exc).splitlines()[0]) from None


def _limited(values: Iterator[Any]) -> Iterator[Any]:
    for count, value in enumerate(values):
        if count >= MAX_CANDIDATES:
            return
        yield value


# -- the proof ------------------------------------------------------------------------------


def _constraints(schema: Any) -> set[str]:
    if not isinstance(schema, Mapping):
        return set()
    return {k for k in schema if k not in ANNOTATIONS and not k.startswith("x-")}


def _label(where: str) -> str:
    return where or "the payload"


def _gap(outer: Any, inner: Any, where: str) -> str | None:
    """None when every value `inner` accepts, `outer` accepts (schemas or booleans); else
    why that was not shown."""
    if outer is True or (isinstance(outer, Mapping) and not _constraints(outer)) or inner is False:
        return None
    if outer is False:
        return f"{_label(where)}: the event's schema accepts no value here"
    if inner is True:
        inner = {}
    unknown = (_constraints(outer) | _constraints(inner)) - COMPARED
    if unknown:
        return f"{_label(where)}: {', '.join(sorted(unknown))} not compared"
    if "const" in inner or "enum" in inner:
        values = [inner["const"]] if "const" in inner else list(inner["enum"])
        if all(_valid(outer, value) for value in values):
            return None
        return f"{_label(where)}: some of the narrowing's values are refused by the event's schema"
    return _type_gap(outer, inner, where) or _keyword_gaps(outer, inner, where)


def _valid(schema: Any, value: Any) -> bool:
    try:
        return bool(_validator(schema).is_valid(value))
    except ValueError:
        return False


def _types(schema: Mapping[str, Any]) -> set[str] | None:
    declared = schema.get("type")
    if declared is None:
        return None
    return {declared} if isinstance(declared, str) else set(declared)


def _type_gap(outer: Mapping[str, Any], inner: Mapping[str, Any], where: str) -> str | None:
    outer_types, inner_types = _types(outer), _types(inner)
    if outer_types is None:
        return None
    if inner_types is None:
        return f"{_label(where)}: the narrowing allows any type, the event's schema {', '.join(sorted(outer_types))}"
    for kind in sorted(inner_types):
        if kind not in outer_types and not (kind == "integer" and "number" in outer_types):
            return f"{_label(where)}: the narrowing allows {kind}, the event's schema does not"
    return None


def _keyword_gaps(outer: Mapping[str, Any], inner: Mapping[str, Any], where: str) -> str | None:
    kinds = _types(inner) or set(TYPES)
    if "enum" in outer or "const" in outer:
        return f"{_label(where)}: the event's schema lists its values, the narrowing does not"
    for keyword in ("pattern", "format"):
        if keyword in outer and inner.get(keyword) != outer[keyword]:
            return f"{_label(where)}: the narrowing does not repeat the event's {keyword} {outer[keyword]!r}"
    if outer.get("uniqueItems") and not inner.get("uniqueItems") and "array" in kinds:
        return f"{_label(where)}: the event's schema requires unique items, the narrowing does not"
    bounds = _bound_gap(outer, inner, where)
    if bounds is not None:
        return bounds
    if "array" in kinds:
        found = _gap(outer.get("items", True), inner.get("items", True), f"{where}[]")
        if found is not None:
            return found
    return _object_gap(outer, inner, where) if "object" in kinds else None


def _bound_gap(outer: Mapping[str, Any], inner: Mapping[str, Any], where: str) -> str | None:
    """The narrowing's bounds are within the event's: a lower bound at least as high, an upper
    bound at least as low (an exclusive bound counts as its value)."""
    for pairs, tighter in ((LOWER, max), (UPPER, min)):
        for inclusive, exclusive in pairs:
            keys = [k for k in (inclusive, exclusive) if k]
            wanted = [outer[k] for k in keys if isinstance(outer.get(k), int | float)]
            if not wanted:
                continue
            have = [inner[k] for k in keys if isinstance(inner.get(k), int | float)]
            need, got = tighter(wanted), tighter(have) if have else None
            strict_needed = exclusive is not None and outer.get(exclusive) == need
            strict_given = exclusive is not None and inner.get(exclusive) == got
            if got is None or tighter(got, need) != got or (got == need and strict_needed and not strict_given):
                return f"{_label(where)}: the narrowing's {keys[0]} is not within the event's ({need})"
    return None


def _object_gap(outer: Mapping[str, Any], inner: Mapping[str, Any], where: str) -> str | None:
    missing = sorted(set(outer.get("required", ())) - set(inner.get("required", ())))
    if missing:
        return f"{_label(where)}: the event requires {', '.join(missing)}, the narrowing does not"
    outer_props, inner_props = outer.get("properties", {}), inner.get("properties", {})
    for name in sorted(set(outer_props) | set(inner_props)):
        found = _gap(_member(outer, name), _member(inner, name), f"{where}.{name}" if where else name)
        if found is not None:
            return found
    return _gap(outer.get("additionalProperties", True), inner.get("additionalProperties", True), f"{where}.*")


def _member(schema: Mapping[str, Any], name: str) -> Any:
    """The schema a property `name` meets in an object schema: its own, or additionalProperties'."""
    properties = schema.get("properties", {})
    return properties[name] if name in properties else schema.get("additionalProperties", True)


# -- the search for a counterexample ------------------------------------------------------


def _candidates(inner: Any, outer: Any, depth: int) -> Iterator[Any]:
    """Values `inner` may accept, chosen to meet what `outer` says (its properties, its
    bounds): each is checked against both schemas by the caller."""
    if inner is False:
        return
    schema = inner if isinstance(inner, Mapping) else {}
    if "const" in schema:
        yield schema["const"]
        return
    if "enum" in schema:
        yield from schema["enum"]
        return
    other = outer if isinstance(outer, Mapping) else {}
    yield from ANY_VALUES if _types(schema) is None else ()
    for kind in sorted(_types(schema) or ()):
        yield from _typed(kind, schema, other, depth)


def _typed(kind: str, schema: Mapping[str, Any], other: Mapping[str, Any], depth: int) -> Iterator[Any]:
    if kind == "null":
        yield None
    elif kind == "boolean":
        yield from (True, False)
    elif kind in ("integer", "number"):
        yield from _numbers(schema, other, kind == "integer")
    elif kind == "string":
        yield from _strings(schema, other)
    elif kind == "array":
        yield []
        if depth < MAX_DEPTH:
            for item in _first(_candidates(schema.get("items", True), other.get("items", True), depth + 1), 6):
                yield [item]
    elif kind == "object":
        yield from _objects(schema, other, depth)


def _numbers(schema: Mapping[str, Any], other: Mapping[str, Any], whole: bool) -> Iterator[Any]:
    bounds = [
        value
        for source in (schema, other)
        for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
        if isinstance(value := source.get(key), int | float) and not isinstance(value, bool)
    ]
    steps = (-1, 0, 1) if whole else (-1, -0.5, 0, 0.5, 1)
    seen = [*(b + step for b in bounds for step in steps), 0, 1, -1, 10**9, -(10**9)]
    for value in dict.fromkeys(seen):
        if whole and (isinstance(value, float) and not value.is_integer()):
            continue
        yield int(value) if whole else value
    if not whole:
        yield 0.5


def _strings(schema: Mapping[str, Any], other: Mapping[str, Any]) -> Iterator[str]:
    lengths = {0, 1, 3}
    for source in (schema, other):
        for key in ("minLength", "maxLength"):
            if isinstance(source.get(key), int):
                lengths |= {max(source[key] + step, 0) for step in (-1, 0, 1)}
    yield from ("a" * n for n in sorted(lengths))
    for source in (schema, other):
        if source.get("format") in FORMAT_SAMPLES:
            yield FORMAT_SAMPLES[source["format"]]
    for value in other.get("enum", ()) if isinstance(other.get("enum"), Sequence) else ():
        if isinstance(value, str):
            yield value
    for source in (schema, other):
        sample = pattern_sample(source["pattern"]) if isinstance(source.get("pattern"), str) else None
        if sample is not None:
            yield sample


_PATTERN_PART = re.compile(
    r"\\(?P<escape>.)|\[(?P<negate>\^?)(?P<first>\\?.)[^\]]*\]|(?P<literal>[^\\\[\](){}|^$*+?.])|(?P<any>\.)"
)
_QUANTIFIER = re.compile(r"\{(?P<least>\d+)(?:,\d*)?\}|(?P<plus>\+)|(?P<optional>[*?])")
_CLASS_SAMPLES = {"d": "0", "w": "a", "s": " "}


def pattern_sample(pattern: str) -> str | None:
    """A string a simple pattern matches (anchors, literals, classes and counts: `^ord_[A-Z0-9]{10}$`),
    or None for one with groups or alternatives. Values the schemas require by pattern let the
    search for a counterexample build whole payloads."""
    body = pattern.removeprefix("^").removesuffix("$")
    out, at = [], 0
    while at < len(body):
        part = _PATTERN_PART.match(body, at)
        if part is None:
            return None
        if part["negate"]:
            return None
        if part["escape"] is not None:
            char = _CLASS_SAMPLES.get(part["escape"], part["escape"])
        elif part["first"] is not None:
            char = part["first"].removeprefix("\\")
        else:
            char = part["literal"] or "a"
        at = part.end()
        count = _QUANTIFIER.match(body, at)
        if count is not None:
            at = count.end()
        times = 1 if count is None else int(count["least"]) if count["least"] else 1 if count["plus"] else 0
        out.append(char * times)
    return "".join(out)


def _objects(schema: Mapping[str, Any], other: Mapping[str, Any], depth: int) -> Iterator[dict[str, Any]]:
    """An object with what the narrowing requires, then that object with one property more or
    one value changed: the narrowing's properties, the event's, and one neither names."""
    names = [
        *schema.get("properties", {}),
        *(n for n in other.get("properties", {}) if n not in schema.get("properties", {})),
    ]
    base: dict[str, Any] = {}
    for name in schema.get("required", ()):
        inner_schema = _member(schema, name)
        first = next(
            (v for v in _candidates(inner_schema, _member(other, name), depth + 1) if _valid(inner_schema, v)), None
        )
        base[name] = first
    yield base
    if depth >= MAX_DEPTH:
        return
    for name in [*names, "unlisted_property"]:
        for value in _first(_candidates(_member(schema, name), _member(other, name), depth + 1), 12):
            yield {**base, name: value}


def _first(values: Iterator[Any], count: int) -> Iterator[Any]:
    for index, value in enumerate(values):
        if index >= count:
            return
        yield value

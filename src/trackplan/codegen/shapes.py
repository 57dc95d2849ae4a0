"""What a JSON Schema is in generated code, whatever the language: its type (kinds, literal
values, array items, a named nested object, alternatives) and the runtime checks that
`--validate` inlines. The emitters only spell these decisions.

Schemas are the model's frozen values (`FrozenDict`, a dict), so `isinstance(x, dict)`
stands for "is a JSON object": the abstract `Mapping` check costs more than the rest of a
property's work. The semantics follow JSON Schema, as `trackplan check` applies it: an `enum` keeps only the
values its `type` allows (so `type: [string, "null"]` with `enum: [a, b]` is not nullable),
`integer` is a kind of its own but `number` covers it, and a local `$ref` is followed.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from trackplan.codegen.names import Scope, Words, identifier, words
from trackplan.model import Property
from trackplan.model.frozen import FrozenDict

JsonScalar = str | int | float | bool | None
KINDS = ("string", "integer", "number", "boolean", "array", "object", "null")
_KIND_NOUNS = {
    "string": "a string",
    "integer": "an integer",
    "number": "a number",
    "boolean": "a boolean",
    "array": "an array",
    "object": "an object",
    "null": "null",
}


@dataclass(frozen=True)
class Rule:
    """One inlined check on a value of one kind: `keyword` names the test, `bound` is the
    keyword's value and `message` what a violation says."""

    keyword: str
    bound: JsonScalar
    message: str


@dataclass(frozen=True)
class TypeRef:
    """The type of one value. No kinds, literals or alternatives: any JSON value."""

    kinds: tuple[str, ...] = ()
    literals: tuple[JsonScalar, ...] | None = None
    item: TypeRef | None = None
    object: ObjectType | None = None
    alternatives: tuple[TypeRef, ...] = ()
    rules: tuple[tuple[str, Rule], ...] = ()  # (kind the rule applies to, rule)

    @property
    def nullable(self) -> bool:
        if self.literals is not None:
            return None in self.literals
        return "null" in self.kinds or any(alt.nullable for alt in self.alternatives)

    @property
    def checked(self) -> bool:
        """Whether a generated check can say anything about this value."""
        return bool(self.kinds or self.literals is not None)

    def kind_message(self) -> str:
        nouns = [_KIND_NOUNS[kind] for kind in self.kinds]
        return "must be " + (" or ".join([", ".join(nouns[:-1]), nouns[-1]]) if len(nouns) > 1 else nouns[0])

    def literal_message(self) -> str:
        assert self.literals is not None
        shown = [json.dumps(value, ensure_ascii=False) for value in self.literals]
        return f"must be {shown[0]}" if len(shown) == 1 else f"must be one of {', '.join(shown)}"


@dataclass(frozen=True)
class Field:
    """One property of an object: `key` is the name as the plan writes it (what is sent),
    `parameter` the keyword argument that stands for it."""

    key: str
    type: TypeRef
    required: bool
    description: str = ""
    parameter: str = ""
    sent_keys: tuple[tuple[str, str], ...] = ()  # (destination, key sent there), from x-name-mapping
    user_property: bool = False


@dataclass(frozen=True)
class ObjectType:
    """A named object type: an event's properties, traits, or an object nested in them."""

    name: str
    fields: tuple[Field, ...]
    closed: bool
    description: str = ""

    @property
    def required_keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields if f.required)


class ShapeBuilder:
    """Turns the JSON Schemas of one event into types, naming nested objects in `types` and
    keyword arguments with `parameter`. `objects` collects every named object, nested ones
    before the objects holding them (Python evaluates a TypedDict's field types at once)."""

    def __init__(
        self,
        types: Scope,
        type_case: Callable[[Words], str],
        parameters: Callable[[], Scope],
        parameter_case: Callable[[Words], str],
    ) -> None:
        self.types = types
        self.type_case = type_case
        self.parameters = parameters
        self.parameter_case = parameter_case
        self.objects: list[ObjectType] = []
        self._shared: dict[Any, TypeRef] = {}
        self._fields: dict[tuple[Any, ...], Field] = {}

    def object_type(
        self,
        name: str,
        properties: tuple[Property, ...],
        closed: bool,
        description: str,
        definitions: Any,
        following: frozenset[str] = frozenset(),
    ) -> ObjectType:
        scope = self.parameters()
        fields = tuple(
            self._field(
                prop,
                scope.claim(identifier(words(prop.name), self.parameter_case, "value")),
                name,
                definitions,
                following,
            )
            for prop in properties
        )
        made = ObjectType(name, fields, closed, description)
        self.objects.append(made)
        return made

    def _field(self, prop: Property, parameter: str, owner: str, definitions: Any, following: frozenset[str]) -> Field:
        """One property as a field; equal properties of many events share one Field, so the
        emitters write each just once."""
        field_type = self.type_of(prop.schema, owner, prop.name, definitions, following)
        sent_keys, user_property = _sent_keys(prop), prop.send_as == "UserProperty"
        # A shared type is kept alive by the builder, so its id names it for the builder's life.
        memo = (prop.name, prop.required, parameter, prop.description, id(field_type), sent_keys, user_property)
        known = self._fields.get(memo)
        if known is not None:
            return known
        made = Field(prop.name, field_type, prop.required, prop.description, parameter, sent_keys, user_property)
        if _shareable(field_type) and not _mentions_ref(prop.schema):
            self._fields[memo] = made
        return made

    def type_of(self, schema: Any, owner: str, key: str, definitions: Any, following: frozenset[str]) -> TypeRef:
        """The type of `schema`, the property `key` of the object type named `owner`. A type
        with no nested object and no `$ref` is the same wherever its schema appears, and
        plans repeat property schemas across events (Avo keeps them plan-wide): it is kept."""
        if not isinstance(schema, dict):
            return TypeRef()
        schema_key = _ordered(schema)
        known = self._shared.get(schema_key)
        if known is not None:
            return known
        made = self._type_of(schema, owner, key, definitions, following)
        if _shareable(made) and not _mentions_ref(schema):
            self._shared[schema_key] = made
        return made

    def _type_of(
        self, schema: Mapping[str, Any], owner: str, key: str, definitions: Any, following: frozenset[str]
    ) -> TypeRef:
        ref = schema.get("$ref")
        if isinstance(ref, str):
            target = _local_ref(definitions, ref)
            if target is None or ref in following:
                return TypeRef()  # not resolvable offline, or a cycle: any value
            return self.type_of(target, owner, key, definitions, following | {ref})
        alternatives = schema.get("anyOf", schema.get("oneOf"))
        if isinstance(alternatives, tuple) and not {"type", "enum", "const"} & schema.keys():
            return TypeRef(
                alternatives=tuple(self.type_of(s, owner, key, definitions, following) for s in alternatives)
            )
        kinds = _kinds(schema)
        literals = _literals(schema, kinds)
        if literals is not None:
            return TypeRef(literals=literals)
        item = None
        if "array" in kinds and isinstance(schema.get("items"), dict):
            item = self.type_of(schema["items"], owner, key, definitions, following)
        nested = None
        if "object" in kinds and isinstance(schema.get("properties"), dict) and schema["properties"]:
            nested = self._nested(schema, owner, key, definitions, following)
        return TypeRef(kinds=kinds, item=item, object=nested, rules=_rules(schema, kinds))

    def _nested(
        self, schema: Mapping[str, Any], owner: str, key: str, definitions: Any, following: frozenset[str]
    ) -> ObjectType:
        name = self.types.claim(identifier((*words(owner.lstrip("_")), *words(key)), self.type_case, "Value"))
        required = schema.get("required") or ()
        properties = tuple(
            Property(prop_name, sub if isinstance(sub, FrozenDict) else FrozenDict(), prop_name in required)
            for prop_name, sub in sorted(schema["properties"].items())
        )
        closed = schema.get("additionalProperties") is False
        return self.object_type(name, properties, closed, str(schema.get("description") or ""), definitions, following)


_PLAIN = frozenset({str, int, float, bool, type(None)})


def _ordered(value: Any) -> Any:
    """A key for a frozen JSON value that tells orders apart, where the value itself does not
    (an enum compares as a set, but `"b" | "a"` is another type than `"a" | "b"`); hashing
    plain tuples is also much cheaper than hashing a FrozenDict."""
    if type(value) in _PLAIN:
        return value
    if isinstance(value, dict):
        return tuple((k, v if type(v) in _PLAIN else _ordered(v)) for k, v in value.items())
    return tuple(map(_ordered, value)) if isinstance(value, tuple) else value


def _sent_keys(prop: Property) -> tuple[tuple[str, str], ...]:
    if "x-name-mapping" not in prop.schema:  # most properties: skip building an empty list
        return ()
    return tuple((m.destination, m.name) for m in prop.name_mapping)


def _shareable(made: TypeRef) -> bool:
    if made.object is not None:
        return False
    return all(_shareable(t) for t in (*made.alternatives, *((made.item,) if made.item else ())))


def _mentions_ref(node: Any) -> bool:
    if isinstance(node, dict):
        return "$ref" in node or any(_mentions_ref(value) for value in node.values())
    return isinstance(node, tuple) and any(_mentions_ref(value) for value in node)


def _local_ref(definitions: Any, ref: str) -> Any:
    """The schema a `#/...` pointer names inside the event document (None if there is none)."""
    if not ref.startswith("#/"):
        return None
    node = definitions
    for part in ref[2:].split("/"):
        part = part.replace("~1", "/").replace("~0", "~")
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node if isinstance(node, dict) else None


def _kinds(schema: Mapping[str, Any]) -> tuple[str, ...]:
    declared = schema.get("type")
    names = [declared] if isinstance(declared, str) else list(declared) if isinstance(declared, tuple) else []
    if not names:
        if isinstance(schema.get("properties"), dict):
            names = ["object"]
        elif "items" in schema:
            names = ["array"]
    kinds = [kind for kind in KINDS if kind in names]
    if "integer" in kinds and "number" in kinds:
        kinds.remove("integer")  # every integer is a number
    return tuple(kinds)


def _literals(schema: Mapping[str, Any], kinds: tuple[str, ...]) -> tuple[JsonScalar, ...] | None:
    """The values an `enum` or `const` allows, those of the declared type only; None when the
    keyword is absent or holds objects or arrays (then the type alone is generated)."""
    if "const" in schema:
        values: tuple[Any, ...] = (schema["const"],)
    elif isinstance(schema.get("enum"), tuple) and schema["enum"]:
        values = tuple(schema["enum"])
    else:
        return None
    if not all(value is None or isinstance(value, str | int | float | bool) for value in values):
        return None
    if kinds:
        values = tuple(value for value in values if _allowed(value, kinds))
    if not values:
        return None  # no value of the declared type is allowed: the type alone says more
    # null last, as types read: "a" | "b" | null
    return tuple(value for value in values if value is not None) + ((None,) if None in values else ())


def _kind_of(value: JsonScalar) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    return "number" if isinstance(value, float) else "string"


def _allowed(value: JsonScalar, kinds: tuple[str, ...]) -> bool:
    kind = _kind_of(value)
    return kind in kinds or (kind == "integer" and "number" in kinds)


def _number(value: Any) -> int | float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _rules(schema: Mapping[str, Any], kinds: tuple[str, ...]) -> tuple[tuple[str, Rule], ...]:
    out: list[tuple[str, Rule]] = []
    if "string" in kinds:
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            out.append(("string", Rule("pattern", pattern, f"must match {pattern}")))
        for keyword, limit in (("minLength", "at least"), ("maxLength", "at most")):
            bound = _number(schema.get(keyword))
            if bound is not None:
                out.append(("string", Rule(keyword, bound, f"must have {limit} {_counted(bound, 'character')}")))
    for kind in ("integer", "number"):
        if kind in kinds:
            out.extend((kind, rule) for rule in _number_rules(schema))
    if "array" in kinds:
        for keyword, limit in (("minItems", "at least"), ("maxItems", "at most")):
            bound = _number(schema.get(keyword))
            if bound is not None:
                out.append(("array", Rule(keyword, bound, f"must have {limit} {_counted(bound, 'item')}")))
    return tuple(out)


def _counted(bound: int | float, noun: str) -> str:
    return f"{json.dumps(bound)} {noun}{'' if bound == 1 else 's'}"


def _number_rules(schema: Mapping[str, Any]) -> list[Rule]:
    rules = []
    minimum, maximum = _number(schema.get("minimum")), _number(schema.get("maximum"))
    # Draft 4 writes an exclusive bound as a boolean beside minimum or maximum.
    low = _number(schema.get("exclusiveMinimum")) if schema.get("exclusiveMinimum") is not True else minimum
    high = _number(schema.get("exclusiveMaximum")) if schema.get("exclusiveMaximum") is not True else maximum
    if schema.get("exclusiveMinimum") is True:
        minimum = None
    if schema.get("exclusiveMaximum") is True:
        maximum = None
    for keyword, bound, sign in (
        ("minimum", minimum, ">="),
        ("maximum", maximum, "<="),
        ("exclusiveMinimum", low, ">"),
        ("exclusiveMaximum", high, "<"),
    ):
        if bound is not None:
            rules.append(Rule(keyword, bound, f"must be {sign} {json.dumps(bound)}"))
    return rules

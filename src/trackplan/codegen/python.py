"""Python from a `Library`: a `TypedDict` per event (`NotRequired` for optional properties,
`Literal[...]` for enums and `const`), one keyword-only function per event plus `identify`
and `group`, a `Transport` protocol and no runtime library. With `--validate`, the checks
are inlined as plain functions that report to `on_violation`.

The functional `TypedDict` form is used throughout, so keys are the plan's property names as
written, whatever they are. Only spelling happens here: every name and type was decided in
`library` and `shapes`. The output passes `mypy --strict` and needs Python 3.11.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

from trackplan.codegen.header import Provenance, comment_block, header_lines
from trackplan.codegen.library import GROUP, IDENTIFY, Call, Library
from trackplan.codegen.names import comment_text, string_literal
from trackplan.codegen.shapes import Field, JsonScalar, ObjectType, Rule, TypeRef

INDENT = "    "


def _astral(point: int) -> str:
    return f"\\U{point:08x}"


def literal(value: JsonScalar) -> str:
    if isinstance(value, str):
        return string_literal(value, _astral)
    return repr(value)


def _tuple(values: list[str]) -> str:
    return f"({values[0]},)" if len(values) == 1 else f"({', '.join(values)})"


def _docstring(lines: list[str], indent: str) -> list[str]:
    text = [_docstring_text(line) for line in lines]
    if len(text) == 1:
        return [f'{indent}"""{text[0]}"""']
    return [f'{indent}"""{text[0]}', *(f"{indent}{line}".rstrip() for line in text[1:]), f'{indent}"""']


def _docstring_text(line: str) -> str:
    """A docstring line that cannot end the docstring: backslashes doubled, and quotes
    escaped where three would meet or one would touch the closing quotes."""
    text = comment_text(line).replace("\\", "\\\\").replace('"""', '\\"\\"\\"')
    return text[:-1] + '\\"' if text.endswith('"') else text


def checker_name(obj: ObjectType) -> str:
    return f"_check_{obj.name}"


def render(library: Library, provenance: Provenance, validate: str) -> str:
    emitter = _Emitter(validate)
    public = _public_api(emitter, library, provenance)
    types = [line for obj in library.objects for line in emitter.typed_dict(obj)]
    calls = [line for call in library.calls for line in emitter.function(call)]
    checks = [line for obj in library.objects for line in emitter.checker(obj)] if validate != "none" else []
    unset = ["class _Unset(Enum):", '    UNSET = "UNSET"', "", ""] if "_Unset" in emitter.needed else []
    helpers = emitter.helpers()
    out = comment_block(header_lines(provenance, len(library.events)), "#")
    # Linters and formatters leave the file as written, so `codegen --check` keeps passing.
    out += ["# ruff: noqa", "# fmt: off"]
    out += _docstring([f'Typed tracking calls for the tracking plan "{provenance.plan}" ({provenance.selection}).'], "")
    out += ["", "from __future__ import annotations", "", *emitter.imports(), "", ""]
    out += [*public, *types, *unset, *calls, *_runtime(validate), *checks, *helpers]
    return "\n".join(out).rstrip("\n") + "\n"


# -- the public runtime -----------------------------------------------------------------------


def _public_api(emitter: _Emitter, library: Library, provenance: Provenance) -> list[str]:
    validate = emitter.validate
    destinations = ", ".join(literal(d) for d in library.destinations)
    options = ["destination: Destination | None = None"]
    fields = ["transport: Transport", "destination: str | None"]
    if validate != "none":
        options.append("on_violation: Callable[[Violation], None] | None = None")
        fields.append("on_violation: Callable[[Violation], None] | None")
    if validate == "dev":
        options.append("validate: bool = True")
        fields.append("validate: bool")
    arguments = ", ".join(name.split(":")[0] for name in fields[1:])
    return [
        "# The destinations of the plan's sources and name mappings.",
        f"Destination = {emitter.use('Literal')}[{destinations}]" if destinations else "Destination = str",
        "",
        "",
        *_PUBLIC_TYPES,
        "@dataclass(frozen=True)",
        "class _Setup:",
        *(f"{INDENT}{line}" for line in fields),
        "",
        "",
        "_setup: _Setup | None = None",
        "PLAN: Final = PlanIdentity(",
        f"{INDENT}name={literal(provenance.plan)},",
        f"{INDENT}ref={literal(provenance.ref)},",
        f"{INDENT}commit={literal(provenance.commit)},",
        f"{INDENT}source={literal(provenance.source)},",
        ")",
        "",
        "",
        "def setup(",
        f"{INDENT}transport: Transport,",
        f"{INDENT}*,",
        *(f"{INDENT}{option}," for option in options),
        ") -> None:",
        f'{INDENT}"""Set the transport every generated call uses; call it once, before tracking."""',
        f"{INDENT}global _setup",
        f"{INDENT}_setup = _Setup(transport, {arguments})",
        "",
        "",
    ]


_PUBLIC_TYPES = '''\
@dataclass(frozen=True)
class PlanIdentity:
    """The plan this file was generated from."""

    name: str
    ref: str
    commit: str | None
    source: str | None


@dataclass(frozen=True)
class TrackContext:
    """Sent with every call: the plan and commit it was generated from, so each payload can be
    checked against them. `event` is the name in the plan ("$identify" and "$group" for
    traits); `user_properties` are sent as user properties (x-send-as: UserProperty)."""

    plan: str
    commit: str | None
    source: str | None
    event: str
    event_version: str | None
    user_properties: tuple[str, ...]
    extra: Mapping[str, object]


class Transport(Protocol):
    """Where calls go: one small adapter per analytics SDK (docs/codegen.md shows some)."""

    def track(self, name: str, properties: Mapping[str, object], context: TrackContext, /) -> None: ...

    def identify(self, user_id: str, traits: Mapping[str, object], context: TrackContext, /) -> None: ...

    def group(self, group_id: str, traits: Mapping[str, object], context: TrackContext, /) -> None: ...


@dataclass(frozen=True)
class Violation:
    """A value that breaks the plan: `path` is where in the properties ("" for all of them)."""

    event: str
    path: str
    message: str


class ViolationError(ValueError):
    """A value breaks the plan, and setup() was given no on_violation."""


@dataclass(frozen=True)
class CallOptions:
    """`transport` sends this call with another transport than the one given to setup()."""

    transport: Transport | None = None
    extra: Mapping[str, object] = field(default_factory=dict)


'''.splitlines()


def _runtime(validate: str) -> list[str]:
    checked = validate != "none"
    info = [
        "# -- generated runtime: nothing below is part of the API --",
        "",
        *(["_Report = Callable[[str, str], None]", "", ""] if checked else []),
        "@dataclass(frozen=True)",
        "class _EventInfo:",
        "    name: str",
        "    version: str | None",
        "    names: Mapping[str, str]",
        "    keys: Mapping[str, Mapping[str, str]]",
        "    user_properties: tuple[str, ...]",
        *(["    check: Callable[[object, str, _Report], None]"] if checked else []),
        "",
        "",
    ]
    run_checks = {"none": [], "dev": ["    if current.validate:"], "always": []}[validate]
    if checked:
        run_checks.append(f"{INDENT * len(run_checks) + INDENT}_validate(current, info, properties)")
    return [*info, *_SEND_HEAD, *run_checks, *_SEND_BODY, *(_VALIDATE if checked else [])]


_SEND_HEAD = """\
def _send(
    kind: str, subject: str, properties: Mapping[str, object], options: CallOptions | None, info: _EventInfo
) -> None:
    current = _setup
    if current is None:
        raise RuntimeError("trackplan: call setup(transport) before tracking")""".splitlines()

_SEND_BODY = """\
    destination = current.destination
    renamed = info.keys.get(destination, {}) if destination is not None else {}
    payload = {renamed.get(key, key): value for key, value in properties.items()}
    context = TrackContext(
        plan=PLAN.name,
        commit=PLAN.commit,
        source=PLAN.source,
        event=info.name,
        event_version=info.version,
        user_properties=info.user_properties,
        extra=options.extra if options is not None else {},
    )
    transport = current.transport if options is None or options.transport is None else options.transport
    if kind == "track":
        transport.track(info.names.get(destination, info.name) if destination else info.name, payload, context)
    elif kind == "identify":
        transport.identify(subject, payload, context)
    else:
        transport.group(subject, payload, context)


""".splitlines()

_VALIDATE = """\
def _validate(current: _Setup, info: _EventInfo, properties: Mapping[str, object]) -> None:
    def report(path: str, message: str) -> None:
        if current.on_violation is not None:
            current.on_violation(Violation(info.name, path, message))
        else:
            raise ViolationError(f"trackplan: {info.name}: {path or 'properties'} {message}")

    info.check(properties, "", report)


""".splitlines()

# -- inlined checks ---------------------------------------------------------------------------

_TESTS = {
    "string": "isinstance({v}, str)",
    "integer": "_is_integer({v})",
    "number": "_is_number({v})",
    "boolean": "isinstance({v}, bool)",
    "array": "isinstance({v}, (list, tuple))",
    "object": "isinstance({v}, Mapping)",
    "null": "{v} is None",
}
_RULES = {
    "pattern": "not _matches({bound}, {v})",
    "minLength": "len({v}) < {bound}",
    "maxLength": "len({v}) > {bound}",
    "minimum": "{v} < {bound}",
    "maximum": "{v} > {bound}",
    "exclusiveMinimum": "{v} <= {bound}",
    "exclusiveMaximum": "{v} >= {bound}",
    "minItems": "len({v}) < {bound}",
    "maxItems": "len({v}) > {bound}",
}
_HELPERS = {
    "_at": """\
def _at(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key""",
    "_item": '''\
def _item(path: str, index: int) -> str:
    return f"{path}[{index}]"''',
    "_required": """\
def _required(value: Mapping[str, object], keys: tuple[str, ...], path: str, report: _Report) -> None:
    for key in keys:
        if key not in value:
            report(_at(path, key), "is required")""",
    "_closed": """\
def _closed(value: Mapping[str, object], keys: tuple[str, ...], path: str, report: _Report) -> None:
    for key in value:
        if key not in keys:
            report(_at(path, str(key)), "is not in the plan")""",
    "_one_of": """\
def _one_of(value: object, options: tuple[object, ...]) -> bool:
    # True == 1 in Python, but a boolean is not a number in JSON.
    return any(value == option and isinstance(value, bool) == isinstance(option, bool) for option in options)""",
    "_is_integer": """\
def _is_integer(value: object) -> bool:
    if isinstance(value, bool):
        return False
    return isinstance(value, int) or (isinstance(value, float) and value.is_integer())""",
    "_is_number": """\
def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)""",
    "_matches": """\
@cache
def _pattern(source: str) -> re.Pattern[str] | None:
    # A pattern Python cannot compile is not checked rather than failing the call.
    try:
        return re.compile(source)
    except re.error:
        return None


def _matches(source: str, value: str) -> bool:
    pattern = _pattern(source)
    return pattern is None or pattern.search(value) is not None""",
}
_HELPER_NEEDS = {"_required": ("_at",), "_closed": ("_at",)}


class _Emitter:
    """Writes types, calls and checks, and keeps track of the imports and helpers they use.

    Plans repeat property schemas, which share one TypeRef: what is written for a property is
    kept by its key and the identity of its type (alive for the whole render)."""

    def __init__(self, validate: str) -> None:
        self.validate = validate
        self.needed: set[str] = {"Final", "Protocol", "TypedDict"}
        self._types: dict[int, str] = {}
        self._lines: dict[tuple[str, str, bool, str, int], list[str]] = {}

    def _kept(self, what: str, field: Field, write: Callable[[Field], list[str]]) -> list[str]:
        memo = (
            what,
            field.key,
            field.required,
            field.description if what == "member" else field.parameter,
            id(field.type),
        )
        lines = self._lines.get(memo)
        if lines is None:
            lines = self._lines[memo] = write(field)
        return lines

    def use(self, name: str) -> str:
        self.needed.add(name)
        self.needed.update(_HELPER_NEEDS.get(name, ()))
        return name

    def imports(self) -> list[str]:
        abc = [name for name in ("Callable", "Mapping", "Sequence") if name != "Sequence" or name in self.needed]
        typing = [name for name in ("Final", "Literal", "NotRequired", "Protocol", "TypedDict") if name in self.needed]
        return [
            *(["import re"] if "_matches" in self.needed else []),
            f"from collections.abc import {', '.join(abc)}",
            "from dataclasses import dataclass, field",
            *(["from enum import Enum"] if "_Unset" in self.needed else []),
            *(["from functools import cache"] if "_matches" in self.needed else []),
            f"from typing import {', '.join(typing)}",
        ]

    def helpers(self) -> list[str]:
        out: list[str] = []
        for name, text in _HELPERS.items():
            if name in self.needed:
                out += [*text.splitlines(), "", ""]
        return out

    # -- types --------------------------------------------------------------------------------

    def type_expression(self, ref: TypeRef) -> str:
        known = self._types.get(id(ref))
        if known is None:
            known = self._types[id(ref)] = self._type_expression(ref)
        return known

    def _type_expression(self, ref: TypeRef) -> str:
        if ref.alternatives:
            return _union(self.type_expression(alt) for alt in ref.alternatives)
        if ref.literals is not None:
            return self._literals(ref.literals)
        if not ref.kinds:
            return "object"
        return _union(self._kind_type(kind, ref) for kind in ref.kinds)

    def _literals(self, values: tuple[JsonScalar, ...]) -> str:
        # Literal[] takes no floats: a float enum is typed float and checked at run time.
        exact = [literal(v) for v in values if v is not None and not isinstance(v, float)]
        parts = [f"{self.use('Literal')}[{', '.join(exact)}]"] if exact else []
        parts += ["float"] if any(isinstance(v, float) for v in values) else []
        return _union([*parts, *(["None"] if None in values else [])])

    def _kind_type(self, kind: str, ref: TypeRef) -> str:
        if kind == "array":
            item = self.type_expression(ref.item) if ref.item is not None else "object"
            return f"{self.use('Sequence')}[{item}]"
        if kind == "object":
            return ref.object.name if ref.object is not None else "Mapping[str, object]"
        return {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}.get(kind, "None")

    def typed_dict(self, obj: ObjectType) -> list[str]:
        out = [f"# {comment_text(obj.description)}"] if obj.description else []
        if not obj.fields:
            return [*out, f"{obj.name} = TypedDict({literal(obj.name)}, {{}})", "", ""]
        out += [f"{obj.name} = TypedDict(", f"{INDENT}{literal(obj.name)},", f"{INDENT}{{"]
        for field in obj.fields:
            out += self._kept("member", field, self._member)
        return [*out, f"{INDENT}}},", ")", "", ""]

    def _member(self, field: Field) -> list[str]:
        out = [f"{INDENT * 2}# {comment_text(field.description)}"] if field.description else []
        value = self.type_expression(field.type)
        if not field.required:
            value = f"{self.use('NotRequired')}[{value}]"
        return [*out, f"{INDENT * 2}{literal(field.key)}: {value},"]

    # -- calls --------------------------------------------------------------------------------

    def function(self, call: Call) -> list[str]:
        props = call.properties
        positional = {IDENTIFY: "user_id", GROUP: "group_id"}.get(call.event)
        kind = {IDENTIFY: "identify", GROUP: "group"}.get(call.event, "track")
        parameters = [f"{positional}: str"] if positional else []
        parameters += ["*", *(self._kept("parameter", f, self._parameter)[0] for f in props.fields)]
        parameters.append("_options: CallOptions | None = None")
        out = [f"def {call.function}(", *(f"{INDENT}{p}," for p in parameters), ") -> None:"]
        out += _docstring(_call_doc(call), INDENT)
        out.append(f"{INDENT}_properties: {props.name} = {{")
        out += [f"{INDENT * 2}{literal(f.key)}: {f.parameter}," for f in props.fields if f.required]
        out.append(f"{INDENT}}}")
        for f in props.fields:
            if not f.required:
                absent = "_Unset.UNSET" if f.type.nullable else "None"
                out.append(f"{INDENT}if {f.parameter} is not {absent}:")
                out.append(f"{INDENT * 2}_properties[{literal(f.key)}] = {f.parameter}")
        subject = positional or '""'
        out.append(f"{INDENT}_send({literal(kind)}, {subject}, _properties, _options, _EventInfo(")
        return [*out, *self._event_info(call), f"{INDENT}))", "", ""]

    def _parameter(self, f: Field) -> list[str]:
        annotation = self.type_expression(f.type)
        if f.required:
            return [f"{f.parameter}: {annotation}"]
        if f.type.nullable:
            return [f"{f.parameter}: {annotation} | {self.use('_Unset')} = _Unset.UNSET"]
        return [f"{f.parameter}: {annotation} | None = None"]

    def _event_info(self, call: Call) -> list[str]:
        names = ", ".join(f"{literal(d)}: {literal(n)}" for d, n in call.sent_names)
        keys = ", ".join(
            f"{literal(d)}: {{{', '.join(f'{literal(k)}: {literal(s)}' for k, s in pairs)}}}"
            for d, pairs in call.sent_keys
        )
        lines = [
            f"name={literal(call.event)},",
            f"version={literal(call.version)},",
            f"names={{{names}}},",
            f"keys={{{keys}}},",
            f"user_properties={_tuple([literal(k) for k in call.user_properties])},",
        ]
        if self.validate != "none":
            lines.append(f"check={checker_name(call.properties)},")
        return [f"{INDENT * 2}{line}" for line in lines]

    # -- checks -------------------------------------------------------------------------------

    def checker(self, obj: ObjectType) -> list[str]:
        out = [
            f"def {checker_name(obj)}(value: object, path: str, report: _Report) -> None:",
            "    if not isinstance(value, Mapping):",
            '        report(path, "must be an object")',
            "        return",
        ]
        if obj.required_keys:
            out.append(
                f"    {self.use('_required')}(value, {_tuple(list(map(literal, obj.required_keys)))}, path, report)"
            )
        if obj.closed:
            out.append(
                f"    {self.use('_closed')}(value, {_tuple([literal(f.key) for f in obj.fields])}, path, report)"
            )
        for field in obj.fields:
            if field.type.checked:
                out += self._kept("check", field, self._field_check)
        return [*out, "", ""]

    def _field_check(self, field: Field) -> list[str]:
        path = f"{self.use('_at')}(path, {literal(field.key)})"
        out = [f"    if {literal(field.key)} in value:", f"        v = value[{literal(field.key)}]"]
        return out + [f"        {line}" for line in self.value(field.type, "v", path, 0)]

    def value(self, ref: TypeRef, v: str, path: str, depth: int) -> list[str]:
        """Statements that report what in `v` (a value at `path`) breaks `ref`."""
        if ref.literals is not None:
            options = _tuple([literal(value) for value in ref.literals])
            return [
                f"if not {self.use('_one_of')}({v}, {options}):",
                f"    report({path}, {literal(ref.literal_message())})",
            ]
        if not ref.kinds:
            return []
        tests = {kind: self._test(kind, v) for kind in ref.kinds}
        test = " or ".join(tests.values())
        out = [
            f"if not ({test}):" if len(tests) > 1 else f"if not {test}:",
            f"    report({path}, {literal(ref.kind_message())})",
        ]
        for kind in ref.kinds:
            body = [line for rule_kind, rule in ref.rules if rule_kind == kind for line in self._rule(rule, v, path)]
            body += self._contents(kind, ref, v, path, depth)
            if body:
                out += [f"if {tests[kind]}:", *(INDENT + line for line in body)]
        return out

    def _test(self, kind: str, v: str) -> str:
        if kind in ("integer", "number"):
            self.use(f"_is_{kind}")
        return _TESTS[kind].format(v=v)

    def _rule(self, rule: Rule, v: str, path: str) -> list[str]:
        if rule.keyword == "pattern":
            self.use("_matches")
        test = _RULES[rule.keyword].format(v=v, bound=literal(rule.bound))
        return [f"if {test}:", f"    report({path}, {literal(rule.message)})"]

    def _contents(self, kind: str, ref: TypeRef, v: str, path: str, depth: int) -> list[str]:
        if kind == "object" and ref.object is not None:
            return [f"{checker_name(ref.object)}({v}, {path}, report)"]
        if kind != "array" or ref.item is None or not ref.item.checked:
            return []
        index, item = f"i{depth + 1}", f"v{depth + 1}"
        inner = self.value(ref.item, item, f"{self.use('_item')}({path}, {index})", depth + 1)
        return [f"for {index}, {item} in enumerate({v}):", *(INDENT + line for line in inner)]


def _union(parts: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(parts))


def _call_doc(call: Call) -> list[str]:
    lines = [call.description, ""] if call.description else []
    about = f"Event {literal(call.event)}" + (f", version {call.version}." if call.version else ".")
    lines.append(" ".join([about, *(f"Sent to {d} as {literal(n)}." for d, n in call.sent_names)]))
    if call.deprecated:
        lines.append("Deprecated: the plan marks this event deprecated.")
    return lines

"""TypeScript from a `Library`: an interface per event, enum values as string-literal unions,
`const` as a literal type, nullable as `T | null`; one function per event plus `identify`
and `group`; a `Transport` interface and no SDK or runtime library. With `--validate`, the
checks are inlined as plain functions that report to `onViolation`.

Only spelling happens here: every name and type was decided in `library` and `shapes`. The
output compiles under `tsc --strict` with the stricter flags too (noUnusedLocals,
exactOptionalPropertyTypes, noUncheckedIndexedAccess), so only the helpers used are written.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from trackplan.codegen.header import Provenance, comment_block, header_lines
from trackplan.codegen.library import GROUP, IDENTIFY, Call, Library
from trackplan.codegen.names import comment_text, string_literal
from trackplan.codegen.shapes import Field, JsonScalar, ObjectType, Rule, TypeRef

INDENT = "  "
_IDENTIFIER = re.compile(r"[A-Za-z_$][A-Za-z0-9_$]*")


def _astral(point: int) -> str:
    return f"\\u{{{point:x}}}"


def literal(value: JsonScalar) -> str:
    if isinstance(value, str):
        return string_literal(value, _astral)
    return json.dumps(value)


def _key(name: str) -> str:
    return name if _IDENTIFIER.fullmatch(name) else literal(name)


def _doc(lines: list[str], indent: str = "") -> list[str]:
    text = [comment_text(line).replace("*/", "*\\/") for line in lines]
    if len(text) == 1:
        return [f"{indent}/** {text[0]} */"]
    return [f"{indent}/**", *(f"{indent} * {line}".rstrip() for line in text), f"{indent} */"]


def render(library: Library, provenance: Provenance, validate: str) -> str:
    emitter = _Emitter()
    out = comment_block(header_lines(provenance, len(library.events)), "//")
    out += ["/* eslint-disable */", ""]
    out += _public_api(library, provenance, validate)
    for obj in library.objects:
        out += emitter.interface(obj)
    for call in library.calls:
        out += _function(call, validate != "none")
    out += _send(validate)
    if validate != "none":
        for obj in library.objects:
            out += emitter.checker(obj)
        out += emitter.helpers()
    return "\n".join(out).rstrip("\n") + "\n"


# -- types and calls --------------------------------------------------------------------------


def type_expression(ref: TypeRef) -> str:
    if ref.alternatives:
        return _union(type_expression(alt) for alt in ref.alternatives)
    if ref.literals is not None:
        return _union(literal(value) for value in ref.literals)
    if not ref.kinds:
        return "unknown"
    return _union(_kind_type(kind, ref) for kind in ref.kinds)


def _kind_type(kind: str, ref: TypeRef) -> str:
    if kind == "array":
        item = type_expression(ref.item) if ref.item is not None else "unknown"
        return f"readonly ({item})[]" if " " in item else f"readonly {item}[]"
    if kind == "object":
        return ref.object.name if ref.object is not None else "Readonly<Record<string, unknown>>"
    return {"string": "string", "integer": "number", "number": "number", "boolean": "boolean"}.get(kind, "null")


def _union(parts: Iterable[str]) -> str:
    return " | ".join(dict.fromkeys(parts))


def _function(call: Call, validated: bool) -> list[str]:
    props = call.properties
    default = " = {}" if not props.required_keys else ""
    if call.event in (IDENTIFY, GROUP):
        subject = "userId" if call.event == IDENTIFY else "groupId"
        params, target = f"{subject}: string, traits: {props.name}, ", f'"{call.function}", {subject}, traits'
    else:
        params, target = f"properties: {props.name}{default}, ", '"track", "", properties'
    info = _event_info(call, validated)
    return [
        *_doc(_call_doc(call)),
        f"export function {call.function}({params}options?: CallOptions): void {{",
        f"{INDENT}_send({target}, options, {{",
        *(f"{INDENT * 2}{line}" for line in info),
        f"{INDENT}}});",
        "}",
        "",
    ]


def _call_doc(call: Call) -> list[str]:
    lines = [call.description, ""] if call.description else []
    about = f"Event {literal(call.event)}" + (f", version {call.version}." if call.version else ".")
    sent = [f"Sent to {destination} as {literal(name)}." for destination, name in call.sent_names]
    lines.append(" ".join([about, *sent]))
    if call.deprecated:
        lines.append("@deprecated The plan marks this event deprecated.")
    return lines


def _event_info(call: Call, validated: bool) -> list[str]:
    names = ", ".join(f"{literal(d)}: {literal(n)}" for d, n in call.sent_names)
    keys = ", ".join(
        f"{literal(d)}: {{ {', '.join(f'{literal(k)}: {literal(s)}' for k, s in pairs)} }}"
        for d, pairs in call.sent_keys
    )
    version = literal(call.version) if call.version else "null"
    lines = [
        f"name: {literal(call.event)},",
        f"version: {version},",
        f"names: {{{f' {names} ' if names else ''}}},",
        f"keys: {{{f' {keys} ' if keys else ''}}},",
        f"userProperties: [{', '.join(literal(k) for k in call.user_properties)}],",
    ]
    if validated:
        lines.append(f"check: {checker_name(call.properties)},")
    return lines


def checker_name(obj: ObjectType) -> str:
    return f"_check{obj.name}"


# -- the public runtime -----------------------------------------------------------------------


def _public_api(library: Library, provenance: Provenance, validate: str) -> list[str]:
    destinations = _union(literal(d) for d in library.destinations) if library.destinations else "string"
    options = [
        "export interface Options {",
        "  readonly transport: Transport;",
        "  /** The destination the transport sends to: events and properties go by its names (x-name-mapping). */",
        "  readonly destination?: Destination;",
    ]
    if validate != "none":
        options += [
            "  /** Called with each value that breaks the plan; by default a violation throws. */",
            "  readonly onViolation?: (violation: Violation) => void;",
        ]
    if validate == "dev":
        options += [
            "  /** Run the generated checks (default true); pass false in production builds. */",
            "  readonly validate?: boolean;",
        ]
    plan = [
        "/** The plan this file was generated from. */",
        "export const PLAN = {",
        f"  name: {literal(provenance.plan)},",
        f"  ref: {literal(provenance.ref)},",
        f"  commit: {literal(provenance.commit)},",
        f"  source: {literal(provenance.source)},",
        "} as const;",
        "",
    ]
    return [
        *_TRANSPORT.split("\n"),
        "/** The destinations of the plan's sources and name mappings. */",
        f"export type Destination = {destinations};",
        "",
        *options,
        "}",
        "",
        *plan,
        *_SETUP.split("\n"),
    ]


_TRANSPORT = """\
/** Where calls go: one small adapter per analytics SDK (docs/codegen.md shows some). */
export interface Transport {
  track(name: string, properties: Readonly<Record<string, unknown>>, context: TrackContext): void;
  identify(userId: string, traits: Readonly<Record<string, unknown>>, context: TrackContext): void;
  group(groupId: string, traits: Readonly<Record<string, unknown>>, context: TrackContext): void;
}

/** Sent with every call: the plan and commit it was generated from, so each payload can be checked against them. */
export interface TrackContext {
  readonly plan: string;
  /** The last commit that changed the plan (null: generated from uncommitted files). */
  readonly commit: string | null;
  readonly source: string | null;
  /** The event's name in the plan ("$identify" and "$group" for traits). */
  readonly event: string;
  readonly eventVersion: string | null;
  /** Properties the plan sends as user properties (x-send-as: UserProperty). */
  readonly userProperties: readonly string[];
  /** What the call passed as `extra`, for the adapter. */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** A value that breaks the plan, found by a generated check. */
export interface Violation {
  readonly event: string;
  /** Where in the properties: "order_id", "items[0].sku"; "" for the properties themselves. */
  readonly path: string;
  readonly message: string;
}

export interface CallOptions {
  /** Send this call with another transport than the one given to setup(). */
  readonly transport?: Transport;
  readonly extra?: Readonly<Record<string, unknown>>;
}
"""

_SETUP = """\
let _options: Options | null = null;

/** Set the transport every generated call uses; call it once, before tracking. */
export function setup(options: Options): void {
  _options = options;
}
"""


def _send(validate: str) -> list[str]:
    check_type = (
        ["  readonly check: (value: unknown, path: string, report: _Report) => void;"] if validate != "none" else []
    )
    run_checks = {
        "none": [],
        "dev": ["  if (current.validate !== false) _validate(current, info, properties);"],
        "always": ["  _validate(current, info, properties);"],
    }[validate]
    lines = [
        "// -- generated runtime: nothing below is part of the API --",
        "",
        "interface _EventInfo {",
        "  readonly name: string;",
        "  readonly version: string | null;",
        "  readonly names: { readonly [destination: string]: string };",
        "  readonly keys: { readonly [destination: string]: { readonly [key: string]: string } };",
        "  readonly userProperties: readonly string[];",
        *check_type,
        "}",
        "",
        *(["type _Report = (path: string, message: string) => void;", ""] if validate != "none" else []),
        "function _own<T>(map: { readonly [key: string]: T }, key: string | undefined): T | undefined {",
        "  return key !== undefined && Object.prototype.hasOwnProperty.call(map, key) ? map[key] : undefined;",
        "}",
        "",
        "function _send(",
        '  kind: "track" | "identify" | "group",',
        "  subject: string,",
        "  properties: object,",
        "  options: CallOptions | undefined,",
        "  info: _EventInfo,",
        "): void {",
        "  const current = _options;",
        '  if (current === null) throw new Error("trackplan: call setup({ transport }) before tracking");',
        *run_checks,
        *_SEND_BODY.split("\n"),
    ]
    return lines + (_VALIDATE.split("\n") if validate != "none" else [])


_SEND_BODY = """\
  const given = properties as { readonly [key: string]: unknown };
  const renamed = _own(info.keys, current.destination) ?? {};
  const payload: { [key: string]: unknown } = {};
  for (const key of Object.keys(given)) {
    if (given[key] !== undefined) payload[_own(renamed, key) ?? key] = given[key];
  }
  const context: TrackContext = {
    plan: PLAN.name,
    commit: PLAN.commit,
    source: PLAN.source,
    event: info.name,
    eventVersion: info.version,
    userProperties: info.userProperties,
    extra: options?.extra ?? {},
  };
  const transport = options?.transport ?? current.transport;
  if (kind === "track") transport.track(_own(info.names, current.destination) ?? info.name, payload, context);
  else if (kind === "identify") transport.identify(subject, payload, context);
  else transport.group(subject, payload, context);
}
"""

_VALIDATE = """\
function _validate(current: Options, info: _EventInfo, properties: object): void {
  info.check(properties, "", (path, message) => {
    const violation: Violation = { event: info.name, path, message };
    if (current.onViolation !== undefined) current.onViolation(violation);
    else throw new Error(`trackplan: ${info.name}: ${path === "" ? "properties" : path} ${message}`);
  });
}
"""


# -- inlined checks ---------------------------------------------------------------------------

_TESTS = {
    "string": 'typeof {v} === "string"',
    "integer": 'typeof {v} === "number" && _isInteger({v})',
    "number": 'typeof {v} === "number" && isFinite({v})',
    "boolean": 'typeof {v} === "boolean"',
    "array": "Array.isArray({v})",
    "object": "_isObject({v})",
    "null": "{v} === null",
}
_RULES = {
    "pattern": "!_matches({bound}, {v})",
    "minLength": "_length({v}) < {bound}",
    "maxLength": "_length({v}) > {bound}",
    "minimum": "{v} < {bound}",
    "maximum": "{v} > {bound}",
    "exclusiveMinimum": "{v} <= {bound}",
    "exclusiveMaximum": "{v} >= {bound}",
    "minItems": "{v}.length < {bound}",
    "maxItems": "{v}.length > {bound}",
}
_HELPERS = {
    "_isObject": """\
function _isObject(value: unknown): value is { readonly [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}""",
    "_at": """\
function _at(path: string, key: string): string {
  return path === "" ? key : path + "." + key;
}""",
    "_item": """\
function _item(path: string, index: number): string {
  return path + "[" + index + "]";
}""",
    "_required": """\
function _required(
  value: { readonly [key: string]: unknown },
  keys: readonly string[],
  path: string,
  report: _Report,
): void {
  for (const key of keys) if (_own(value, key) === undefined) report(_at(path, key), "is required");
}""",
    "_closed": """\
function _closed(
  value: { readonly [key: string]: unknown },
  keys: readonly string[],
  path: string,
  report: _Report,
): void {
  for (const key of Object.keys(value)) {
    if (keys.indexOf(key) < 0 && value[key] !== undefined) report(_at(path, key), "is not in the plan");
  }
}""",
    "_oneOf": """\
function _oneOf(value: unknown, options: readonly unknown[]): boolean {
  return options.indexOf(value) >= 0;
}""",
    "_isInteger": """\
function _isInteger(value: number): boolean {
  return isFinite(value) && Math.floor(value) === value;
}""",
    "_length": """\
/** Length in code points, as JSON Schema counts it. */
function _length(value: string): number {
  return value.replace(/[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]/g, " ").length;
}""",
    "_matches": """\
const _patterns: { [source: string]: RegExp | null } = {};

/** A pattern JavaScript cannot compile is not checked rather than failing the call. */
function _matches(source: string, value: string): boolean {
  if (!Object.prototype.hasOwnProperty.call(_patterns, source)) {
    let compiled: RegExp | null = null;
    try {
      compiled = new RegExp(source, "u");
    } catch {
      compiled = null;
    }
    _patterns[source] = compiled;
  }
  const pattern = _patterns[source];
  return !pattern || pattern.test(value);
}""",
}
# Helpers that call other helpers.
_HELPER_NEEDS = {"_required": ("_at",), "_closed": ("_at",)}


class _Emitter:
    """Writes interfaces and check functions, and keeps track of the helpers the checks call.

    Plans repeat property schemas, which share one TypeRef: the lines of a property are
    kept by its key and the identity of its type (alive for the whole render)."""

    def __init__(self) -> None:
        self.needed: set[str] = set()
        self._members: dict[tuple[str, bool, str, int], list[str]] = {}
        self._checks: dict[tuple[str, int], list[str]] = {}

    def interface(self, obj: ObjectType) -> list[str]:
        if not obj.fields:
            return [
                *_doc([obj.description or "No properties."]),
                f"export type {obj.name} = Record<string, never>;",
                "",
            ]
        out = _doc([obj.description]) if obj.description else []
        out.append(f"export interface {obj.name} {{")
        for field in obj.fields:
            memo = (field.key, field.required, field.description, id(field.type))
            lines = self._members.get(memo)
            if lines is None:
                lines = _doc([field.description], INDENT) if field.description else []
                optional = "" if field.required else "?"
                lines.append(f"{INDENT}readonly {_key(field.key)}{optional}: {type_expression(field.type)};")
                self._members[memo] = lines
            out += lines
        return [*out, "}", ""]

    def _use(self, helper: str) -> str:
        self.needed.add(helper)
        self.needed.update(_HELPER_NEEDS.get(helper, ()))
        return helper

    def helpers(self) -> list[str]:
        out: list[str] = []
        for name, text in _HELPERS.items():
            if name in self.needed:
                out += [*text.splitlines(), ""]
        return out

    def checker(self, obj: ObjectType) -> list[str]:
        out = [
            f"function {checker_name(obj)}(value: unknown, path: string, report: _Report): void {{",
            f"  if (!{self._use('_isObject')}(value)) {{",
            '    report(path, "must be an object");',
            "    return;",
            "  }",
        ]
        if obj.required_keys:
            out.append(
                f"  {self._use('_required')}(value, [{', '.join(map(literal, obj.required_keys))}], path, report);"
            )
        if obj.closed:
            keys = ", ".join(literal(f.key) for f in obj.fields)
            out.append(f"  {self._use('_closed')}(value, [{keys}], path, report);")
        checked = [f for f in obj.fields if f.type.checked]
        if checked:
            out.append("  let v: unknown;")
        for field in checked:
            out += self._field(field)
        return [*out, "}", ""]

    def _field(self, field: Field) -> list[str]:
        memo = (field.key, id(field.type))
        lines = self._checks.get(memo)
        if lines is None:
            path = f"{self._use('_at')}(path, {literal(field.key)})"
            lines = [f"  v = _own(value, {literal(field.key)});", "  if (v !== undefined) {"]
            lines += [f"    {line}" for line in self.value(field.type, "v", path, 0)]
            lines.append("  }")
            self._checks[memo] = lines
        return lines

    def value(self, ref: TypeRef, v: str, path: str, depth: int) -> list[str]:
        """Statements that report what in `v` (a value at `path`) breaks `ref`."""
        if ref.literals is not None:
            options = ", ".join(literal(value) for value in ref.literals)
            return [f"if (!{self._use('_oneOf')}({v}, [{options}])) report({path}, {literal(ref.literal_message())});"]
        if not ref.kinds:
            return []
        tests = {kind: self._test(kind, v) for kind in ref.kinds}
        test = " || ".join(tests.values())
        test = f"!({test})" if len(tests) > 1 or " " in test else f"!{test}"
        out = [f"if ({test}) report({path}, {literal(ref.kind_message())});"]
        for kind in ref.kinds:
            body = [self._rule(rule, v, path) for rule_kind, rule in ref.rules if rule_kind == kind]
            body += self._contents(kind, ref, v, path, depth)
            if body:
                out += [f"if ({tests[kind]}) {{", *(INDENT + line for line in body), "}"]
        return out

    def _test(self, kind: str, v: str) -> str:
        if kind == "integer":
            self._use("_isInteger")
        if kind == "object":
            self._use("_isObject")
        return _TESTS[kind].format(v=v)

    def _rule(self, rule: Rule, v: str, path: str) -> str:
        if rule.keyword == "pattern":
            self._use("_matches")
        if rule.keyword in ("minLength", "maxLength"):
            self._use("_length")
        test = _RULES[rule.keyword].format(v=v, bound=literal(rule.bound))
        return f"if ({test}) report({path}, {literal(rule.message)});"

    def _contents(self, kind: str, ref: TypeRef, v: str, path: str, depth: int) -> list[str]:
        if kind == "object" and ref.object is not None:
            return [f"{checker_name(ref.object)}({v}, {path}, report);"]
        if kind != "array" or ref.item is None or not ref.item.checked:
            return []
        index, item = f"i{depth + 1}", f"v{depth + 1}"
        inner = self.value(ref.item, item, f"{self._use('_item')}({path}, {index})", depth + 1)
        return [
            f"for (let {index} = 0; {index} < {v}.length; {index}++) {{",
            f"  const {item}: unknown = {v}[{index}];",
            *(INDENT + line for line in inner),
            "}",
        ]

"""Rules that need one plan file and the settings: YAML and JSON Schema validity, the event's
name, file name, keys, sources, owners, status and version, `$ref`s, property names, enums,
values and patterns, and scalars YAML 1.1 and 1.2 read differently."""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable, Iterable
from functools import cache
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.linting.config import LintConfig
from trackplan.linting.findings import Finding, parse_error
from trackplan.model import EVENT_HEAD_KEYS, STATUS_VALUES, SchemaVer, Settings
from trackplan.model.slugs import slugify
from trackplan.repo.paths import is_event_file, relocated
from trackplan.repo.reading import event_from_document

# The x- keys the model reads, plus those imports keep for their exports and context files'
# `x-source`; docs/format.md lists each (a test keeps the two in step).
EVENT_X_KEYS = {k for k in EVENT_HEAD_KEYS if k.startswith("x-")} | {
    "x-vendor",
    "x-schema-name",
    "x-schema-type",
    "x-schema-title",
    "x-iglu-omits",
    "x-meta-schema",
    "x-iglu-earlier",
    "x-hidden",
    "x-custom-data",
    "x-segment-required",
    "x-ampli-key",
    "x-variants",
    "x-source",
}
PROPERTY_X_KEYS = {"x-id", "x-send-as", "x-name-mapping", "x-tags", "x-group-type", "x-sent-with", "x-custom-type"}
PROPERTY_X_KEYS |= {"x-variants"}  # a RudderStack property of a custom type with variants
CONVENTIONS = {
    "Title Case": re.compile(r"^[A-Z0-9][A-Za-z0-9]*(?: [A-Z0-9][A-Za-z0-9]*)*$"),
    "snake_case": re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$"),
    "camelCase": re.compile(r"^[a-z][a-zA-Z0-9]*$"),
    "PascalCase": re.compile(r"^[A-Z][a-zA-Z0-9]*$"),
    "kebab-case": re.compile(r"^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$"),
}
JSON_TYPE_CHECK: dict[str, Callable[[Any], bool]] = {
    "string": lambda v: isinstance(v, str),
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


_MISSING = object()


def _convention(name: str, convention: str | None) -> bool:
    """Whether the name follows the convention; one that is no regular expression checks
    nothing (TP132 reports it in trackplan.yaml)."""
    if not convention:
        return True
    try:
        pattern = CONVENTIONS.get(convention) or re.compile(convention)
    except re.error:
        return True
    return bool(pattern.match(name))


def _scalar(value: Any) -> str:
    """A value from the file as YAML writes it: `null`, `true`, `5`, or the string itself."""
    return value if isinstance(value, str) else json.dumps(value, default=str)


# The meta-schemas jsonschema_rs holds, by what names each in a `$schema` URL.
META_SCHEMAS = {
    "draft-04": "http://json-schema.org/draft-04/schema#",
    "draft-06": "http://json-schema.org/draft-06/schema#",
    "draft-07": "http://json-schema.org/draft-07/schema#",
    "2019-09": "https://json-schema.org/draft/2019-09/schema",
    "2020-12": "https://json-schema.org/draft/2020-12/schema",
}


def _dialect(doc: dict[str, Any]) -> str:
    """The draft a plan file is written in: the one its `$schema` (or, kept from an import,
    `x-meta-schema`) names; draft-04 for an Iglu schema, whose self-describing meta-schema
    extends draft-04; else 2020-12."""
    for key in ("$schema", "x-meta-schema"):
        named = doc.get(key)
        if isinstance(named, str):
            found = next((draft for draft in META_SCHEMAS if draft in named), None)
            if found is not None:
                return found
    return "draft-04" if "x-vendor" in doc else "2020-12"


@cache
def _meta_validator(dialect: str) -> Any:
    """A validator of schemas of a draft, to list all of a schema's errors: `jsonschema_rs.meta`
    stops at the first. It never goes online."""
    import jsonschema_rs

    url = META_SCHEMAS[dialect]
    return jsonschema_rs.validator_for({"$schema": url, "$ref": url}, offline=True)


def _non_finite(node: Any, at: tuple[str, ...] = ()) -> Iterable[tuple[tuple[str, ...], str]]:
    """The NaNs and infinities in a document, with their key paths, as YAML writes them."""
    if isinstance(node, float) and not math.isfinite(node):
        yield at, ".nan" if math.isnan(node) else ".inf" if node > 0 else "-.inf"
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _non_finite(value, (*at, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _non_finite(value, (*at, str(i)))


def _walk_refs(node: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[str, tuple[str, ...]]]:
    """Every `$ref` string in a document, with the key path to it."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        if isinstance(ref, str):
            yield ref, (*path, "$ref")
        for key, value in node.items():
            yield from _walk_refs(value, (*path, str(key)))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _walk_refs(value, (*path, str(i)))


def _pointer(doc: Any, ref: str) -> Any:
    """What a local JSON pointer (`#/a/b`) names in the document, or `_MISSING`."""
    target = doc
    for part in ref[2:].split("/") if ref != "#" else []:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(target, dict) and part in target:
            target = target[part]
        elif isinstance(target, list) and part.isdigit() and int(part) < len(target):
            target = target[int(part)]
        else:
            return _MISSING
    return target


class FileLinter:
    """The per-file rules over one plan file; `run` parses it and leaves the findings in `findings`."""

    def __init__(self, path: str, text: str, settings: Settings, config: LintConfig) -> None:
        self.path, self.text, self.settings, self.config = path, text, settings, config
        self.findings: list[Finding] = []
        self.event: str | None = None

    def add(self, rule: str, message: str, *where: str) -> None:
        self.findings.append(Finding.of(rule, self.path, message, event=self.event, where=where))

    def run(self) -> Any:
        """The parsed document, or None when it is not a YAML mapping (a TP101 finding then)."""
        try:
            doc = yamlio.load(self.text, self.path)
        except InputError as exc:
            self.findings.append(parse_error(self.path, exc))
            return None
        if not isinstance(doc, dict):
            self.findings.append(
                Finding("TP101", "error", self.path, "the file must hold a mapping (a JSON Schema object)")
            )
            return None
        title = doc.get("title")
        is_event = is_event_file(self.path)
        if isinstance(title, str) and title.strip():
            self.event = title
        elif is_event:
            self.add("TP103", "`title` is missing or empty")
        self._schema(doc)
        if is_event:
            self._readable(doc)
            self._event(doc)
        self._refs(doc)
        self._properties(doc)
        self._ambiguous()
        return doc

    def _schema(self, doc: dict[str, Any]) -> None:
        """Every way the event is not a JSON Schema, as check-jsonschema lists them, each at its key."""
        import jsonschema_rs

        not_json = dict(_non_finite(doc))  # jsonschema_rs reads NaN and infinities as null
        for where, value in not_json.items():
            self._not_a_schema(where, f"{value} is not a JSON number")
        dialect = _dialect(doc)
        try:
            jsonschema_rs.meta.validate({**doc, "$schema": META_SCHEMAS[dialect]})
            return
        except jsonschema_rs.ValidationError as first:
            errors = list(_meta_validator(dialect).iter_errors(doc)) or [first]
        except jsonschema_rs.ReferencingError:
            return  # reported by TP111
        reported = set()
        for error in errors:  # one wrong value fails several branches of the meta-schema alike
            where = tuple(str(p) for p in error.instance_path)
            if where not in not_json and (where, error.message) not in reported:
                reported.add((where, error.message))
                self._not_a_schema(where, error.message)

    def _not_a_schema(self, where: tuple[str, ...], problem: str) -> None:
        self.add("TP102", f"not a valid JSON Schema at `{'/'.join(where) or '(root)'}`: {problem}", *where)

    def _readable(self, doc: dict[str, Any]) -> None:
        """The event as every other verb reads it: what stops them is a finding here."""
        try:
            event_from_document(doc, self.path)
        except InputError as exc:
            message = str(exc).removeprefix(f"{self.path}: ")
            field = re.match(r"field '([^']+)'", message)
            self.add("TP130", message, *(field.group(1).split(".") if field else ()))

    def _event(self, doc: dict[str, Any]) -> None:
        title = self.event
        if title is not None:
            stem = self.path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
            slug = slugify(title)
            if stem != slug and not re.fullmatch(rf"{re.escape(slug)}-[0-9a-f]{{8}}", stem):
                self.add("TP105", f"file name `{stem}` does not match the title's slug `{slug}`", "title")
            if not _convention(title, self.config.event_naming):
                self.add("TP113", f"event name `{title}` is not {self.config.event_naming}", "title")
        if self.settings.events_layout == "sharded":
            home = relocated(self.path, sharded=True)
            if home != self.path:
                self.add("TP127", f"in a sharded plan this file belongs in {home}")
        if self.config.event_descriptions and not str(doc.get("description") or "").strip():
            self.add(
                "TP115", f"event `{title}` has no description" if title else "the event has no description", "title"
            )
        for key in doc:
            if str(key).startswith("x-") and key not in EVENT_X_KEYS:
                self.add("TP106", f"unknown key `{key}`", str(key))
        declared = set(self.settings.source_names)
        for source in doc.get("x-sources") or []:
            if str(source) not in declared:
                self.add("TP107", f"source `{_scalar(source)}` is not declared in trackplan.yaml", "x-sources")
        domains = set(self.settings.domain_names)
        for key in ("x-owner", "x-stakeholders"):
            value = doc.get(key)
            for domain in value if isinstance(value, list) else [value] if value else []:
                if str(domain) not in domains:
                    self.add("TP108", f"domain `{_scalar(domain)}` ({key}) is not declared in trackplan.yaml", key)
        status = doc.get("x-status")
        if status is not None and status not in STATUS_VALUES:
            self.add("TP109", f"status `{_scalar(status)}` is not one of {', '.join(STATUS_VALUES)}", "x-status")
        version = doc.get("x-version")
        if version is not None:
            try:
                SchemaVer.parse(str(version))
            except ValueError:
                self.add(
                    "TP110", f"version `{_scalar(version)}` is not SchemaVer (MODEL-REVISION-ADDITION)", "x-version"
                )

    def _refs(self, doc: dict[str, Any]) -> None:
        for ref, where in _walk_refs(doc):
            if not ref.startswith("#"):
                self.add("TP111", f"$ref `{ref}` points outside this file and cannot be checked offline", *where)
                continue
            seen = [ref]
            target = _pointer(doc, ref)
            while isinstance(target, dict) and isinstance(target.get("$ref"), str) and target["$ref"].startswith("#"):
                nxt = target["$ref"]
                if nxt in seen:
                    self.add("TP112", f"circular $ref: {' -> '.join([*seen, nxt])}", *where)
                    break
                seen.append(nxt)
                target = _pointer(doc, nxt)
            if target is _MISSING:
                self.add("TP111", f"$ref `{seen[-1]}` does not resolve", *where)

    def _properties(self, doc: dict[str, Any]) -> None:
        props = doc.get("properties")
        if not isinstance(props, dict):
            return
        required = doc.get("required")
        for name in required if isinstance(required, list) else []:
            if name not in props:
                self.add("TP121", f"`{_scalar(name)}` is required but not a property", "required")
        is_event = is_event_file(self.path)
        for name, spec in props.items():
            where = ("properties", str(name))
            if is_event and not _convention(str(name), self.config.property_naming):
                self.add("TP114", f"property `{name}` is not {self.config.property_naming}", *where)
            if not isinstance(spec, dict):
                continue
            if is_event and self.config.property_descriptions and not str(spec.get("description") or "").strip():
                self.add("TP115", f"property `{name}` has no description", *where)
            for key in spec:
                if str(key).startswith("x-") and key not in PROPERTY_X_KEYS:
                    self.add("TP106", f"unknown key `{key}` on property `{name}`", *where, str(key))
            self._values(str(name), spec, where)
            items = spec.get("items")
            if isinstance(items, dict):
                self._values(f"{name}[]", items, (*where, "items"))

    def _values(self, name: str, spec: dict[str, Any], where: tuple[str, ...]) -> None:
        enum = spec.get("enum")
        if isinstance(enum, list):
            if not enum:
                self.add("TP120", f"`{name}` has an empty enum", *where, "enum")
            seen: list[str] = []
            for value in enum:
                key = json.dumps(value, sort_keys=True)
                if key in seen:
                    self.add("TP119", f"`{name}`: enum value {key} is repeated", *where, "enum")
                seen.append(key)
        kind = spec.get("type")
        kinds = kind if isinstance(kind, list) else [kind] if isinstance(kind, str) else []
        checks = [JSON_TYPE_CHECK[k] for k in kinds if k in JSON_TYPE_CHECK]
        if checks:
            values = [
                *(enum if isinstance(enum, list) else []),
                *([spec["const"]] if "const" in spec else []),
            ]
            for value in values:
                if not any(check(value) for check in checks):
                    self.add(
                        "TP122",
                        f"`{name}`: value {json.dumps(value)} is not of type {' or '.join(kinds)}",
                        *where,
                    )
        pattern = spec.get("pattern")
        if isinstance(pattern, str):
            try:
                re.compile(pattern)
            except re.error as exc:
                self.add("TP123", f"`{name}`: pattern {pattern!r} is not a valid regex ({exc})", *where, "pattern")

    def _ambiguous(self) -> None:
        for value, line, column in yamlio.differing_scalars(self.text):
            message = f"`{value}` reads differently in YAML 1.1 and 1.2; quote it"
            finding = Finding.of("TP118", self.path, message, event=self.event)
            finding.line, finding.column = line, column
            self.findings.append(finding)

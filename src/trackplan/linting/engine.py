"""`trackplan validate`: lint every plan file, with exact positions.

Per-file rules see one file and the settings; cross-file rules (duplicate titles, case
collisions, property drift, user properties) see a small summary of every event. Findings
carry file, line and column taken from the YAML nodes, found only for files that have
findings.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

import yaml

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.linting.rules import RULES
from trackplan.memory import building
from trackplan.model import EVENT_HEAD_KEYS, STATUS_VALUES, SchemaVer, Settings
from trackplan.model.slugs import slugify
from trackplan.repo.paths import IDENTIFY_FILE, SETTINGS_FILE, is_event_file, is_plan_file, relocated
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace

LEVELS = ("error", "warning", "info")
# The x- keys the model reads, plus those kept from Snowplow imports and context files.
EVENT_X_KEYS = {k for k in EVENT_HEAD_KEYS if k.startswith("x-")} | {
    "x-vendor",
    "x-schema-name",
    "x-schema-type",
    "x-source",
}
PROPERTY_X_KEYS = {"x-id", "x-send-as", "x-name-mapping", "x-tags", "x-group-type", "x-sent-with"}
AMBIGUOUS_11 = re.compile(
    r"^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|on|On|ON|off|Off|OFF|[-+]?0[0-9_]+|[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+)$"
)
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


@dataclass
class Finding:
    rule: str
    severity: str
    file: str
    message: str
    line: int = 1
    column: int = 1
    event: str | None = None
    where: tuple[str, ...] = ()  # the key path in the document, for positioning

    @property
    def hint(self) -> str:
        return RULES[self.rule].hint

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": RULES[self.rule].name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "event": self.event,
            "message": self.message,
            "hint": self.hint,
        }

    def annotation(self, prefix: str = "") -> str:
        from trackplan.report.github import escape_data, escape_property

        level = {"error": "error", "warning": "warning", "info": "notice"}[self.severity]
        return (
            f"::{level} file={escape_property(prefix + self.file)},line={self.line},col={self.column},"
            f"title={escape_property(self.rule + ' ' + RULES[self.rule].name)}::"
            f"{escape_data(self.message + ' — ' + self.hint)}"
        )


@dataclass
class LintConfig:
    severities: dict[str, str | None]
    event_descriptions: bool = True
    property_descriptions: bool = False
    event_naming: str | None = None
    property_naming: str | None = None
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    events_layout: str = "flat"
    flat_events_max: int = 1000  # GitHub lists 1,000 files of a folder

    @classmethod
    def from_settings(cls, settings: Settings) -> LintConfig:
        lint = settings.get("lint") or {}
        naming = settings.get("naming") or {}
        severities: dict[str, str | None] = {}
        for rule, value in dict(lint.get("rules") or {}).items():
            value = str(value).lower()
            severities[str(rule)] = None if value in ("off", "false", "none") else value
        descriptions = lint.get("descriptions") or {}
        return cls(
            severities=severities,
            event_descriptions=bool(descriptions.get("events", True)),
            property_descriptions=bool(descriptions.get("properties", False)),
            event_naming=naming.get("events"),
            property_naming=naming.get("properties"),
            suppressions=[dict(s) for s in lint.get("suppress") or []],
            events_layout=settings.events_layout,
            flat_events_max=_positive(lint.get("flat_events_max"), 1000),
        )

    def severity(self, rule: str) -> str | None:
        if rule in self.severities:
            value = self.severities[rule]
            return value if value is None or value in LEVELS else RULES[rule].severity
        return RULES[rule].severity


@dataclass
class LintReport:
    findings: list[Finding]
    files: int

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {level: sum(1 for f in self.findings if f.severity == level) for level in LEVELS}


def _convention(name: str, convention: str | None) -> bool:
    if not convention:
        return True
    pattern = CONVENTIONS.get(convention) or re.compile(convention)
    return bool(pattern.match(name))


def _walk_refs(node: Any, path: tuple[str, ...] = ()) -> Iterable[tuple[str, tuple[str, ...]]]:
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


_MISSING = object()


class FileLinter:
    """Per-file rules."""

    def __init__(self, path: str, text: str, settings: Settings, config: LintConfig) -> None:
        self.path, self.text, self.settings, self.config = path, text, settings, config
        self.findings: list[Finding] = []
        self.event: str | None = None

    def add(self, rule: str, message: str, *where: str) -> None:
        self.findings.append(
            Finding(rule, RULES[rule].severity, self.path, message, event=self.event, where=tuple(where))
        )

    def run(self) -> Any:
        try:
            doc = yamlio.load(self.text, self.path)
        except InputError as exc:
            finding = Finding("TP101", "error", self.path, str(exc).split(": ", 1)[-1])
            match = re.search(rf"{re.escape(self.path)}:(\d+):(\d+)", str(exc))
            if match:
                finding.line, finding.column = int(match.group(1)), int(match.group(2))
            self.findings.append(finding)
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
            self._event(doc)
        self._refs(doc)
        self._properties(doc)
        self._ambiguous()
        return doc

    def _schema(self, doc: dict[str, Any]) -> None:
        import jsonschema_rs

        try:
            jsonschema_rs.meta.validate(doc)
        except jsonschema_rs.ValidationError as exc:
            where = tuple(str(p) for p in exc.instance_path)
            self.add("TP102", f"not a valid JSON Schema at `{'/'.join(where) or '(root)'}`: {exc.message}", *where)
        except jsonschema_rs.ReferencingError:
            pass  # reported by TP111

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
            self.add("TP115", f"event `{title}` has no description", "title")
        for key in doc:
            if str(key).startswith("x-") and key not in EVENT_X_KEYS:
                self.add("TP106", f"unknown key `{key}`", str(key))
        declared = set(self.settings.source_names)
        for source in doc.get("x-sources") or []:
            if str(source) not in declared:
                self.add("TP107", f"source `{source}` is not declared in trackplan.yaml", "x-sources")
        domains = set(self.settings.domain_names)
        for key in ("x-owner", "x-stakeholders"):
            value = doc.get(key)
            for domain in value if isinstance(value, list) else [value] if value else []:
                if str(domain) not in domains:
                    self.add("TP108", f"domain `{domain}` ({key}) is not declared in trackplan.yaml", key)
        status = doc.get("x-status")
        if status is not None and status not in STATUS_VALUES:
            self.add("TP109", f"status `{status}` is not one of {', '.join(STATUS_VALUES)}", "x-status")
        version = doc.get("x-version")
        if version is not None:
            try:
                SchemaVer.parse(str(version))
            except ValueError:
                self.add("TP110", f"version `{version}` is not SchemaVer (MODEL-REVISION-ADDITION)", "x-version")

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
                self.add("TP121", f"`{name}` is required but not a property", "required")
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
        # Composing is costly: only files with a candidate token get a look.
        if not re.search(r"[:\[,-]\s*(?:y|n|yes|no|on|off|0\d|\d+:\d)", self.text, re.I):
            return
        try:
            root = yaml.compose(self.text, Loader=yaml.CSafeLoader)
        except yaml.YAMLError:
            return
        stack = [root]
        while stack:
            node = stack.pop()
            if isinstance(node, yaml.MappingNode):
                for key, value in node.value:
                    stack.extend((key, value))
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
            elif isinstance(node, yaml.ScalarNode) and not node.style and AMBIGUOUS_11.match(node.value):
                finding = Finding(
                    "TP118",
                    RULES["TP118"].severity,
                    self.path,
                    f"`{node.value}` reads differently in YAML 1.1 and 1.2; quote it",
                    event=self.event,
                )
                finding.line, finding.column = node.start_mark.line + 1, node.start_mark.column + 1
                self.findings.append(finding)


def positions(text: str, findings: list[Finding]) -> None:
    """Fill line and column from the YAML nodes of each finding's key path."""
    try:
        root = yaml.compose(text, Loader=yaml.CSafeLoader)
    except yaml.YAMLError:
        return
    for finding in findings:
        if not finding.where or finding.rule in ("TP101", "TP118"):
            continue
        node, mark = root, None
        for part in finding.where:
            if isinstance(node, yaml.MappingNode):
                found = next(((k, v) for k, v in node.value if k.value == part), None)
                if found is None:
                    break
                mark, node = found[0].start_mark, found[1]
            elif isinstance(node, yaml.SequenceNode) and part.isdigit() and int(part) < len(node.value):
                node = node.value[int(part)]
                mark = node.start_mark
            else:
                break
        if mark is not None:
            finding.line, finding.column = mark.line + 1, mark.column + 1


def _positive(value: Any, default: int) -> int:
    """A count from the settings; anything else keeps the default, as unknown levels do."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def _large_flat_folder(results: Mapping[str, Any], config: LintConfig) -> list[Finding]:
    flat = sum(1 for path in results if is_event_file(path) and path.count("/") == 1)
    if config.events_layout != "flat" or flat <= config.flat_events_max:
        return []
    message = (
        f"events/ holds {flat} event files in one folder (more than {config.flat_events_max}); "
        "GitHub lists 1,000 files of a folder, and every commit and diff handles the whole folder"
    )
    return [Finding("TP128", RULES["TP128"].severity, SETTINGS_FILE, message)]


def _cross_file(summaries: dict[str, dict[str, Any]], identify: dict[str, Any] | None) -> list[Finding]:
    out: list[Finding] = []
    by_title: dict[str, list[str]] = {}
    for path, summary in sorted(summaries.items()):
        by_title.setdefault(summary["title"], []).append(path)
    for title, paths in by_title.items():
        for path in paths[1:]:
            out.append(
                Finding(
                    "TP104",
                    "error",
                    path,
                    f"event `{title}` is also defined in {paths[0]}",
                    event=title,
                    where=("title",),
                )
            )
    folded: dict[str, set[str]] = {}
    for title in by_title:
        folded.setdefault(title.casefold(), set()).add(title)
    for names in folded.values():
        if len(names) > 1:
            for name in sorted(names)[1:]:
                path = by_title[name][0]
                out.append(
                    Finding(
                        "TP117",
                        "error",
                        path,
                        f"event `{name}` collides with "
                        f"{', '.join(f'`{n}`' for n in sorted(names) if n != name)} when case is ignored",
                        event=name,
                        where=("title",),
                    )
                )
    types: dict[str, dict[str, list[str]]] = {}
    for _, summary in sorted(summaries.items()):
        for prop, kind in summary["types"].items():
            types.setdefault(prop, {}).setdefault(kind, []).append(summary["title"])
    for prop, kinds in sorted(types.items()):
        if len(kinds) > 1:
            detail = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(kinds.items()))
            first = sorted(p for p, s in summaries.items() if prop in s["types"])[0]
            out.append(
                Finding(
                    "TP116",
                    "warning",
                    first,
                    f"property `{prop}` has different types across events ({detail})",
                    event=summaries[first]["title"],
                    where=("properties", prop),
                )
            )
    traits = (identify or {}).get("properties") or {}
    for path, summary in sorted(summaries.items()):
        for prop in summary["user"]:
            trait = traits.get(prop)
            if not isinstance(trait, dict):
                out.append(
                    Finding(
                        "TP124",
                        "warning",
                        path,
                        f"user property `{prop}` is not a trait in identify.yaml",
                        event=summary["title"],
                        where=("properties", prop),
                    )
                )
            elif json.dumps(trait.get("type")) != summary["types"].get(prop, "null"):
                out.append(
                    Finding(
                        "TP124",
                        "warning",
                        path,
                        f"user property `{prop}` has type {summary['types'].get(prop)} here but "
                        f"{json.dumps(trait.get('type'))} in identify.yaml",
                        event=summary["title"],
                        where=("properties", prop),
                    )
                )
    return out


def _summary(doc: dict[str, Any]) -> dict[str, Any]:
    found = doc.get("properties")
    props: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "title": str(doc.get("title") or ""),
        "types": {str(k): json.dumps(v.get("type")) for k, v in props.items() if isinstance(v, dict)},
        "user": [str(k) for k, v in props.items() if isinstance(v, dict) and v.get("x-send-as") == "UserProperty"],
    }


LINT_VERSION = 2  # bump when a per-file rule changes, so cached results are not reused


def analyse(path: str, text: str, settings: Settings, config: LintConfig) -> dict[str, Any]:
    """Per-file findings (positioned) and what cross-file rules need of the file. Depends
    only on the file and the settings, so it can be cached by their blob ids."""
    linter = FileLinter(path, text, settings, config)
    doc = linter.run()
    if linter.findings:
        positions(text, linter.findings)
    result: dict[str, Any] = {"findings": [_finding_json(f) for f in linter.findings]}
    if is_event_file(path) and isinstance(doc, dict) and doc.get("title"):
        result["summary"] = _summary(doc)
    if path == IDENTIFY_FILE and isinstance(doc, dict):
        props = doc.get("properties")
        result["identify"] = {"properties": props if isinstance(props, dict) else {}}
    return result


def _finding_json(finding: Finding) -> dict[str, Any]:
    return {
        "rule": finding.rule,
        "severity": finding.severity,
        "message": finding.message,
        "line": finding.line,
        "column": finding.column,
        "event": finding.event,
        "where": list(finding.where),
    }


def _finding(path: str, data: Mapping[str, Any]) -> Finding:
    return Finding(
        data["rule"],
        data["severity"],
        path,
        data["message"],
        data["line"],
        data["column"],
        data["event"],
        tuple(data["where"]),
    )


def _settings(text: str) -> Settings:
    return Settings.from_json(yamlio.load(text, SETTINGS_FILE) or {})


def combine(
    results: Mapping[str, Mapping[str, Any]],
    config: LintConfig,
    text_of: Callable[[str], str],
    only: set[str] | None,
    files: int,
) -> LintReport:
    """Per-file results plus the cross-file rules, with the configuration applied."""
    findings = [
        _finding(path, data)
        for path, result in sorted(results.items())
        if only is None or path in only
        for data in result["findings"]
    ]
    summaries = {path: r["summary"] for path, r in results.items() if "summary" in r}
    identify = next((r["identify"] for r in results.values() if "identify" in r), None)
    for finding in [*_cross_file(summaries, identify), *_large_flat_folder(results, config)]:
        if only is None or finding.file in only:
            if finding.where:
                positions(text_of(finding.file), [finding])
            findings.append(finding)
    return LintReport(_configure(findings, config), files)


def lint_files(files: Mapping[str, bytes], only: set[str] | None = None) -> LintReport:
    """Lint plan files ({plan path: bytes}); `only` limits the findings to some paths."""

    def text_of(path: str) -> str:
        return files[path].decode("utf-8", "replace")

    try:
        settings = _settings(text_of(SETTINGS_FILE) if SETTINGS_FILE in files else "")
    except (InputError, ValueError, TypeError) as exc:
        return LintReport([Finding("TP101", "error", SETTINGS_FILE, str(exc))], len(files))
    config = LintConfig.from_settings(settings)
    results = {
        path: analyse(path, text_of(path), settings, config)
        for path in files
        if path != SETTINGS_FILE and is_plan_file(path)
    }
    return combine(results, config, text_of, only, len(files))


def _configure(findings: list[Finding], config: LintConfig) -> list[Finding]:
    """Severity overrides, rules turned off, and suppressions (which must say why)."""
    out = []
    used = [False] * len(config.suppressions)
    for finding in findings:
        severity = config.severity(finding.rule)
        if severity is None:
            continue
        finding.severity = severity
        suppressed = False
        for i, rule in enumerate(config.suppressions):
            if rule.get("rule") != finding.rule or not rule.get("reason"):
                continue
            if rule.get("file") == finding.file or (rule.get("event") and rule.get("event") == finding.event):
                used[i] = suppressed = True
        if not suppressed:
            out.append(finding)
    for i, rule in enumerate(config.suppressions):
        problem = None
        if not rule.get("reason"):
            problem = ("TP126", config.severity("TP126") or "error", "has no reason")
        elif not used[i] and config.severity("TP125"):
            problem = ("TP125", config.severity("TP125") or "warning", "suppresses nothing")
        if problem is not None:
            rule_id, severity, what = problem
            where = rule.get("file") or rule.get("event") or "?"
            message = f"suppression of {rule.get('rule')} for {where} {what}"
            out.append(Finding(rule_id, severity, SETTINGS_FILE, message, where=("lint", "suppress", str(i))))
    return sorted(out, key=lambda f: (f.file, f.line, f.column, f.rule))


def lint_ref(ws: Workspace, ref: str = WORKTREE, paths: Iterable[str] | None = None) -> LintReport:
    """Lint the plan at a ref (or the work tree). Per-file results are cached by (file blob,
    path, settings blob), so a warm run reads only the files that changed."""
    blobs = ws.plan_blobs(ref)
    only = set(paths) if paths is not None else None

    def text_of(path: str) -> str:
        return ws.read_blob(blobs[path]).decode("utf-8", "replace")

    settings_blob = blobs.get(SETTINGS_FILE, "")
    try:
        settings = _settings(text_of(SETTINGS_FILE) if settings_blob else "")
    except (InputError, ValueError, TypeError) as exc:
        return LintReport([Finding("TP101", "error", SETTINGS_FILE, str(exc))], len(blobs))
    config = LintConfig.from_settings(settings)
    keys = {
        # The path is part of the key: rules such as TP105 and TP127 read it.
        path: f"lint/{LINT_VERSION}/{settings_blob}/{blob}/{path}"
        for path, blob in blobs.items()
        if path != SETTINGS_FILE and is_plan_file(path)
    }
    cached = ws.cache.get_fragments(keys.values())
    results: dict[str, Any] = {}
    with building():
        _analyse_all(ws, keys, cached, results, text_of, settings, config)
    ws.cache.flush()
    report = combine(results, config, text_of, only, len(blobs))
    if settings_blob:
        positions(text_of(SETTINGS_FILE), [f for f in report.findings if f.file == SETTINGS_FILE])
    return report


def _analyse_all(
    ws: Workspace,
    keys: Mapping[str, str],
    cached: Mapping[str, bytes],
    results: dict[str, Any],
    text_of: Callable[[str], str],
    settings: Settings,
    config: LintConfig,
) -> None:
    """Per-file results, from the cache or analysed (and cached)."""
    for path, key in keys.items():
        value = cached.get(key)
        if value is None:
            result = analyse(path, text_of(path), settings, config)
            ws.cache.put_fragment(key, json.dumps(result, ensure_ascii=False).encode())
        else:
            result = json.loads(value)
        results[path] = result


def fingerprint(finding: Finding) -> str:
    return hashlib.sha256(f"{finding.rule}|{finding.file}|{finding.message}".encode()).hexdigest()[:16]

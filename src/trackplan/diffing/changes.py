"""The diff engine: two plans (or two versions of an event) -> change records.

Every record says what changed (op, subject, event, property, field, before/after), how bad
it is (a rule from `rules.py` and its severity under the chosen profile) and carries a
stable fingerprint. Set-like lists compare as sets, so reordering is not a change; a
rename (same x-id, new name) is one record. Schemas are compared keyword by keyword and
recursively through `properties` and `items`, so the same engine classifies whole events
and arbitrary JSON Schema pairs.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trackplan.diffing.records import BUMP_RANK, Change, DiffResult, VersionAdvice, plain_value
from trackplan.diffing.rules import RULES, SEVERITIES
from trackplan.model import Event, Plan, SchemaVer
from trackplan.model.frozen import sort_key, thaw

LOWER_BOUNDS = ("minimum", "exclusiveMinimum", "minLength", "minItems", "minProperties")
UPPER_BOUNDS = ("maximum", "exclusiveMaximum", "maxLength", "maxItems", "maxProperties")
SCHEMA_BUMP = {"breaking": "model", "warning": "revision", "info": "addition"}
METADATA_RULES = ("TP040", "TP041", "TP042")


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


def _covers(types: set[str] | None, kind: str) -> bool:
    return types is None or kind in types or (kind == "integer" and "number" in types)


def resolve_local_refs(schema: Any, root: Any = None, depth: int = 0) -> Any:
    """Inline `#/...` refs for comparison (cycles stop at a fixed depth)."""
    root = schema if root is None else root
    if depth > 32:
        return schema
    if isinstance(schema, Mapping):
        ref = schema.get("$ref")
        if isinstance(ref, str) and ref.startswith("#/"):
            target: Any = root
            for part in ref[2:].split("/"):
                target = target.get(part) if isinstance(target, Mapping) else None
            if isinstance(target, Mapping):
                merged = {**target, **{k: v for k, v in schema.items() if k != "$ref"}}
                return resolve_local_refs(merged, root, depth + 1)
        return {
            k: resolve_local_refs(v, root, depth + 1) for k, v in schema.items() if k not in ("definitions", "$defs")
        }
    if isinstance(schema, tuple | list):
        return [resolve_local_refs(v, root, depth + 1) for v in schema]
    return schema


@dataclass
class Differ:
    profile: str = "validation"
    overrides: Mapping[str, str] = field(default_factory=dict)

    def record(self, op: str, subject: str, rule: str, message: str, **where: Any) -> Change:
        severity = self.overrides.get(rule) or RULES[rule].severity(self.profile)
        if severity not in SEVERITIES:
            severity = RULES[rule].severity(self.profile)
        return Change(op=op, subject=subject, rule=rule, severity=severity, message=message, **where)

    # -- schemas ------------------------------------------------------------------------------
    def schema(self, old: Mapping[str, Any], new: Mapping[str, Any], where: dict[str, Any], label: str) -> list[Change]:
        """Changes between two (sub)schemas. `label` names the place in messages."""
        out: list[Change] = []
        if old == new:
            return out
        old, new = _single_branch(old), _single_branch(new)

        def rec(op: str, rule: str, message: str, keyword: str, before: Any = None, after: Any = None) -> None:
            out.append(
                self.record(
                    op,
                    where.get("subject", "property"),
                    rule,
                    message,
                    field=keyword,
                    before=before,
                    after=after,
                    **{k: v for k, v in where.items() if k != "subject"},
                )
            )

        old_types, new_types = _types(old), _types(new)
        if old_types != new_types:
            lost = sorted(
                t for t in (old_types or {"any"}) if not _covers(new_types, t) or (t == "any" and new_types is not None)
            )
            rule = "TP020" if lost else "TP021"
            verb = "narrowed" if lost else "widened"
            rec(
                "update",
                rule,
                f"{label}: type {verb} from {_fmt(old_types)} to {_fmt(new_types)}",
                "type",
                _fmt(old_types),
                _fmt(new_types),
            )
        for keyword in ("anyOf", "oneOf", "allOf"):
            a, b = old.get(keyword), new.get(keyword)
            if a != b and a is not None and b is not None:
                if sorted(map(sort_key, a)) != sorted(map(sort_key, b)) and old_types == new_types:
                    rec("update", "TP038", f"{label}: {keyword} branches changed", keyword, a, b)
            elif (a is None) != (b is None) and old_types == new_types and keyword == "allOf":
                rec("update", "TP038", f"{label}: {keyword} {'added' if b else 'removed'}", keyword, a, b)
        self._enum(old, new, label, rec)
        for keyword, tight, loose, noun in (
            ("pattern", "TP028", "TP029", "pattern"),
            ("const", "TP030", "TP031", "pinned value"),
            ("format", "TP034", "TP035", "format"),
        ):
            a, b = old.get(keyword), new.get(keyword)
            if a == b or (keyword == "const" and old_types != new_types and b is None):
                continue
            if b is None:
                rec("update", loose, f"{label}: {noun} {_short(a)} removed", keyword, a, None)
            else:
                rec(
                    "update",
                    tight,
                    f"{label}: {noun} {'set to' if a is None else 'changed to'} {_short(b)}",
                    keyword,
                    a,
                    b,
                )
        for keyword in LOWER_BOUNDS + UPPER_BOUNDS:
            a, b = old.get(keyword), new.get(keyword)
            if a == b:
                continue
            lower = keyword in LOWER_BOUNDS
            tighter = b is not None and (a is None or (b > a if lower else b < a))
            rule = "TP032" if tighter else "TP033"
            rec("update", rule, f"{label}: {keyword} {_short(a)} -> {_short(b)}", keyword, a, b)
        a, b = old.get("additionalProperties"), new.get("additionalProperties")
        if (a is False) != (b is False):
            rule = "TP036" if b is False else "TP037"
            rec(
                "update",
                rule,
                f"{label}: additionalProperties {'closed' if b is False else 'opened'}",
                "additionalProperties",
                a,
                b,
            )
        out.extend(self._properties(old, new, where, label))
        old_items, new_items = old.get("items"), new.get("items")
        if isinstance(old_items, Mapping) and isinstance(new_items, Mapping):
            out.extend(
                self.schema(
                    old_items,
                    new_items,
                    {**where, "prop": _join(where.get("prop"), "[]")},
                    f"{label}[]",
                )
            )
        elif isinstance(old_items, tuple | list) and isinstance(new_items, tuple | list):
            for i, (x, y) in enumerate(zip(old_items, new_items, strict=False)):
                if isinstance(x, Mapping) and isinstance(y, Mapping):
                    out.extend(
                        self.schema(
                            x,
                            y,
                            {**where, "prop": _join(where.get("prop"), f"[{i}]")},
                            f"{label}[{i}]",
                        )
                    )
        return out

    def _enum(self, old: Mapping[str, Any], new: Mapping[str, Any], label: str, rec: Any) -> None:
        a, b = old.get("enum"), new.get("enum")
        if a == b:
            return
        if a is None:
            rec("update", "TP024", f"{label}: now limited to {_short(b)}", "enum", None, b)
        elif b is None:
            rec("update", "TP025", f"{label}: the list of allowed values was lifted", "enum", a, None)
        else:
            removed = [v for v in a if v not in b]
            added = [v for v in b if v not in a]
            for value in removed:
                rec("update", "TP022", f"{label}: enum value {_short(value)} removed", "enum", value, None)
            for value in added:
                rec("update", "TP023", f"{label}: enum value {_short(value)} added", "enum", None, value)

    def _properties(
        self, old: Mapping[str, Any], new: Mapping[str, Any], where: dict[str, Any], label: str
    ) -> list[Change]:
        out: list[Change] = []
        a = old.get("properties") or {}
        b = new.get("properties") or {}
        req_a, req_b = set(old.get("required") or ()), set(new.get("required") or ())
        if a == b and req_a == req_b:
            return out
        closed = new.get("additionalProperties") is False
        base = where.get("prop")
        subject = where.get("subject", "property")
        ids_a = {s.get("x-id"): n for n, s in a.items() if isinstance(s, Mapping) and s.get("x-id")}
        renamed: dict[str, str] = {}
        for name, spec in b.items():
            if (
                name not in a
                and isinstance(spec, Mapping)
                and spec.get("x-id") in ids_a
                and ids_a[spec["x-id"]] not in b
            ):
                renamed[ids_a[spec["x-id"]]] = name
        ctx = {k: v for k, v in where.items() if k not in ("subject", "prop")}
        sub = "property" if subject in ("event", "property") else subject
        for name in a:
            if name in b:
                continue
            full = _join(base, name)
            if name in renamed:
                out.append(
                    self.record(
                        "update",
                        sub,
                        "TP014",
                        f"{label}: property `{name}` renamed to `{renamed[name]}`",
                        prop=full,
                        field="name",
                        before=name,
                        after=renamed[name],
                        **ctx,
                    )
                )
                continue
            rule = "TP013" if closed else "TP012"
            out.append(
                self.record(
                    "remove" if base is None else "update",
                    sub,
                    rule,
                    f"{label}: property `{name}` removed",
                    prop=full,
                    before=thaw(a[name]),
                    **ctx,
                )
            )
        for name in b:
            full = _join(base, name)
            if name not in a and name not in renamed.values():
                required = name in req_b
                rule = "TP011" if required else "TP010"
                kind = "required" if required else "optional"
                out.append(
                    self.record(
                        "add" if base is None else "update",
                        sub,
                        rule,
                        f"{label}: {kind} property `{name}` added",
                        prop=full,
                        after=thaw(b[name]),
                        **ctx,
                    )
                )
                continue
            previous = name if name in a else next(k for k, v in renamed.items() if v == name)
            old_spec, new_spec = a[previous], b[name]
            if isinstance(old_spec, Mapping) and isinstance(new_spec, Mapping):
                out.extend(
                    self.schema(
                        _schema_only(old_spec),
                        _schema_only(new_spec),
                        {**where, "subject": sub, "prop": full},
                        f"`{full}`",
                    )
                )
                out.extend(self._property_metadata(old_spec, new_spec, full, ctx, sub))
            was, now = previous in req_a, name in req_b
            if was != now:
                rule = "TP026" if now else "TP027"
                text = "optional -> required" if now else "required -> optional"
                out.append(
                    self.record(
                        "update",
                        sub,
                        rule,
                        f"`{full}`: {text}",
                        prop=full,
                        field="required",
                        before=was,
                        after=now,
                        **ctx,
                    )
                )
        for name in sorted((req_a ^ req_b) - a.keys() - b.keys()):
            now = name in req_b
            rule = "TP026" if now else "TP027"
            text = "now required" if now else "no longer required"
            out.append(
                self.record(
                    "update",
                    sub,
                    rule,
                    f"{label}: `{name}` {text}",
                    prop=_join(base, name),
                    field="required",
                    before=not now,
                    after=now,
                    **ctx,
                )
            )
        return out

    def _property_metadata(
        self, old: Mapping[str, Any], new: Mapping[str, Any], full: str, ctx: dict[str, Any], sub: str
    ) -> list[Change]:
        out = []
        for key in ("description", "x-send-as", "x-name-mapping", "title", "x-tags"):
            if old.get(key) != new.get(key):
                out.append(
                    self.record(
                        "update",
                        sub,
                        "TP040",
                        f"`{full}`: {key} changed",
                        prop=full,
                        field=key,
                        before=plain_value(old.get(key)),
                        after=plain_value(new.get(key)),
                        **ctx,
                    )
                )
        return out

    # -- events -------------------------------------------------------------------------------
    def events(self, old: Event | None, new: Event | None, path: str | None = None) -> list[Change]:
        if old is None and new is None:
            return []
        if old is None:
            assert new is not None
            return [
                self.record(
                    "add",
                    "event",
                    "TP001",
                    f"event `{new.name}` added",
                    event=new.name,
                    after=new,
                    path=path,
                )
            ]
        if new is None:
            return [
                self.record(
                    "remove",
                    "event",
                    "TP002",
                    f"event `{old.name}` removed",
                    event=old.name,
                    before=old,
                    path=path,
                )
            ]
        if old == new:
            return []
        out: list[Change] = []
        where = {"event": new.name, "path": path}
        if old.name != new.name:
            out.append(
                self.record(
                    "update",
                    "event",
                    "TP003",
                    f"event `{old.name}` renamed to `{new.name}`",
                    field="name",
                    before=old.name,
                    after=new.name,
                    **where,
                )
            )
        for attr, label in (
            ("tags", "tag"),
            ("categories", "category"),
            ("stakeholders", "stakeholder"),
            ("name_mapping", "name mapping"),
        ):
            # Set-valued metadata: one record per element, in the add and remove sets.
            a, b = getattr(old, attr), getattr(new, attr)
            for value in [v for v in b if v not in a]:
                out.append(
                    self.record(
                        "add",
                        "event",
                        "TP040",
                        f"`{new.name}`: {label} {_short(_mapping_json(value))} added",
                        field=attr,
                        after=_mapping_json(value),
                        **where,
                    )
                )
            for value in [v for v in a if v not in b]:
                out.append(
                    self.record(
                        "remove",
                        "event",
                        "TP040",
                        f"`{new.name}`: {label} {_short(_mapping_json(value))} removed",
                        field=attr,
                        before=_mapping_json(value),
                        **where,
                    )
                )
        for attr, label in (
            ("description", "description"),
            ("owner", "owner"),
            ("status", "status"),
            ("event_type", "event type"),
        ):
            a, b = getattr(old, attr), getattr(new, attr)
            if a != b:
                out.append(
                    self.record(
                        "update",
                        "event",
                        "TP040",
                        f"`{new.name}`: {label} changed",
                        field=attr,
                        before=plain_value(_mapping_json(a)),
                        after=plain_value(_mapping_json(b)),
                        **where,
                    )
                )
        for source in sorted(set(old.sources) - set(new.sources)):
            out.append(
                self.record(
                    "remove",
                    "event",
                    "TP041",
                    f"`{new.name}`: no longer sent from `{source}`",
                    field="sources",
                    before=source,
                    **where,
                )
            )
        for source in sorted(set(new.sources) - set(old.sources)):
            out.append(
                self.record(
                    "add",
                    "event",
                    "TP042",
                    f"`{new.name}`: now sent from `{source}`",
                    field="sources",
                    after=source,
                    **where,
                )
            )
        out.extend(
            self.schema(_event_schema(old), _event_schema(new), {"subject": "property", **where}, f"`{new.name}`")
        )
        return out

    def compare(
        self,
        a: Event | None,
        b: Event | None,
        path: str | None,
        changes: list[Change],
        versions: list[VersionAdvice],
        events: dict[str, tuple[Event | None, Event | None]],
    ) -> None:
        """Compare one pair of events and collect its changes, its SchemaVer advice and,
        when the version bump is too small, a TP060 record."""
        found = self.events(a, b, path)
        if not found:
            return
        changes.extend(found)
        events[(b or a).name] = (a, b)  # type: ignore[union-attr]
        if a is None or b is None:
            return
        advice = self.version_advice(a, b, found, path)
        versions.append(advice)
        if advice.too_small:
            changes.append(
                self.record(
                    "update",
                    "event",
                    "TP060",
                    f"`{b.name}`: x-version {advice.after} is too small for a {advice.needed} "
                    f"change; expected {advice.expected}",
                    event=b.name,
                    field="x-version",
                    before=advice.before,
                    after=advice.after,
                    path=path,
                )
            )

    def version_advice(
        self, old: Event, new: Event, changes: Iterable[Change], path: str | None = None
    ) -> VersionAdvice:
        needed = "none"
        for change in changes:
            if change.rule in METADATA_RULES or change.rule == "TP060":
                continue
            bump = SCHEMA_BUMP[change.severity]
            if BUMP_RANK[bump] > BUMP_RANK[needed]:
                needed = bump
        expected = None
        if needed != "none" and old.version:
            try:
                expected = str(SchemaVer.parse(old.version).bump(needed))
            except ValueError:
                expected = None
        return VersionAdvice(new.name, needed, old.version, new.version, expected, path)


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


def _event_schema(event: Event) -> dict[str, Any]:
    doc = event.to_json()
    keep = {"properties", "required", "additionalProperties"} | {k for k in event.extra if not k.startswith("x-")}
    return {k: v for k, v in doc.items() if k in keep}


def _mapping_json(value: Any) -> Any:
    if isinstance(value, tuple):
        return [v.to_json() if hasattr(v, "to_json") else v for v in value]
    return value.to_json() if hasattr(value, "to_json") else value


def _join(base: str | None, name: str) -> str:
    if base is None:
        return name
    return f"{base}{name}" if name.startswith("[") else f"{base}.{name}"


def _fmt(types: set[str] | None) -> str:
    return "any" if types is None else " | ".join(sorted(types))


def _short(value: Any) -> str:
    text = json.dumps(plain_value(value), ensure_ascii=False)
    return f"`{text if len(text) <= 60 else text[:57] + '...'}`"


# -- plans --------------------------------------------------------------------------------------


def pair_events(old: Mapping[str, Event], new: Mapping[str, Event]) -> list[tuple[Event | None, Event | None]]:
    """Match events by name, then unmatched ones by x-id (renames)."""
    pairs: list[tuple[Event | None, Event | None]] = []
    gone = {n: e for n, e in old.items() if n not in new}
    came = {n: e for n, e in new.items() if n not in old}
    by_id = {e.id: n for n, e in gone.items() if e.id}
    for name in sorted(old.keys() & new.keys()):
        pairs.append((old[name], new[name]))
    for _, event in sorted(came.items()):
        match = by_id.pop(event.id, None) if event.id else None
        if match is not None:
            pairs.append((gone.pop(match), event))
        else:
            pairs.append((None, event))
    pairs.extend((event, None) for _, event in sorted(gone.items()))
    return pairs


def diff_plans(
    old: Plan, new: Plan, differ: Differ | None = None, paths: Mapping[str, str] | None = None
) -> DiffResult:
    differ = differ or Differ()
    paths = paths or {}
    changes: list[Change] = []
    versions: list[VersionAdvice] = []
    events: dict[str, tuple[Event | None, Event | None]] = {}
    for a, b in pair_events(old.event_map(), new.event_map()):
        differ.compare(a, b, paths.get((b or a).name), changes, versions, events)  # type: ignore[union-attr]
    for subject, a, b in (
        ("identify", old.identify, new.identify),
        ("group", old.group, new.group),
        *(("context", old.context(s), new.context(s)) for s in sorted({*dict(old.contexts), *dict(new.contexts)})),
    ):
        if a != b:
            changes.extend(_traits(differ, subject, a, b))
    changes.extend(_settings(differ, old, new))
    return DiffResult(changes, versions, events=events)


def _traits(differ: Differ, subject: str, a: Event | None, b: Event | None) -> list[Change]:
    name = (b or a).name  # type: ignore[union-attr]
    if a is None or b is None:
        op = "add" if a is None else "remove"
        return [
            differ.record(op, subject, "TP050", f"{subject} `{name}` {op}ed".replace("removeed", "removed"), event=None)
        ]
    return differ.schema(_event_schema(a), _event_schema(b), {"subject": subject}, subject)


def _settings(differ: Differ, old: Plan, new: Plan) -> list[Change]:
    out: list[Change] = []
    a, b = old.settings, new.settings
    for subject, before, after in (
        ("source", a.source_names, b.source_names),
        ("destination", [d.name for d in a.destinations], [d.name for d in b.destinations]),
        ("domain", a.domain_names, b.domain_names),
    ):
        for name in sorted(set(after) - set(before)):
            out.append(differ.record("add", subject, "TP051", f"{subject} `{name}` added", after=name))
        for name in sorted(set(before) - set(after)):
            out.append(differ.record("remove", subject, "TP051", f"{subject} `{name}` removed", before=name))
    if a.raw != b.raw or a.main_branch != b.main_branch or a.protected_branches != b.protected_branches:
        out.append(differ.record("update", "settings", "TP051", "trackplan.yaml settings changed"))
    return out

"""Snowplow Iglu self-describing schemas: one schema file, an Iglu folder
(`schemas/<vendor>/<name>/jsonschema/<M-R-A>`), or Avo's {eventSchemas, contextSchemas}.

The newest version of each schema becomes the event; its version becomes `x-version`, its
vendor `x-vendor`. A schema is identified by vendor and name: names that several vendors
share, even only when case is ignored, are qualified as `vendor/name`. In a folder, files in
another format than JSON Schema (avro, thrift, protobuf) and files whose path disagrees
with their `self` are named in a warning.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from trackplan.errors import InputError
from trackplan.formats._schema_reader import SchemaReader
from trackplan.formats.base import (
    Incoming,
    InputFile,
    WriteOptions,
    json_document,
    parse_json,
    plain_schema,
    pretty_json,
    require,
)
from trackplan.model import Event, Plan, SchemaVer
from trackplan.model.frozen import thaw

META_KEYS = ("$schema", "self")


def detect(doc: Any) -> bool:
    if not isinstance(doc, Mapping):
        return False
    if isinstance(doc.get("self"), Mapping) and "vendor" in doc["self"]:
        return True
    return "eventSchemas" in doc or "contextSchemas" in doc


def _self_describing(doc: Any) -> Mapping[str, Any] | None:
    """The schema, unwrapped from an Iglu envelope {"schema": "iglu:...", "data": {...}}."""
    if (
        isinstance(doc, Mapping)
        and isinstance(doc.get("data"), Mapping)
        and str(doc.get("schema", "")).startswith("iglu:")
    ):
        doc = doc["data"]
    if isinstance(doc, Mapping) and isinstance(doc.get("self"), Mapping):
        return doc
    return None


def _version_file(file: Path) -> bool:
    """An Iglu schema file: named by its SchemaVer, with or without `.json`."""
    try:
        SchemaVer.parse(file.name.removesuffix(".json"))
    except ValueError:
        return False
    return True


def _folder(path: Path, warnings: list[str], skip_invalid: bool) -> list[tuple[Mapping[str, Any], str, str]]:
    """(schema, kind, where) for every JSON Schema file of an Iglu folder. A file that cannot
    be read stops the import naming it, or with `skip_invalid` is left out with a warning."""
    found = []
    for file in sorted(path.rglob("*")):
        if not file.is_file() or file.name.startswith(".") or not _version_file(file) or len(file.parts) < 4:
            continue
        vendor, schema_name, schema_format = file.parts[-4:-1]
        if schema_format != "jsonschema":
            warnings.append(f"{file}: not JSON Schema ({schema_format}); not imported.")
            continue
        try:
            schema = _self_describing(parse_json(file.read_bytes(), str(file)))
            require(schema is not None, str(file), "self", "not a self-describing schema")
        except InputError as exc:
            if not skip_invalid:
                raise
            warnings.append(f"skipped {exc}")
            continue
        assert schema is not None
        meta = schema["self"]
        declared = f"{meta.get('vendor')}/{meta.get('name')}/{meta.get('format')}/{meta.get('version')}"
        written = f"{vendor}/{schema_name}/{schema_format}/{file.name.removesuffix('.json')}"
        if declared != written:
            warnings.append(f"{file}: its path says {written} but its self says {declared}; the self is used.")
        found.append((schema, "event", str(file)))
    if not found:
        raise InputError(f"{path}: no Iglu schemas (schemas/<vendor>/<name>/jsonschema/<M-R-A>) found")
    return found


def _collect(source: InputFile, warnings: list[str]) -> list[tuple[Mapping[str, Any], str, str]]:
    """(schema, kind, where) for every schema in the input."""
    name = source.name
    if source.is_dir:
        return _folder(Path(name), warnings, source.skip_invalid)
    doc = source.json
    single = _self_describing(doc)
    if single is not None:
        return [(single, "event", name)]
    require(
        detect(doc),
        name,
        "top level",
        "expected a self-describing schema or {eventSchemas, contextSchemas}",
    )
    found = []
    for key, kind in (("eventSchemas", "event"), ("contextSchemas", "context")):
        items = doc.get(key) or []
        require(isinstance(items, list), name, key, "must be an array")
        for index, item in enumerate(items):
            schema = _self_describing(item)
            require(schema is not None, name, f"{key}[{index}]", "not a self-describing schema")
            assert schema is not None
            found.append((schema, kind, f"{key}[{index}]"))
    return found


Version = tuple[SchemaVer, Mapping[str, Any], str, str]  # (version, schema, kind, where)


def _versions(schemas: list[tuple[Mapping[str, Any], str, str]], name: str) -> dict[tuple[str, str], list[Version]]:
    """Every version of each (vendor, name) among the input's schemas, oldest first."""
    found: dict[tuple[str, str], list[Version]] = {}
    for schema, kind, where in schemas:
        meta = schema["self"]
        vendor, schema_name, version = meta.get("vendor"), meta.get("name"), meta.get("version")
        require(
            isinstance(vendor, str) and isinstance(schema_name, str),
            name,
            f"{where}.self",
            "needs vendor and name",
        )
        try:
            parsed = SchemaVer.parse(str(version))
        except ValueError as exc:
            raise InputError(f"{name}: {where}.self.version: {exc}") from None
        found.setdefault((str(vendor), str(schema_name)), []).append((parsed, schema, kind, where))
    return {key: sorted(versions, key=lambda v: v[0]) for key, versions in found.items()}


def read(source: InputFile) -> Incoming:
    warnings: list[str] = []
    return read_schemas(_collect(source, warnings), source.name, warnings)


def read_schemas(schemas: list[tuple[Mapping[str, Any], str, str]], name: str, warnings: list[str]) -> Incoming:
    """The plan of Iglu schemas, each (schema, "event" or "context", where it was read)."""
    reader = SchemaReader(name, avo=False)
    reader.warnings.extend(warnings)
    versions = _versions(schemas, name)
    newest = {key: found[-1] for key, found in versions.items()}
    name_counts: dict[str, int] = {}
    for _, schema_name in newest:
        name_counts[schema_name.casefold()] = name_counts.get(schema_name.casefold(), 0) + 1
    events = []
    for (vendor, schema_name), (version, schema, kind, where) in sorted(newest.items()):
        event_name = schema_name if name_counts[schema_name.casefold()] == 1 else f"{vendor}/{schema_name}"
        body = {k: v for k, v in schema.items() if k not in META_KEYS}
        extra: dict[str, Any] = {"x-vendor": vendor}
        # Keys the model always writes that this schema has not: the export leaves them out.
        omitted = [key for key in ("$schema", "type", "properties") if key not in schema]
        if schema.get("$schema", SELF_DESC) != SELF_DESC:  # another meta-schema or dialect
            extra["x-meta-schema"] = schema["$schema"]
        if omitted:
            extra["x-iglu-omits"] = omitted
        body.setdefault("properties", {})
        if derived_name(event_name) != schema_name:
            extra["x-schema-name"] = schema_name
        if "title" in schema:  # an event's title is its name in the plan: the schema's own is kept apart
            extra["x-schema-title"] = schema["title"]
        if len(versions[(vendor, schema_name)]) > 1:  # kept whole, as written, for --all-versions
            extra["x-iglu-earlier"] = [dict(earlier[1]) for earlier in versions[(vendor, schema_name)][:-1]]
        if body.get("type") not in (None, "object"):
            reader.warn(
                f"Schema '{vendor}/{schema_name}' is not an object schema; its type "
                f"{json.dumps(body.get('type'))} was kept as x-schema-type."
            )
            extra["x-schema-type"] = body.pop("type")
        event = reader.event(
            event_name,
            {**body, **extra},
            where,
            version=str(version),
            event_type="context" if kind == "context" else None,
        )
        events.append(event)
    return Incoming(plan=Plan(events=tuple(events)), warnings=reader.warnings)


def plan_names(incoming: Plan, names: Collection[str], document: Callable[[str], Any], default_vendor: str) -> Plan:
    """The incoming schemas, each named as the plan's event of the same Iglu identity (vendor and
    name) when no event has the schema's own name: `Checkout Completed` is exported as
    `Checkout_Completed` (an Iglu name has no spaces) and must read back as itself, not as a
    new event. `names`: the plan's event names; `document(name)`: that event's parsed file,
    read only for an event whose Iglu name is the schema's."""
    by_iglu_name: dict[str, list[str]] = {}
    for name in names:
        if derived_name(name) != name:
            by_iglu_name.setdefault(derived_name(name), []).append(name)
    events = []
    for event in incoming.events:
        schema_name = str(event.extra.get("x-schema-name") or event.name)
        identity = (event.extra.get("x-vendor"), schema_name)
        found = [] if event.name in names else by_iglu_name.get(schema_name, [])
        same = [name for name in found if _identity(name, document(name), default_vendor) == identity]
        if len(same) == 1:
            event = event.replace(name=same[0], extra=event.extra.without("x-schema-name"))
        events.append(event)
    return replace(incoming, events=tuple(events))


def _identity(name: str, doc: Any, default_vendor: str) -> tuple[Any, str]:
    """(vendor, Iglu name) of the plan's event `name`, from its parsed file, as the export names it."""
    extra = doc if isinstance(doc, Mapping) else {}
    return (extra.get("x-vendor") or default_vendor, str(extra.get("x-schema-name") or derived_name(name)))


SELF_DESC = "http://iglucentral.com/schemas/com.snowplowanalytics.self-desc/schema/jsonschema/1-0-0#"
VENDOR = re.compile(r"^[A-Za-z0-9._-]+$")
DEFAULT_VENDOR = "app.avo"


def check_vendor(vendor: str) -> str:
    if not VENDOR.match(vendor):
        raise InputError(f"--vendor {vendor!r}: only letters, digits, dots, hyphens and underscores are accepted")
    return vendor


def derived_name(event_name: str) -> str:
    """The Iglu name of an event without `x-schema-name`: its name with what Iglu refuses replaced."""
    return re.sub(r"[^A-Za-z0-9_-]+", "_", event_name).strip("_") or "event"


def iglu_name(event: Event) -> str:
    explicit = event.extra.get("x-schema-name")
    return str(explicit) if explicit else derived_name(event.name)


def self_describing(event: Event, vendor: str | None, default_vendor: str) -> dict[str, Any]:
    """The Iglu schema of an event; its vendor is `vendor`, else the one it was imported
    with, else `default_vendor`."""
    chosen = check_vendor(vendor or str(event.extra.get("x-vendor") or default_vendor))
    body = plain_schema(event)
    if "x-schema-title" in event.extra:
        body = {"title": thaw(event.extra["x-schema-title"]), **body}
    if "x-schema-type" in event.extra:
        body["type"] = thaw(event.extra["x-schema-type"])
    omitted = event.extra.get("x-iglu-omits", ())
    for key in omitted:
        if not body.get(key) or body[key] == "object":
            body.pop(key, None)
    meta = {
        "vendor": chosen,
        "name": iglu_name(event),
        "format": "jsonschema",
        "version": event.version or "1-0-0",
    }
    doc = {"$schema": event.extra.get("x-meta-schema", SELF_DESC), "self": meta, **body}
    return {k: v for k, v in doc.items() if k != "$schema" or k not in omitted}


def document(plan: Plan, vendor: str | None = None) -> dict[str, Any]:
    default = str(plan.settings.get("vendor") or DEFAULT_VENDOR)
    events: list[dict[str, Any]] = []
    contexts: list[dict[str, Any]] = []
    for event in plan.events:
        (contexts if event.event_type == "context" else events).append(self_describing(event, vendor, default))
    return {"eventSchemas": events, "contextSchemas": contexts}


def iglu_key(schema: Mapping[str, Any]) -> str:
    meta = schema["self"]
    return f"{meta['vendor']}/{meta['name']}/jsonschema/{meta['version']}"


def _schemas(plan: Plan, vendor: str | None) -> list[dict[str, Any]]:
    doc = document(plan, vendor)
    return [*doc["eventSchemas"], *doc["contextSchemas"]]


def write(plan: Plan, options: WriteOptions) -> bytes:
    return json_document(document(plan, options.vendor), options)


def write_folder(plan: Plan, options: WriteOptions) -> dict[str, bytes]:
    """The Iglu repository layout: one file per schema, schemas/<vendor>/<name>/jsonschema/<version>;
    with `all_versions`, also each earlier version the import kept, as it was written."""
    newest = _schemas(plan, options.vendor)
    earlier = [thaw(s) for e in plan.events for s in e.extra.get("x-iglu-earlier", ())] if options.all_versions else []
    return {f"schemas/{iglu_key(schema)}": pretty_json(schema) + b"\n" for schema in [*earlier, *newest]}


def write_ndjson(plan: Plan, options: WriteOptions) -> bytes:
    """One self-contained envelope per event per line, as Avo's NDJSON export."""
    lines = []
    for schema in _schemas(plan, options.vendor):
        envelope = {"schema": f"iglu:{iglu_key(schema)}", "data": schema}
        lines.append(json.dumps(envelope, ensure_ascii=False, separators=(",", ":")))
    return "".join(line + "\n" for line in lines).encode()

"""snowplow-cli's data products folder: `<name>.yaml` per data product (`apiVersion: v1`,
`resourceType: data-product`, `resourceName: <uuid>`, `data: {...}`) and `source-apps/<name>.yaml`
per source application, which data products name by `$ref: ./source-apps/<name>.yaml`.

A data product is a tracking plan, a source application a source of trackplan.yaml (its
resourceName the source's `id`, unless it is the one the export derives for a source without
one; its `appIds` the source's `app_ids`). An empty description, domain or owner is written, so a
re-import of the export changes nothing. snowplow-cli files have
no `status` and no `accessInstructions`: they read as a new plan's defaults, and the import
keeps those of the plan already in the repository. An event specification's
`event.source` is an Iglu URI: a trackplan event is written as its own URI (vendor, name and
`x-version`), and `event_names` turns such URIs back into event names.

No I/O here: the import hands over the folder's files as bytes, the export takes the files back.
"""

from __future__ import annotations

import hashlib
import posixpath
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats.base import Incoming, InputFile, WriteOptions, listed, require
from trackplan.formats.snowplow import DEFAULT_VENDOR, iglu_name
from trackplan.model import Event, Plan, Settings
from trackplan.model.frozen import SetList
from trackplan.model.settings import Source
from trackplan.model.slugs import slugify
from trackplan.model.tracking_plans import EventSpecification, PlanFieldError, TrackingPlan

API_VERSION = "v1"
DATA_PRODUCT = "data-product"
SOURCE_APPLICATION = "source-application"
SOURCE_APPS = "source-apps"
_NAMESPACE = uuid.UUID("6f1a3a52-1d0b-4f4e-9a57-3c2d9f0e8b11")  # ids for sources that have none


def event_uri(event: Event, default_vendor: str) -> str:
    vendor = str(event.extra.get("x-vendor") or default_vendor)
    return f"iglu:{vendor}/{iglu_name(event)}/jsonschema/{event.version or '1-0-0'}"


def event_sources(plan: Plan) -> dict[str, str]:
    """{event name: its Iglu URI} for every event of a plan."""
    vendor = str(plan.settings.get("vendor") or DEFAULT_VENDOR)
    return {event.name: event_uri(event, vendor) for event in plan.events}


def event_names(plan: Plan) -> dict[str, str]:
    """{Iglu URI: event name}: the events an imported `event.source` names, when the plan has them."""
    return {uri: name for name, uri in event_sources(plan).items()}


def source_id(source: Source) -> str:
    """A source application's resourceName: the source's id when it is a UUID, else one
    derived from its name, the same on every export."""
    try:
        return str(uuid.UUID(source.id or ""))
    except ValueError:
        return _derived_id(source.name)


def _derived_id(name: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, name))


# -- reading ------------------------------------------------------------------------------------


def _resource(data: bytes, path: str, kind: str) -> tuple[str, Mapping[str, Any]]:
    """(resourceName, data) of one file, checked to be a `kind` resource."""
    doc = yamlio.load(data, path)
    require(isinstance(doc, Mapping), path, "top level", "expected a mapping (apiVersion, resourceType, ...)")
    require(doc.get("apiVersion") == API_VERSION, path, "apiVersion", f"expected {API_VERSION}")
    require(doc.get("resourceType") == kind, path, "resourceType", f"expected {kind}, got {doc.get('resourceType')!r}")
    name = doc.get("resourceName")
    require(isinstance(name, str) and _is_uuid(name), path, "resourceName", "expected a UUID")
    require(isinstance(doc.get("data"), Mapping), path, "data", "expected a mapping")
    return str(name).lower(), doc["data"]


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True


def _text(data: Mapping[str, Any], key: str, path: str, required: bool = False) -> str | None:
    value = data.get(key)
    require(value is not None or not required, path, f"data.{key}", "missing")
    require(value is None or isinstance(value, str), path, f"data.{key}", f"expected a string, got {value!r}")
    return value


def _source(path: str, resource: str, data: Mapping[str, Any], warnings: list[str]) -> Source:
    app_ids = listed(data.get("appIds"), path, "data.appIds", "a list of app ids")
    require(all(isinstance(a, str) for a in app_ids), path, "data.appIds", "expected a list of strings")
    if any(listed(group, path, "data.entities", "lists") for group in (data.get("entities") or {}).values()):
        warnings.append(f"{path}: data.entities of a source application is not kept: trackplan.yaml sources have none")
    name = str(_text(data, "name", path, required=True))
    return Source(
        name=name,
        id=None if resource == _derived_id(name) else resource,  # the export made it up: the source has none
        description=_text(data, "description", path),
        owner=_text(data, "owner", path),
        app_ids=SetList(app_ids),
    )


def _referenced(refs: Any, path: str, where: str, sources: Mapping[str, Source]) -> list[str]:
    """The source names a list of `{$ref: ./source-apps/<file>}` names. A reference only ever
    looks up a file already read: it opens nothing, wherever it points."""
    names = []
    for index, ref in enumerate(listed(refs, path, where, "a list of $ref")):
        target = ref.get("$ref") if isinstance(ref, Mapping) else None
        require(isinstance(target, str), path, f"{where}[{index}]", "expected {$ref: ./source-apps/<name>.yaml}")
        resolved = posixpath.normpath(str(target))  # relative to the folder, where data products are
        require(resolved in sources, path, f"{where}[{index}].$ref", f"{target!r} names no file of {SOURCE_APPS}/")
        names.append(sources[resolved].name)
    return names


def _specification(spec: Any, path: str, where: str, sources: Mapping[str, Source]) -> dict[str, Any]:
    require(isinstance(spec, Mapping), path, where, "expected a mapping")
    spec_id = spec.get("resourceName")
    require(isinstance(spec_id, str) and _is_uuid(spec_id), path, f"{where}.resourceName", "expected a UUID")
    event = spec.get("event") or {}
    require(
        isinstance(event, Mapping) and isinstance(event.get("source"), str), path, f"{where}.event.source", "missing"
    )
    doc: dict[str, Any] = {"id": str(spec_id).lower(), "name": spec.get("name") or event["source"]}
    doc["description"] = spec.get("description") or ""
    doc["event"] = event["source"]
    if event.get("schema") is not None:
        doc["schema"] = event["schema"]
    if spec.get("entities"):
        doc["entities"] = spec["entities"]
    triggers = listed(spec.get("triggers"), path, f"{where}.triggers", "a list")
    doc["triggers"] = [_trigger(t, doc["id"], i) for i, t in enumerate(triggers)]
    excluded = _referenced(spec.get("excludedSourceApplications"), path, f"{where}.excludedSourceApplications", sources)
    if excluded:
        doc["excludedSourceApplications"] = excluded
    return doc


def _trigger(trigger: Any, spec_id: str, index: int) -> Any:
    """A trigger as written; one without an id gets one derived from its place, stable across imports."""
    if isinstance(trigger, Mapping) and trigger.get("id") is None:
        return {"id": str(uuid.uuid5(uuid.UUID(spec_id), str(index))), **trigger}
    return trigger


def _product(path: str, resource: str, data: Mapping[str, Any], sources: Mapping[str, Source]) -> TrackingPlan:
    """A data product as a tracking plan (no status, no access instructions)."""
    doc: dict[str, Any] = {"id": resource, "name": _text(data, "name", path, required=True)}
    doc["description"] = _text(data, "description", path) or ""
    for key in ("domain", "owner"):
        if _text(data, key, path) is not None:
            doc[key] = data[key]
    doc["sourceApplications"] = _referenced(data.get("sourceApplications"), path, "data.sourceApplications", sources)
    specs = listed(data.get("eventSpecifications"), path, "data.eventSpecifications", "a list")
    doc["eventSpecifications"] = [
        _specification(spec, path, f"data.eventSpecifications[{i}]", sources) for i, spec in enumerate(specs)
    ]
    try:
        return TrackingPlan.from_json(doc)
    except PlanFieldError as exc:
        raise InputError(f"{path}: {exc}") from None


def read(source: InputFile) -> Incoming:
    """The data products and source applications of a folder's files (`source.files`, by
    path inside the folder): tracking plans, and the sources as plan settings."""
    files = source.files or {}
    warnings: list[str] = []
    sources: dict[str, Source] = {}
    for path in sorted(p for p in files if p.startswith(f"{SOURCE_APPS}/")):
        resource, data = _resource(files[path], f"{source.name}/{path}", SOURCE_APPLICATION)
        sources[path] = _source(f"{source.name}/{path}", resource, data, warnings)
    plans = []
    for path in sorted(p for p in files if "/" not in p):
        shown = f"{source.name}/{path}"
        resource, data = _resource(files[path], shown, DATA_PRODUCT)
        plans.append(_product(shown, resource, data, sources))
    if not plans and not sources:
        raise InputError(f"{source.name}: no data products (*.yaml) or {SOURCE_APPS}/*.yaml found")
    settings = Settings(sources=tuple(sorted(sources.values())))
    return Incoming(plan=Plan(settings=settings), warnings=warnings, tracking_plans=tuple(plans))


# -- writing ------------------------------------------------------------------------------------


def _file_names(names: Sequence[tuple[str, str]]) -> dict[str, str]:
    """{key: file name} by slug; names that slug alike (case ignored) get a hash of their key."""
    counts: dict[str, int] = {}
    for _, name in names:
        counts[slugify(name)] = counts.get(slugify(name), 0) + 1
    out = {}
    for key, name in names:
        slug = slugify(name)
        unique = slug if counts[slug] == 1 else f"{slug}-{hashlib.sha256(key.encode()).hexdigest()[:8]}"
        out[key] = f"{unique}.yaml"
    return out


def _document(kind: str, resource: str, data: dict[str, Any]) -> bytes:
    doc = {"apiVersion": API_VERSION, "resourceType": kind, "resourceName": resource, "data": data}
    return yamlio.dump(doc).encode()


def _source_doc(source: Source) -> dict[str, Any]:
    data: dict[str, Any] = {"name": source.name}
    if source.description is not None:  # an empty one too, so it reads back as written
        data["description"] = source.description
    if source.owner is not None:
        data["owner"] = source.owner
    data["appIds"] = list(source.app_ids)
    data["entities"] = {"tracked": [], "enriched": []}
    return data


def _spec_doc(spec: EventSpecification, uris: Mapping[str, str], refs: Mapping[str, str]) -> dict[str, Any]:
    written = spec.to_json()
    out: dict[str, Any] = {"resourceName": written["id"], "name": spec.name}
    if spec.description:
        out["description"] = spec.description
    if spec.excluded_source_applications:
        out["excludedSourceApplications"] = [{"$ref": refs[name]} for name in spec.excluded_source_applications]
    out["triggers"] = written["triggers"]
    event: dict[str, Any] = {"source": uris.get(spec.event, spec.event)}
    if spec.schema is not None:
        event["schema"] = written["schema"]
    out["event"] = event
    if "entities" in written:
        out["entities"] = written["entities"]
    return out


def _product_doc(plan: TrackingPlan, uris: Mapping[str, str], refs: Mapping[str, str]) -> dict[str, Any]:
    data: dict[str, Any] = {"name": plan.name}
    # An empty domain or owner is written, so it reads back as written; a description reads as "" when absent.
    for key, value in (("domain", plan.domain), ("owner", plan.owner)):
        if value is not None:
            data[key] = value
    if plan.description:
        data["description"] = plan.description
    data["sourceApplications"] = [{"$ref": refs[name]} for name in plan.source_applications]
    data["eventSpecifications"] = [_spec_doc(spec, uris, refs) for spec in plan.event_specifications]
    return data


def write_folder(plan: Plan, options: WriteOptions) -> dict[str, bytes]:
    """The data products folder of the tracking plans in `options`: a file per plan, and one
    in source-apps/ per source of trackplan.yaml or named by a plan."""
    plans = options.tracking_plans
    known = {s.name for s in plan.settings.sources}
    named = [name for p in plans for name in _source_names(p) if name not in known]
    sources = [*plan.settings.sources, *(Source(name=n) for n in dict.fromkeys(named))]
    source_files = _file_names([(s.name, s.name) for s in sources])
    refs = {name: f"./{SOURCE_APPS}/{file}" for name, file in source_files.items()}
    files = {
        f"{SOURCE_APPS}/{source_files[s.name]}": _document(SOURCE_APPLICATION, source_id(s), _source_doc(s))
        for s in sources
    }
    uris = event_sources(plan)
    plan_files = _file_names([(str(p.id), p.name) for p in plans])
    for tracking_plan in plans:
        data = _product_doc(tracking_plan, uris, refs)
        files[plan_files[str(tracking_plan.id)]] = _document(DATA_PRODUCT, str(tracking_plan.id), data)
    return files


def _source_names(plan: TrackingPlan) -> list[str]:
    excluded = [name for spec in plan.event_specifications for name in spec.excluded_source_applications]
    return [*plan.source_applications, *excluded]


def write(plan: Plan, options: WriteOptions) -> bytes:
    """The folder's files as one YAML stream, a document per file headed by its path (for
    stdout; `-o DIR` writes the folder)."""
    files = write_folder(plan, options)
    return b"".join(b"--- # %s\n%s" % (path.encode(), files[path]) for path in sorted(files))

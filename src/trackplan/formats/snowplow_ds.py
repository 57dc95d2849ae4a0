"""snowplow-cli's data structures: one file per schema (YAML or JSON), `{apiVersion: v1,
resourceType: data-structure, meta: {hidden, schemaType: event|entity, customData}, data:
<the self-describing Iglu schema>}`, under `data-structures/<vendor>/<name>.yaml`.

`data` is read as an Iglu schema is (formats/snowplow.py): an `entity` is a context schema.
`meta.hidden` and `meta.customData` are kept when set (`x-hidden`, `x-custom-data`), so the
export writes them back.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from trackplan import yamlio
from trackplan.formats.base import Incoming, InputFile, WriteOptions, require
from trackplan.formats.snowplow import DEFAULT_VENDOR, iglu_name, read_schemas, self_describing
from trackplan.model import Event, Plan
from trackplan.model.frozen import thaw

RESOURCE_TYPE = "data-structure"
_MARK = re.compile(rb"""\bresourceType"?\s*:\s*["']?data-structure\b""")
SUFFIXES = (".yaml", ".yml", ".json")


def looks_like(source: InputFile) -> bool:
    """A data-structure file, or a folder holding one."""
    if not source.is_dir:
        return bool(_MARK.search(source.data[:4096]))
    return any(
        file.suffix in SUFFIXES and file.is_file() and _MARK.search(file.read_bytes()[:4096])
        for file in sorted(Path(source.name).rglob("*"))
    )


def _files(source: InputFile) -> list[tuple[bytes, str]]:
    if not source.is_dir:
        return [(source.data, source.name)]
    files = sorted(f for f in Path(source.name).rglob("*") if f.suffix in SUFFIXES and f.is_file())
    return [(data, str(f)) for f in files if _MARK.search(data := f.read_bytes())]


def read(source: InputFile) -> Incoming:
    schemas = [_schema(doc, name) for data, name in _files(source) for doc in yamlio.load_all(data, name)]
    require(bool(schemas), source.name, "resourceType", f"no {RESOURCE_TYPE} files found")
    return read_schemas(schemas, source.name, [])


def _schema(doc: Any, name: str) -> tuple[Mapping[str, Any], str, str]:
    """(Iglu schema with the kept meta, "event" or "context", file) of one data-structure file."""
    require(isinstance(doc, Mapping), name, "top level", "expected a mapping")
    require(doc.get("apiVersion") == "v1", name, "apiVersion", f"expected v1, got {doc.get('apiVersion')!r}")
    require(doc.get("resourceType") == RESOURCE_TYPE, name, "resourceType", f"expected {RESOURCE_TYPE}")
    meta = doc.get("meta") or {}
    require(isinstance(meta, Mapping), name, "meta", "expected a mapping")
    kind = meta.get("schemaType", "event")
    require(kind in ("event", "entity"), name, "meta.schemaType", f"expected event or entity, got {kind!r}")
    data = doc.get("data")
    require(isinstance(data, Mapping) and isinstance(data.get("self"), Mapping), name, "data.self", "missing")
    kept = {"x-hidden": meta.get("hidden") or None, "x-custom-data": meta.get("customData") or None}
    schema = {**data, **{k: v for k, v in kept.items() if v is not None}}
    return schema, "context" if kind == "entity" else "event", name


def _document(event: Event, vendor: str | None, default_vendor: str) -> dict[str, Any]:
    meta = {
        "hidden": bool(event.extra.get("x-hidden", False)),
        "schemaType": "entity" if event.event_type == "context" else "event",
        "customData": thaw(event.extra.get("x-custom-data", {})),
    }
    data = self_describing(event, vendor, default_vendor)
    return {"apiVersion": "v1", "resourceType": RESOURCE_TYPE, "meta": meta, "data": data}


def write_folder(plan: Plan, options: WriteOptions) -> dict[str, bytes]:
    """`data-structures/<vendor>/<name>.yaml` per event, as snowplow-cli lays them out."""
    default = str(plan.settings.get("vendor") or DEFAULT_VENDOR)
    files = {}
    for event in plan.events:
        doc = _document(event, options.vendor, default)
        files[f"data-structures/{doc['data']['self']['vendor']}/{iglu_name(event)}.yaml"] = yamlio.dump(doc).encode()
    return files


def write(plan: Plan, options: WriteOptions) -> bytes:
    """Every data structure as one YAML stream, a document each."""
    return b"---\n".join(data for _, data in sorted(write_folder(plan, options).items()))

"""Tracking plans as codegen reads them: `tracking-plans/<slug>.yaml` in the plan folder, each
`{name, eventSpecifications: [{event: <event name>, ...}]}`, a named selection of the plan's
events (Snowplow's data products). Only the name and the events are read; the rest of an
event specification is left to the tracking-plan commands."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trackplan.errors import InputError
from trackplan.model.slugs import slugify
from trackplan.repo.paths import TRACKING_PLANS_DIR, YAML_SUFFIXES
from trackplan.repo.reading import parse_document
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


@dataclass(frozen=True)
class TrackingPlan:
    name: str
    path: str
    events: tuple[str, ...]


def find_tracking_plan(ws: Workspace, ref: str, wanted: str) -> TrackingPlan:
    """The tracking plan named `wanted` (by its `name`, or by its file's slug) at a ref."""
    documents = _documents(ws, ref)
    for path, doc in documents.items():
        name = doc.get("name") if isinstance(doc, Mapping) else None
        if wanted == name or slugify(wanted) == path.rsplit("/", 1)[-1].rsplit(".", 1)[0]:
            return _tracking_plan(path, doc)
    known = sorted(str(d.get("name")) for d in documents.values() if isinstance(d, Mapping) and d.get("name"))
    listing = ", ".join(map(repr, known)) if known else f"none in {ws.repo_path(TRACKING_PLANS_DIR)}/"
    raise InputError(f"no tracking plan {wanted!r} at {ref}; known tracking plans: {listing}")


def _tracking_plan(path: str, doc: Any) -> TrackingPlan:
    specifications = doc.get("eventSpecifications") or []
    if not isinstance(specifications, list):
        raise InputError(f"{path}: eventSpecifications must be a list")
    events = []
    for index, spec in enumerate(specifications):
        event = spec.get("event") if isinstance(spec, Mapping) else None
        if not isinstance(event, str) or not event:
            raise InputError(f"{path}: eventSpecifications[{index}] needs an event name (event: <name>)")
        events.append(event)
    return TrackingPlan(str(doc.get("name") or path), path, tuple(dict.fromkeys(events)))


def _documents(ws: Workspace, ref: str) -> dict[str, Any]:
    """{plan path: parsed document} for every tracking-plan file at a ref, by path."""
    if ref == WORKTREE:
        folder = ws.root / TRACKING_PLANS_DIR
        files = sorted(folder.iterdir()) if folder.is_dir() else []
        return {
            f"{TRACKING_PLANS_DIR}/{file.name}": parse_document(file.read_bytes(), f"{TRACKING_PLANS_DIR}/{file.name}")
            for file in files
            if file.is_file() and file.name.endswith(YAML_SUFFIXES)
        }
    tree = ws.store.subtree_id(ws.store.resolve(ref), ws.repo_path(TRACKING_PLANS_DIR))
    blobs = ws.store.list_tree(tree) if tree is not None else {}
    return {
        f"{TRACKING_PLANS_DIR}/{name}": ws.parsed(f"{TRACKING_PLANS_DIR}/{name}", blob)
        for name, blob in sorted(blobs.items())
        if "/" not in name and name.endswith(YAML_SUFFIXES)
    }

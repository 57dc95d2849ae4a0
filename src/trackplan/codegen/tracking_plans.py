"""Tracking plans as codegen reads them: the events a tracking plan's specifications name, in
their order, read through `trackingplans` (so codegen takes the plans `trackplan plans` writes
and `validate` checks). An event named by an Iglu URI is the plan's event of that URI; one the
plan lacks keeps its name, so the caller can say which it is."""

from __future__ import annotations

from dataclasses import dataclass

from trackplan.repo.workspace import Workspace
from trackplan.trackingplans import files
from trackplan.trackingplans.references import referenced_event


@dataclass(frozen=True)
class TrackingPlan:
    name: str
    path: str
    events: tuple[str, ...]


def find_tracking_plan(ws: Workspace, ref: str, wanted: str) -> TrackingPlan:
    """The tracking plan named `wanted` (in any case) or with that id, at a ref."""
    found = files.find_tracking_plan(ws, ref, wanted)
    references = [spec.event for spec in found.plan.event_specifications]
    loaded = ws.load(ref) if any(r.startswith("iglu:") for r in references) else None
    events = []
    for reference in references:
        event = referenced_event(loaded, reference) if loaded is not None and reference.startswith("iglu:") else None
        events.append(event.name if event is not None else reference)
    return TrackingPlan(found.plan.name, found.path, tuple(dict.fromkeys(events)))

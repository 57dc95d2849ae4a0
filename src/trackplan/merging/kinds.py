"""Which plan file a path names, and how each kind merges (`Rules`).

Paths may carry the folders above the plan (a plan kept in a folder of an app repository),
so a kind is told from the last parts of the path: `trackplan.yaml`, `identify.yaml`,
`group.yaml`, `contexts/<slug>`, `tracking-plans/<slug>`, anything below `events/`.
"""

from __future__ import annotations

from enum import Enum

from trackplan.merging.documents import Rules
from trackplan.repo.paths import (
    CONTEXTS_DIR,
    EVENTS_DIR,
    GROUP_FILE,
    IDENTIFY_FILE,
    SETTINGS_FILE,
    TRACKING_PLANS_DIR,
    YAML_SUFFIXES,
)


class Kind(Enum):
    EVENT = "event"
    TRAITS = "traits"  # identify, group and contexts: schemas like events, without an event's name
    SETTINGS = "settings"
    TRACKING_PLAN = "tracking plan"


_SCHEMA_RULES = Rules(
    sets=frozenset({"required", "enum", "x-tags", "x-sources", "x-stakeholders", "x-categories"}),
    keyed={"x-name-mapping": ("destination",)},
)
RULES = {
    Kind.EVENT: _SCHEMA_RULES,
    Kind.TRAITS: _SCHEMA_RULES,
    Kind.SETTINGS: Rules(
        sets=frozenset({"destinations"}),  # a source's destinations: names
        keyed={"sources": ("name",), "destinations": ("name",), "domains": ("name",)},
    ),
    Kind.TRACKING_PLAN: Rules(
        keyed={name: ("id", "event") for name in ("specifications", "eventSpecifications", "triggers")},
    ),
}


def kind_of(path: str) -> Kind | None:
    """The kind of plan file at `path` (from the repository or plan root); None for any other file."""
    parts = path.replace("\\", "/").split("/")
    name = parts[-1]
    if not name.endswith(YAML_SUFFIXES):
        return None
    if name == SETTINGS_FILE:
        return Kind.SETTINGS
    folder = parts[-2] if len(parts) > 1 else ""
    if name in (IDENTIFY_FILE, GROUP_FILE) or folder == CONTEXTS_DIR:
        return Kind.TRAITS
    if folder == TRACKING_PLANS_DIR:
        return Kind.TRACKING_PLAN
    if EVENTS_DIR in parts[:-1]:
        return Kind.EVENT
    return None

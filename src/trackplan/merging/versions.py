"""`x-version` after a merge: recomputed from the merged change set, never a conflict.

The version the merged document needs is the diff's SchemaVer advice from the base to the
merge (what `diff --fix-versions` writes). When both sides changed the version, or the
merged changes need more than the version one side set, the merge takes the highest of
that advice and each side's version: two bumps for one release become one bump, and a side
that bumped further than its changes needed keeps its bump.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from trackplan.diffing.events import Differ
from trackplan.merging.documents import MISSING, same
from trackplan.model import Event, SchemaVer

VERSION_KEY = "x-version"


def merged_version(base: Any, ours: Any, theirs: Any, merged: Mapping[str, Any], differ: Differ | None) -> Any:
    """The x-version of `merged`, whose other keys are merged (MISSING: it has none). Without
    a differ, no advice: the sides' versions alone decide."""
    old, mine, other = (_version(side) for side in (base, ours, theirs))
    ordinary = other if same(old, mine) else mine
    advice = _needed(base, merged, differ) if differ is not None else None
    one_sided = same(old, mine) or same(old, other) or same(mine, other)
    if one_sided and (advice is None or _rank(ordinary) >= _rank(advice)):
        return ordinary
    ranked = [v for v in (mine, other, advice) if _rank(v) != _UNRANKED]
    return max(ranked, key=_rank) if ranked else ordinary


def _version(doc: Any) -> Any:
    return doc.get(VERSION_KEY, MISSING) if isinstance(doc, Mapping) else MISSING


def _needed(base: Any, merged: Mapping[str, Any], differ: Differ) -> str | None:
    """The version the change set from base to merged needs, as the diff advises it."""
    if not isinstance(base, Mapping) or not isinstance(base.get(VERSION_KEY), str):
        return None
    try:
        old, new = Event.from_json(base, name="base"), Event.from_json(merged, name="base")
    except ValueError:
        return None
    return differ.version_advice(old, new, differ.events(old, new)).expected


_UNRANKED = (-1, -1, -1)


def _rank(version: Any) -> tuple[int, int, int]:
    """A SchemaVer as a sortable tuple; anything else ranks below every version."""
    if not isinstance(version, str):
        return _UNRANKED
    try:
        parsed = SchemaVer.parse(version)
    except ValueError:
        return _UNRANKED
    return parsed.model, parsed.revision, parsed.addition

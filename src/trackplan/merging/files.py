"""The merge of one plan file: three texts in, the merged text and its conflicts out.

A file that is no plan file, does not parse, or is not a mapping on every side is not
merged here (`merge_texts` returns None) and is left to git's line merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trackplan import yamlio
from trackplan.diffing.events import Differ
from trackplan.errors import InputError
from trackplan.merging.documents import MISSING, Conflict, merge_documents, same
from trackplan.merging.kinds import RULES, Kind, kind_of
from trackplan.merging.text import render
from trackplan.merging.versions import VERSION_KEY, merged_version

MARKER_SIZE = 7
VERSIONED = (Kind.EVENT, Kind.TRAITS)


@dataclass(frozen=True)
class FileMerge:
    path: str
    text: str
    doc: dict[str, Any]
    conflicts: list[Conflict]

    def summaries(self) -> list[str]:
        return [f"{self.path}: {conflict.summary()}" for conflict in self.conflicts]


def merge_texts(
    path: str,
    base_text: str | None,
    ours_text: str,
    theirs_text: str,
    differ: Differ | None = None,
    marker_size: int = MARKER_SIZE,
    labels: tuple[str, str] = ("ours", "theirs"),
) -> FileMerge | None:
    """Merge one plan file; `base_text` is None when both sides added it."""
    kind = kind_of(path)
    if kind is None:
        return None
    try:
        base = MISSING if base_text is None else yamlio.load(base_text, path)
        ours, theirs = yamlio.load(ours_text, path), yamlio.load(theirs_text, path)
    except InputError:
        return None
    if not isinstance(ours, dict) or not isinstance(theirs, dict):
        return None
    if base is not MISSING and not isinstance(base, Mapping):
        return None
    doc, conflicts = merge_plan_documents(kind, base, ours, theirs, differ or Differ())
    text = render((ours_text, theirs_text), doc, conflicts, marker_size, labels)
    return None if text is None else FileMerge(path, text, doc, conflicts)


def merge_plan_documents(
    kind: Kind, base: Any, ours: dict[str, Any], theirs: dict[str, Any], differ: Differ
) -> tuple[dict[str, Any], list[Conflict]]:
    """The merged document of one kind of plan file, x-version recomputed for schemas."""
    if kind not in VERSIONED or same(base, ours) or same(base, theirs):
        return merge_documents(base, ours, theirs, RULES[kind])
    base_version = base.get(VERSION_KEY, MISSING) if isinstance(base, Mapping) else MISSING
    merged, conflicts = merge_documents(
        base, _with_version(ours, base_version), _with_version(theirs, base_version), RULES[kind]
    )
    # With conflicts the change set is not final: the versions of the sides alone decide.
    version = merged_version(base, ours, theirs, merged, None if conflicts else differ)
    if version is MISSING:
        merged.pop(VERSION_KEY, None)
        return merged, conflicts
    if VERSION_KEY in merged:
        merged[VERSION_KEY] = version
        return merged, conflicts
    # Where ours keeps it: just after the key before it in ours, else at the end.
    keys = list(ours)
    at = keys.index(VERSION_KEY) if VERSION_KEY in keys else len(merged)
    items = list(merged.items())
    items.insert(min(at, len(items)), (VERSION_KEY, version))
    return dict(items), conflicts


def _with_version(doc: dict[str, Any], version: Any) -> dict[str, Any]:
    """`doc` with the base's version, so the merge of the other keys never sees a version change."""
    if version is MISSING:
        return {k: v for k, v in doc.items() if k != VERSION_KEY}
    if VERSION_KEY in doc:
        return {k: (version if k == VERSION_KEY else v) for k, v in doc.items()}
    return {**doc, VERSION_KEY: version}

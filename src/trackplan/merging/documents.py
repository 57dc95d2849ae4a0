"""The 3-way merge of two parsed plan documents against their merge base.

Mappings merge key by key, recursing into both sides' changes; lists named in `Rules.sets`
merge as ordered sets (base order first, then each side's additions; a removal on either side
removes); lists named in `Rules.keyed` merge item by item on a key field; any other value is a
scalar: a change on one side is taken, different changes on both sides are a `Conflict`. A
conflicting entry holds ours' value (theirs' when ours deleted it), so the result is always a
whole document and the conflicts say where it is not decided.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final

MISSING: Final = type("Missing", (), {"__repr__": lambda self: "MISSING"})()
"""An absent key or item on one side of a merge."""

Path = tuple[str | int, ...]


@dataclass(frozen=True)
class Rules:
    """How lists merge, by the key that holds them: as sets, or item by item on a key field."""

    sets: frozenset[str] = frozenset()
    keyed: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """{list key: candidate item keys}: the first that every item of every side holds, uniquely."""


@dataclass(frozen=True)
class Conflict:
    """An entry both sides changed differently. `path` leads to it in the merged document."""

    path: Path
    base: Any
    ours: Any
    theirs: Any

    @property
    def where(self) -> str:
        return ".".join(str(part) for part in self.path) or "(document)"

    def summary(self) -> str:
        if self.ours is MISSING:
            return f"{self.where}: removed on ours, changed on theirs"
        if self.theirs is MISSING:
            return f"{self.where}: changed on ours, removed on theirs"
        if self.base is MISSING:
            return f"{self.where}: added differently on both sides ({_shown(self.ours)} / {_shown(self.theirs)})"
        return f"{self.where}: changed differently on both sides ({_shown(self.ours)} / {_shown(self.theirs)})"


def _shown(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 40 else text[:37] + "..."


def canonical(value: Any) -> str:
    """One text per JSON value, whatever its key order: equality and set membership use it."""
    return json.dumps(value, sort_keys=True, ensure_ascii=False, default=str)


def same(a: Any, b: Any) -> bool:
    if a is MISSING or b is MISSING:
        return a is b
    return a is b or canonical(a) == canonical(b)


def merge_documents(base: Any, ours: Any, theirs: Any, rules: Rules) -> tuple[Any, list[Conflict]]:
    """The merged document and the conflicts left in it."""
    conflicts: list[Conflict] = []
    merged = _merge(base, ours, theirs, (), None, rules, conflicts)
    return merged, conflicts


def _merge(base: Any, ours: Any, theirs: Any, path: Path, key: str | None, rules: Rules, out: list[Conflict]) -> Any:
    if same(ours, theirs):
        return ours
    if same(base, ours):
        return theirs
    if same(base, theirs):
        return ours
    if ours is not MISSING and theirs is not MISSING:
        if isinstance(ours, Mapping) and isinstance(theirs, Mapping):
            return _merge_maps(base if isinstance(base, Mapping) else {}, ours, theirs, path, rules, out)
        if isinstance(ours, list) and isinstance(theirs, list):
            old = base if isinstance(base, list) else []
            if key in rules.sets:
                return _merge_sets(old, ours, theirs)
            field_name = _item_key(rules.keyed.get(key or "", ()), old, ours, theirs)
            if field_name is not None:
                return _merge_keyed(old, ours, theirs, field_name, path, rules, out)
    out.append(Conflict(path, base, ours, theirs))
    return theirs if ours is MISSING else ours


def _merge_maps(
    base: Mapping[str, Any],
    ours: Mapping[str, Any],
    theirs: Mapping[str, Any],
    path: Path,
    rules: Rules,
    out: list[Conflict],
) -> dict[str, Any]:
    merged: dict[str, Any] = {}
    for name in [*ours, *(k for k in theirs if k not in ours), *(k for k in base if k not in ours and k not in theirs)]:
        value = _merge(
            base.get(name, MISSING), ours.get(name, MISSING), theirs.get(name, MISSING), (*path, name), name, rules, out
        )
        if value is not MISSING:
            merged[name] = value
    return merged


def _merge_sets(base: list[Any], ours: list[Any], theirs: list[Any]) -> list[Any]:
    """Base order first, then ours' additions, then theirs'; a removal on either side removes."""
    in_ours, in_theirs = {canonical(v) for v in ours}, {canonical(v) for v in theirs}
    merged: list[Any] = []
    seen: set[str] = set()
    kept_base = (v for v in base if canonical(v) in in_ours and canonical(v) in in_theirs)
    in_base = {canonical(v) for v in base}
    for value in [*kept_base, *ours, *theirs]:
        text = canonical(value)
        if text not in seen and (text not in in_base or (text in in_ours and text in in_theirs)):
            seen.add(text)
            merged.append(value)
    return merged


def _item_key(candidates: tuple[str, ...], *sides: list[Any]) -> str | None:
    """The first candidate field every item of every side holds, with no value twice in a side."""
    for name in candidates:
        if all(_keys_of(side, name) is not None for side in sides):
            return name
    return None


def _keys_of(items: list[Any], name: str) -> list[str] | None:
    keys = [canonical(item.get(name)) if isinstance(item, Mapping) and name in item else None for item in items]
    if None in keys or len(set(keys)) != len(keys):
        return None
    return [k for k in keys if k is not None]


def _merge_keyed(
    base: list[Any], ours: list[Any], theirs: list[Any], name: str, path: Path, rules: Rules, out: list[Conflict]
) -> list[Any]:
    """Items paired by their `name` field and merged as mappings; base order first, then each side's additions."""
    by_side = [{canonical(item[name]): item for item in side} for side in (base, ours, theirs)]
    order = list(dict.fromkeys([*by_side[0], *by_side[1], *by_side[2]]))
    merged: list[Any] = []
    for item_key in order:
        old, mine, other = (side.get(item_key, MISSING) for side in by_side)
        value = _merge(old, mine, other, (*path, len(merged)), None, rules, out)
        if value is not MISSING:
            merged.append(value)
    return merged

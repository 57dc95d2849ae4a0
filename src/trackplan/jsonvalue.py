"""Immutable, canonical JSON values.

Plans are compared, hashed and written in a canonical order, so every JSON value held by the
model is frozen: objects become `FrozenDict`, arrays become tuples, and arrays whose order
carries no meaning (`required`, `enum`, tags, sources, ...) become sorted `SetList`s, so
reordering them is not a change.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

# Keys whose array value is a set: order is irrelevant and duplicates collapse.
SET_KEYS = frozenset(
    {
        "required",
        "enum",
        "x-tags",
        "x-categories",
        "x-sources",
        "x-stakeholders",
    }
)


def sort_key(value: Any) -> tuple[int, Any]:
    """A total order over JSON values of mixed types (null, bool, number, string, other)."""
    kind = type(value)
    if kind is str:
        return (3, value)
    if value is None:
        return (0, 0)
    if kind is bool:
        return (1, value)
    if kind is int or kind is float:
        return (2, value)
    return (4, json.dumps(thaw(value), sort_keys=True, ensure_ascii=False, default=_fallback))


def _fallback(value: Any) -> Any:
    # Small value objects of the model (e.g. NameMapping) sort by their fields.
    return vars(value) if hasattr(value, "__dataclass_fields__") else str(value)


class FrozenDict(Mapping[str, Any]):
    """A hashable, read-only mapping that keeps insertion order."""

    __slots__ = ("_data", "_hash")

    def __init__(self, items: Mapping[str, Any] | Iterable[tuple[str, Any]] = ()) -> None:
        self._data: dict[str, Any] = dict(items)
        self._hash: int | None = None

    def __getitem__(self, key: str) -> Any:
        return self._data[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._data)

    def __len__(self) -> int:
        return len(self._data)

    def __hash__(self) -> int:
        if self._hash is None:
            self._hash = hash(frozenset(self._data.items()))
        return self._hash

    def __eq__(self, other: object) -> bool:
        if isinstance(other, FrozenDict):
            return self._data == other._data
        if isinstance(other, Mapping):
            return self._data == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"FrozenDict({self._data!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (self._data,))

    def set(self, key: str, value: Any) -> FrozenDict:
        data = dict(self._data)
        data[key] = freeze(value, key)
        return FrozenDict(data)

    def without(self, *keys: str) -> FrozenDict:
        return FrozenDict((k, v) for k, v in self._data.items() if k not in keys)


class SetList(tuple[Any, ...]):
    """A tuple that compares as a set and is always kept sorted."""

    __slots__ = ()

    def __new__(cls, values: Iterable[Any] = ()) -> SetList:
        unique: dict[tuple[int, Any], Any] = {}
        for value in values:
            unique.setdefault(sort_key(value), value)
        return super().__new__(cls, (unique[k] for k in sorted(unique)))

    def __reduce__(self) -> tuple[Any, ...]:
        # Already sorted and unique: rebuild without sorting again.
        return (_sorted_setlist, (tuple(self),))


def _sorted_setlist(items: tuple[Any, ...]) -> SetList:
    return tuple.__new__(SetList, items)


def freeze(value: Any, key: str | None = None) -> Any:
    """Turn parsed JSON into its frozen, canonical form."""
    kind = type(value)
    # Exact-type checks first: this runs for every node of every loaded plan.
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        return FrozenDict({k: freeze(v, k) for k, v in value.items()})
    if kind is list and key not in SET_KEYS:
        return tuple([freeze(v) for v in value])
    if isinstance(value, FrozenDict | SetList):
        return value
    if isinstance(value, Mapping):
        return FrozenDict((str(k), freeze(v, str(k))) for k, v in value.items())
    if isinstance(value, list | tuple):
        items = [freeze(v) for v in value]
        if key in SET_KEYS:
            return SetList(items)
        return tuple(items)
    return value


def thaw(value: Any) -> Any:
    """Turn a frozen value back into plain dicts and lists."""
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value

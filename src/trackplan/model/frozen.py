"""Immutable, canonical JSON values.

Plans are compared, hashed and written in a canonical order, so every JSON value held by the
model is frozen: objects become `FrozenDict`, arrays become tuples, and arrays whose order
carries no meaning become sets, so reordering them is not a change: tags, sources and the
like become sorted `SetList`s; `required` and `enum`, whose order people and vendors choose,
become `WrittenSet`s, kept in the order written.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
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


# Of those, the keys whose values keep the order they were written in.
WRITTEN_ORDER_KEYS = frozenset({"required", "enum"})


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


class FrozenDict(dict[str, Any]):
    """A hashable, read-only dict that keeps insertion order.

    A dict subclass, so building, reading and comparing one runs at dict speed; every
    method that would change it raises."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]
        return hash(frozenset(self.items()))

    def _immutable(self, *args: Any, **kwargs: Any) -> Any:
        raise TypeError("FrozenDict is immutable: use .set() or .without()")

    __setitem__ = __delitem__ = __ior__ = _immutable
    clear = pop = popitem = setdefault = update = _immutable

    def __repr__(self) -> str:
        return f"FrozenDict({dict.__repr__(self)})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (FrozenDict, (dict(self),))

    def set(self, key: str, value: Any) -> FrozenDict:
        data = dict(self)
        data[key] = freeze(value, key)
        return FrozenDict(data)

    def without(self, *keys: str) -> FrozenDict:
        return FrozenDict((k, v) for k, v in self.items() if k not in keys)


def _by_sort_key(values: Iterable[Any]) -> dict[tuple[int, Any], Any]:
    """The values without duplicates, each under its sort key, the first of equals kept."""
    unique: dict[tuple[int, Any], Any] = {}
    for value in values:
        unique.setdefault(sort_key(value), value)
    return unique


_ONLY_STR = frozenset({str})


class SetList(tuple[Any, ...]):
    """A tuple that compares as a set and is always kept sorted."""

    __slots__ = ()

    def __new__(cls, values: Iterable[Any] = ()) -> SetList:
        if type(values) is cls:
            return values
        items = values if isinstance(values, list | tuple) else list(values)
        if set(map(type, items)) <= _ONLY_STR:
            # The common case (names, tags, string enums): sort_key orders strings as str does.
            return super().__new__(cls, sorted(set(items)))
        unique = _by_sort_key(items)
        return super().__new__(cls, (unique[k] for k in sorted(unique)))

    def __reduce__(self) -> tuple[Any, ...]:
        # Already sorted and unique: rebuild without sorting again.
        return (_sorted_setlist, (tuple(self),))


def _sorted_setlist(items: tuple[Any, ...]) -> SetList:
    return tuple.__new__(SetList, items)


class WrittenSet(tuple[Any, ...]):
    """A tuple in the order it was written, duplicates dropped, that compares as a set."""

    __slots__ = ()

    def __new__(cls, values: Iterable[Any] = ()) -> WrittenSet:
        if type(values) is cls:
            return values
        items = values if isinstance(values, list | tuple) else list(values)
        if set(map(type, items)) <= _ONLY_STR:
            # The common case (`required`, string enums): equal strings are equal sort keys.
            return super().__new__(cls, dict.fromkeys(items))
        return super().__new__(cls, _by_sort_key(items).values())

    def _keys(self) -> frozenset[tuple[int, Any]]:
        return frozenset(sort_key(v) for v in self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, tuple):
            return NotImplemented
        return self._keys() == frozenset(sort_key(v) for v in other)

    def __ne__(self, other: object) -> bool:
        return not self == other

    def __hash__(self) -> int:
        return hash(self._keys())

    def __reduce__(self) -> tuple[Any, ...]:
        return (WrittenSet, (tuple(self),))


_SCALARS = frozenset({str, int, float, bool, type(None)})


def freeze(value: Any, key: str | None = None) -> Any:
    """Turn parsed JSON into its frozen, canonical form."""
    kind = type(value)
    # Exact-type checks first: this runs for every node of every loaded plan.
    if kind is str or kind is int or kind is float or kind is bool or value is None:
        return value
    if kind is dict:
        # Leaves are inlined: most values of a plan are scalars, and a call per leaf adds up.
        return FrozenDict({k: v if type(v) in _SCALARS else freeze(v, k) for k, v in value.items()})
    if kind is list:
        items = [v if type(v) in _SCALARS else freeze(v) for v in value]
        if key in WRITTEN_ORDER_KEYS:
            return WrittenSet(items)
        return SetList(items) if key in SET_KEYS else tuple(items)
    if kind is FrozenDict or kind is SetList or kind is WrittenSet:
        return value
    if isinstance(value, FrozenDict | SetList | WrittenSet):
        return value
    if isinstance(value, Mapping):
        return FrozenDict((str(k), freeze(v, str(k))) for k, v in value.items())
    if isinstance(value, list | tuple):
        items = [freeze(v) for v in value]
        if key in WRITTEN_ORDER_KEYS:
            return WrittenSet(items)
        if key in SET_KEYS:
            return SetList(items)
        return tuple(items)
    return value


def thaw(value: Any) -> Any:
    """Turn a frozen value back into plain dicts and lists."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    # Exact types first, leaves inlined, as in `freeze`: every written file thaws its event.
    if kind is FrozenDict or kind is dict:
        return {k: v if type(v) in _SCALARS else thaw(v) for k, v in value.items()}
    if kind is tuple or kind is SetList or kind is WrittenSet:
        return [v if type(v) in _SCALARS else thaw(v) for v in value]
    if isinstance(value, Mapping):
        return {k: thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


EMPTY = SetList()


def ordered_keys(doc: Mapping[str, Any], head: Iterable[str], tail: Iterable[str] = ()) -> dict[str, Any]:
    head, tail = tuple(head), tuple(tail)
    out = {k: doc[k] for k in head if k in doc}
    out.update((k, doc[k]) for k in sorted(doc) if k not in head and k not in tail)
    out.update((k, doc[k]) for k in tail if k in doc)
    return out


def as_names(value: Any) -> SetList:
    """A set of names; an already frozen list of strings is reused as it is."""
    if isinstance(value, SetList) and all(type(v) is str for v in value):
        return value
    return SetList(str(v) for v in value or ())


def as_text(value: Any) -> str:
    return "" if value is None else str(value)


def as_optional_text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)

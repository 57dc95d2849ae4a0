"""The fast paths a large import runs through (freezing and thawing every event, writing each
property, building sets of names) give what their general forms give, value and type alike."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from trackplan.model import Property
from trackplan.model.frozen import (
    SET_KEYS,
    FrozenDict,
    SetList,
    WrittenSet,
    _by_sort_key,
    freeze,
    ordered_keys,
    thaw,
)
from trackplan.model.plan import PROPERTY_KEYS

KEYS = st.sampled_from([*sorted(SET_KEYS), *PROPERTY_KEYS, "minimum", "a", "b", "$ref", "x-avo"])
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=5)
JSON = st.recursive(
    SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=5), max_leaves=20
)


def general_freeze(value: Any, key: str | None = None) -> Any:
    """`freeze` without its exact-type shortcuts: the isinstance branches alone."""
    if isinstance(value, FrozenDict | SetList | WrittenSet):
        return value
    if isinstance(value, dict):
        return FrozenDict((str(k), general_freeze(v, str(k))) for k, v in value.items())
    if isinstance(value, list | tuple):
        items = [general_freeze(v) for v in value]
        if key in ("required", "enum"):
            return WrittenSet(_by_sort_key(items).values())
        if key in SET_KEYS:
            unique = _by_sort_key(items)
            return tuple.__new__(SetList, (unique[k] for k in sorted(unique)))
        return tuple(items)
    return value


def general_thaw(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: general_thaw(v) for k, v in value.items()}
    if isinstance(value, tuple):
        return [general_thaw(v) for v in value]
    return value


def typed(value: Any) -> Any:
    """The value with every container's type and order spelled out, for an exact comparison."""
    if isinstance(value, dict):
        return (type(value).__name__, [(k, typed(v)) for k, v in value.items()])
    if isinstance(value, list | tuple):
        return (type(value).__name__, [typed(v) for v in value])
    return (type(value).__name__, value)


@given(JSON, st.none() | KEYS)
def test_freeze_and_thaw_match_their_general_forms(value: Any, key: str | None) -> None:
    frozen = freeze(value, key)
    assert typed(frozen) == typed(general_freeze(value, key))
    assert typed(thaw(frozen)) == typed(general_thaw(frozen))


@given(st.dictionaries(KEYS, JSON, max_size=8))
def test_a_property_is_written_as_its_thawed_schema_in_canonical_order(schema: dict[str, Any]) -> None:
    prop = Property("p", freeze(schema))
    assert typed(prop.to_json()) == typed(ordered_keys(thaw(prop.schema), PROPERTY_KEYS))


@given(st.lists(SCALARS | st.text(max_size=3), max_size=8))
def test_sets_of_strings_keep_the_general_order_and_firsts(values: list[Any]) -> None:
    unique = _by_sort_key(values)
    assert typed(WrittenSet(values)) == typed(tuple.__new__(WrittenSet, unique.values()))
    assert typed(SetList(values)) == typed(tuple.__new__(SetList, (unique[k] for k in sorted(unique))))
    assert typed(WrittenSet(iter(values))) == typed(WrittenSet(values))

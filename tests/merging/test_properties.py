"""Properties of the document merge, over random edits of random events."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from trackplan.diffing.events import Differ
from trackplan.merging.documents import canonical
from trackplan.merging.files import merge_plan_documents
from trackplan.merging.kinds import RULES, Kind

NAMES = ["order_id", "revenue", "currency", "plan", "coupon", "seats"]
TYPES = ["string", "number", "integer", "boolean"]

prop_schemas = st.fixed_dictionaries(
    {"type": st.sampled_from(TYPES)},
    optional={
        "description": st.sampled_from(["One.", "Two.", "Three."]),
        "enum": st.lists(st.sampled_from(["a", "b", "c", "d"]), unique=True, max_size=3),
    },
)
events = st.builds(
    lambda props, tags, required: {
        "title": "Checkout Completed",
        "type": "object",
        "x-tags": tags,
        "properties": props,
        "required": [name for name in required if name in props],
    },
    st.dictionaries(st.sampled_from(NAMES), prop_schemas, max_size=5),
    st.lists(st.sampled_from(["checkout", "revenue", "growth"]), unique=True),
    st.lists(st.sampled_from(NAMES), unique=True),
)
# One edit: (property, new schema or None to delete it). Property names may be new.
edits = st.lists(st.tuples(st.sampled_from([*NAMES, "gift_wrap", "note"]), st.none() | prop_schemas), max_size=4)


def merge(base: Any, ours: Any, theirs: Any) -> tuple[Any, list[Any]]:
    return merge_plan_documents(Kind.EVENT, base, ours, theirs, Differ())


def applied(doc: dict[str, Any], changes: list[tuple[str, Any]]) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    for name, schema in changes:
        if schema is None:
            out["properties"].pop(name, None)
        else:
            out["properties"][name] = schema
    return out


def normalised(doc: Any, key: str | None = None) -> Any:
    """Order within sets does not count."""
    if isinstance(doc, dict):
        return {k: normalised(v, k) for k, v in doc.items()}
    if isinstance(doc, list):
        items = [normalised(v) for v in doc]
        return sorted(items, key=canonical) if key in RULES[Kind.EVENT].sets else items
    return doc


@given(events)
def test_merging_a_document_with_itself_changes_nothing(doc: dict[str, Any]) -> None:
    assert merge(doc, doc, doc) == (doc, [])


@given(events, edits)
def test_a_change_on_one_side_is_the_result(base: dict[str, Any], changes: list[tuple[str, Any]]) -> None:
    changed = applied(base, changes)
    assert merge(base, changed, base) == (changed, [])
    assert merge(base, base, changed) == (changed, [])


@given(events, edits, edits)
def test_edits_of_different_properties_merge_to_both_applied(
    base: dict[str, Any], mine: list[tuple[str, Any]], other: list[tuple[str, Any]]
) -> None:
    touched = {name for name, _ in mine}
    other = [(name, schema) for name, schema in other if name not in touched]
    merged, conflicts = merge(base, applied(base, mine), applied(base, other))
    assert conflicts == []
    assert merged == applied(applied(base, mine), other)


@given(events, edits, edits)
def test_the_result_does_not_depend_on_the_side_order(
    base: dict[str, Any], mine: list[tuple[str, Any]], other: list[tuple[str, Any]]
) -> None:
    ours, theirs = applied(base, mine), applied(base, other)
    one, one_conflicts = merge(base, ours, theirs)
    two, two_conflicts = merge(base, theirs, ours)
    assert sorted(c.path for c in one_conflicts) == sorted(c.path for c in two_conflicts)
    if not one_conflicts:
        assert normalised(one) == normalised(two)


@given(events, st.sampled_from(NAMES), prop_schemas)
def test_an_edit_and_a_delete_of_one_property_always_conflict(
    base: dict[str, Any], name: str, schema: dict[str, Any]
) -> None:
    base = applied(base, [(name, {"type": "string", "description": "Before."})])
    edited, deleted = applied(base, [(name, schema)]), applied(base, [(name, None)])
    for ours, theirs in ((edited, deleted), (deleted, edited)):
        merged, conflicts = merge(base, ours, theirs)
        assert [c.path for c in conflicts] == [("properties", name)]
        assert merged["properties"][name] == schema  # the edit is kept where the conflict is shown

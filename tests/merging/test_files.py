"""One plan file merged: sets, keyed lists, versions, comments and conflict markers."""

from __future__ import annotations

from trackplan.merging.files import merge_texts

BASE = """\
# Revenue reporting reads this event.
title: Checkout Completed
x-version: 1-0-0
x-tags: [checkout]
x-name-mapping:
  - {name: order_completed, destination: Segment}
properties:
  order_id:
    type: string  # ord_ and ten characters
  plan: {type: string, enum: [free, pro]}
required: [order_id]
"""


def test_two_enum_values_and_two_bumps_merge_into_one_bump_with_ours_comments() -> None:
    ours = BASE.replace("[free, pro]", "[free, pro, team]").replace("1-0-0", "1-0-1")
    theirs = BASE.replace("[free, pro]", "[free, pro, enterprise]").replace("1-0-0", "1-0-1")
    merged = merge_texts("events/checkout-completed.yaml", BASE, ours, theirs)
    assert merged is not None and merged.conflicts == []
    assert merged.text == BASE.replace("[free, pro]", "[free, pro, team, enterprise]").replace("1-0-0", "1-0-1")


def test_a_property_added_on_each_side_and_tags_as_sets() -> None:
    ours = BASE.replace("x-tags: [checkout]", "x-tags: [checkout, revenue]").replace(
        "required: [order_id]", "  coupon: {type: string}\nrequired: [order_id]"
    )
    theirs = BASE.replace("x-tags: [checkout]", "x-tags: [growth]").replace(
        "required: [order_id]", "  seats: {type: integer}\nrequired: [order_id, seats]"
    )
    merged = merge_texts("plan/events/checkout-completed.yaml", BASE, ours, theirs)
    assert merged is not None and merged.conflicts == []
    # Neither side bumped; a new required property is a model change, as the diff advises.
    assert merged.doc["x-version"] == "2-0-0"
    assert merged.doc["x-tags"] == ["revenue", "growth"]  # theirs removed checkout
    assert list(merged.doc["properties"]) == ["order_id", "plan", "coupon", "seats"]
    assert merged.doc["required"] == ["order_id", "seats"]
    assert merged.text.startswith("# Revenue reporting reads this event.\n")
    assert "    type: string  # ord_ and ten characters\n" in merged.text


def test_name_mappings_merge_by_destination() -> None:
    ours = BASE.replace("order_completed, destination: Segment}", "order_done, destination: Segment}")
    theirs = BASE.replace(
        "  - {name: order_completed, destination: Segment}\n",
        "  - {name: order_completed, destination: Segment}\n  - {name: checkout, destination: Amplitude}\n",
    )
    merged = merge_texts("events/checkout-completed.yaml", BASE, ours, theirs)
    assert merged is not None and merged.conflicts == []
    assert merged.doc["x-name-mapping"] == [
        {"name": "order_done", "destination": "Segment"},
        {"name": "checkout", "destination": "Amplitude"},
    ]


def test_markers_surround_only_the_conflicting_key() -> None:
    ours = BASE.replace("type: string  # ord_ and ten characters", "type: number  # ours")
    theirs = BASE.replace("type: string  # ord_ and ten characters", "type: integer  # theirs").replace(
        "[free, pro]", "[free, pro, team]"
    )
    merged = merge_texts("events/checkout-completed.yaml", BASE, ours, theirs, marker_size=9)
    assert merged is not None
    assert merged.summaries() == [
        'events/checkout-completed.yaml: properties.order_id.type: changed differently on both sides ("number" / "integer")'
    ]
    assert merged.text == BASE.replace(
        "    type: string  # ord_ and ten characters\n",
        "<<<<<<<<< ours\n    type: number  # ours\n=========\n    type: integer  # theirs\n>>>>>>>>> theirs\n",
    ).replace("[free, pro]", "[free, pro, team]")


def test_an_edit_against_a_delete_shows_an_empty_side() -> None:
    ours = BASE.replace("  plan: {type: string, enum: [free, pro]}\n", "")
    theirs = BASE.replace("[free, pro]", "[free, pro, team]")
    merged = merge_texts("events/checkout-completed.yaml", BASE, ours, theirs)
    assert merged is not None
    assert merged.summaries() == ["events/checkout-completed.yaml: properties.plan: removed on ours, changed on theirs"]
    assert "<<<<<<< ours\n=======\n  plan: {type: string, enum: [free, pro, team]}\n>>>>>>> theirs\n" in merged.text


SETTINGS = """\
name: Acme
sources:
  - name: web
    destinations: [Amplitude]
destinations:
  - name: Amplitude
domains:
  - name: Growth
"""


def test_settings_merge_sources_and_their_destinations_by_name() -> None:
    ours = SETTINGS.replace("destinations: [Amplitude]", "destinations: [Amplitude, Segment]").replace(
        "  - name: Growth\n", "  - name: Growth\n  - name: Payments\n"
    )
    theirs = SETTINGS.replace("destinations: [Amplitude]", "destinations: [Amplitude, Snowflake]\n  - name: ios")
    merged = merge_texts("trackplan.yaml", SETTINGS, ours, theirs)
    assert merged is not None and merged.conflicts == []
    assert merged.doc["sources"] == [
        {"name": "web", "destinations": ["Amplitude", "Segment", "Snowflake"]},
        {"name": "ios"},
    ]
    assert merged.doc["domains"] == [{"name": "Growth"}, {"name": "Payments"}]


def test_tracking_plan_specifications_merge_by_id() -> None:
    base = "name: Checkout\nspecifications:\n  - id: s1\n    event: Checkout Completed\n"
    ours = base + "  - id: s2\n    event: Product Viewed\n"
    theirs = base.replace("event: Checkout Completed", "event: Checkout Completed\n    minimum: 1")
    merged = merge_texts("tracking-plans/checkout.yaml", base, ours, theirs)
    assert merged is not None and merged.conflicts == []
    assert merged.doc["specifications"] == [
        {"id": "s1", "event": "Checkout Completed", "minimum": 1},
        {"id": "s2", "event": "Product Viewed"},
    ]


def test_files_that_are_not_plan_files_or_do_not_parse_are_left_to_git() -> None:
    assert merge_texts("README.md", "a\n", "b\n", "c\n") is None
    assert merge_texts("events/x.yaml", "title: X\n", "title: [X\n", "title: Y\n") is None
    assert merge_texts("events/x.yaml", "title: X\n", "- a list\n", "title: Y\n") is None


def test_a_side_that_bumped_further_than_needed_keeps_its_bump() -> None:
    ours = BASE.replace("[free, pro]", "[free, pro, team]").replace("1-0-0", "1-1-0")
    theirs = BASE.replace("x-tags: [checkout]", "x-tags: [checkout, revenue]")
    merged = merge_texts("events/checkout-completed.yaml", BASE, ours, theirs)
    assert merged is not None and merged.conflicts == []
    assert (merged.doc["x-version"], merged.doc["x-tags"]) == ("1-1-0", ["checkout", "revenue"])

"""RudderStack's rudder-cli catalog: a folder of rudder/v1 (or legacy rudder/v0.1) YAML files
read into events, and written back entry for entry."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import DATA
from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats import detect, read_source
from trackplan.formats.base import InputFile, WriteOptions
from trackplan.formats.rudderstack import write, write_folder
from trackplan.model import Event, Plan
from trackplan.model.frozen import thaw

EXAMPLE = DATA / "import" / "good" / "rudderstack"
LISTS = {"events": "events", "properties": "properties", "custom-types": "types", "categories": "categories"}


def read(folder: Path) -> Any:
    return read_source(InputFile(b"", str(folder)), "rudderstack")


def entries(files: dict[str, bytes]) -> dict[tuple[str, str], Any]:
    """Every catalog entry and rule by (kind, id): what the files say, whichever file holds it."""
    out: dict[tuple[str, str], Any] = {}
    for data in files.values():
        doc = yamlio.load(data)
        spec = doc["spec"]
        if doc["kind"] == "tracking-plan":
            out.update((("rule", rule["id"]), rule) for rule in spec["rules"])
            out[("tracking-plan", spec["id"])] = {k: v for k, v in spec.items() if k != "rules"}
        else:
            out.update(((doc["kind"], entry["id"]), entry) for entry in spec[LISTS[doc["kind"]]])
    return out


def test_a_catalog_folder_is_detected_and_an_iglu_folder_is_not(tmp_path: Path) -> None:
    assert detect(InputFile(b"", str(EXAMPLE))) == "rudderstack"
    iglu = tmp_path / "schemas" / "com.acme" / "signed_up" / "jsonschema"
    iglu.mkdir(parents=True)
    (iglu / "1-0-0").write_text('{"self": {"vendor": "com.acme", "name": "signed_up", "version": "1-0-0"}}')
    (tmp_path / "notes.yaml").write_text("version: 2\n")
    assert detect(InputFile(b"", str(tmp_path))) == "snowplow"


def test_events_get_their_rules_properties_with_custom_types_nesting_and_variants() -> None:
    plan = read(EXAMPLE).plan
    assert [(e.name, e.id, e.event_type) for e in plan.events] == [
        ("Order Completed", "order_completed", None),
        ("Product Viewed", "product_viewed", None),
        ("home", "home", "page"),
    ]
    order = plan.event("Order Completed").to_json()
    assert order["required"] == ["items", "payment"] and order["additionalProperties"] is True
    assert order["properties"]["payment"]["properties"]["method"] == {
        "type": "string",
        "enum": ["card", "voucher"],
        "x-id": "method",
    }
    assert order["properties"]["coupon"]["type"] == ["string", "null"]
    assert order["x-variants"][0]["discriminator"] == "method"
    assert order["x-variants"][0]["cases"][0]["properties"]["voucher_code"] == {
        "type": "string",
        "minLength": 6,
        "maxLength": 12,
        "x-id": "voucher_code",
    }
    viewed = plan.event("Product Viewed")
    assert viewed.categories == ("Browsing",) and viewed.additional_properties is False
    assert plan.identify is not None and plan.identify.id == "user_traits"
    assert plan.identify.to_json()["properties"]["email"] == {
        "type": "string",
        "format": "email",
        "maxLength": 254,
        "x-id": "email",
        "x-custom-type": {"id": "email_address", "name": "EmailAddress", "description": "An e-mail address."},
    }


def test_the_export_writes_every_entry_and_rule_back() -> None:
    original = {path.name: path.read_bytes() for path in EXAMPLE.iterdir()}
    exported = write_folder(read(EXAMPLE).plan, WriteOptions())
    assert sorted(exported) == sorted(original)
    mine, theirs = entries(original), entries(exported)
    assert theirs.pop(("tracking-plan", "tracking_plan")) == {"id": "tracking_plan", "display_name": "Tracking plan"}
    assert mine.pop(("tracking-plan", "shop")) == {
        "id": "shop",
        "display_name": "Shop",
        "description": "The web shop's events.",
    }
    assert theirs == mine


LEGACY = {
    "events.yaml": """version: "rudder/v0.1"
kind: events
metadata: {name: app}
spec:
  events:
    - {id: signed_up, name: Signed Up, event_type: track}
""",
    "properties.yaml": """version: rudder/v0.1
kind: properties
metadata: {name: app}
spec:
  properties:
    - {id: plan, name: plan, type: "string,null", propConfig: {enum: [free, pro, null]}}
    - {id: tags, name: tags, type: array, propConfig: {itemTypes: [string]}}
""",
    "tp.yaml": """version: rudder/v0.1
kind: tp
metadata: {name: app}
spec:
  id: app
  display_name: App
  rules:
    - type: event_rule
      id: signed_up_rule
      event: {$ref: "#/events/app/signed_up", allow_unplanned: false}
      properties:
        - {$ref: "#/properties/app/plan", required: true}
        - {$ref: "#/properties/app/tags"}
""",
}


def test_the_legacy_version_reads_as_v1_does(tmp_path: Path) -> None:
    for name, text in LEGACY.items():
        (tmp_path / name).write_text(text)
    event = read(tmp_path).plan.event("Signed Up").to_json()
    assert event["properties"] == {
        "plan": {"type": ["string", "null"], "enum": ["free", "pro", None], "x-id": "plan"},
        "tags": {"type": "array", "items": {"type": ["string"]}, "x-id": "tags"},
    }
    assert event["required"] == ["plan"] and event["additionalProperties"] is False


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            ("tp.yaml", "#/properties/app/plan", "#/properties/app/nope"),
            "spec.rules[0].properties[0]: '#/properties/app/nope' names no property in the catalog",
        ),
        (
            ("tp.yaml", "kind: tp", "kind: plan"),
            "kind: expected one of categories, custom-types, events, properties, tp",
        ),
        (("tp.yaml", '{$ref: "#/events/app/signed_up"', '{$ref: "signed_up"'), "'signed_up' is not a reference"),
    ],
)
def test_a_broken_catalog_is_one_line_naming_the_file_and_field(
    tmp_path: Path, change: tuple[str, str, str], message: str
) -> None:
    for name, text in LEGACY.items():
        (tmp_path / name).write_text(text)
    file, old, new = change
    (tmp_path / file).write_text(LEGACY[file].replace(old, new))
    with pytest.raises(InputError) as raised:
        read(tmp_path)
    assert str(tmp_path / file) in str(raised.value) and message in str(raised.value)


def test_entries_no_rule_uses_are_named_in_a_warning(tmp_path: Path) -> None:
    for name, text in LEGACY.items():
        (tmp_path / name).write_text(text)
    (tmp_path / "tp.yaml").write_text(LEGACY["tp.yaml"].replace('        - {$ref: "#/properties/app/tags"}\n', ""))
    assert read(tmp_path).warnings == ["Not imported, as no tracking plan rule uses them: property 'tags'."]


def test_the_printed_stream_re_imports_and_other_input_is_refused(tmp_path: Path) -> None:
    stream = tmp_path / "catalog.yaml"
    stream.write_bytes(write(read(EXAMPLE).plan, WriteOptions()))
    again = read_source(InputFile(stream.read_bytes(), str(stream)), "auto")
    assert [e.to_json() for e in again.plan.events] == [e.to_json() for e in read(EXAMPLE).plan.events]
    payloads = tmp_path / "payloads.json"
    payloads.write_text('[{"event": "Signed Up"}]')
    with pytest.raises(InputError) as raised:
        read_source(InputFile(payloads.read_bytes(), str(payloads)), "rudderstack")
    assert (
        str(raised.value)
        == f"{payloads}: version: no rudder-cli catalog file (version: rudder/v1 or rudder/v0.1) found"
    )


def _exported(plan: Plan, folder: Path) -> dict[str, bytes]:
    files = write_folder(plan, WriteOptions())
    folder.mkdir()
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return files


@pytest.mark.parametrize(
    ("items", "custom_type"),
    [
        (
            {"type": "string", "enum": ["a", "b"]},
            {"id": "tags_item", "name": "TagsItem", "type": "string", "config": {"enum": ["a", "b"]}},
        ),
        (
            {"type": "string", "pattern": "^[a-z]+$", "minLength": 2, "description": "A tag."},
            {
                "id": "tags_item",
                "name": "TagsItem",
                "description": "A tag.",
                "type": "string",
                "config": {"pattern": "^[a-z]+$", "min_length": 2},
            },
        ),
        (
            {"type": ["integer", "null"], "minimum": 0},
            {"id": "tags_item", "name": "TagsItem", "types": ["integer", "null"], "config": {"minimum": 0}},
        ),
        (
            {"type": "object", "properties": {"sku": {"type": "string"}}, "required": ["sku"]},
            {
                "id": "tags_item",
                "name": "TagsItem",
                "type": "object",
                "properties": [{"property": "#property:sku", "required": True}],
            },
        ),
    ],
)
def test_items_that_say_more_than_their_type_are_a_custom_type_and_re_import(
    tmp_path: Path, items: dict[str, Any], custom_type: dict[str, Any]
) -> None:
    tags = {"type": "array", "items": items, "minItems": 1}
    event = Event.from_json({"type": "object", "properties": {"tags": tags}, "required": []}, name="Signed Up")
    files = _exported(Plan(events=(event,)), tmp_path / "first")
    catalog = entries(files)
    assert catalog[("properties", "tags")] == {
        "id": "tags",
        "name": "tags",
        "type": "array",
        "item_type": "#custom-type:tags_item",
        "config": {"min_items": 1},
    }
    assert catalog[("custom-types", "tags_item")] == custom_type
    again = read(tmp_path / "first").plan
    meta = {k: custom_type[k] for k in ("id", "name", "description") if k in custom_type}
    read_back = thaw(again.event("Signed Up").to_json()["properties"]["tags"]["items"])
    nested = {name: {**schema, "x-id": name} for name, schema in items.get("properties", {}).items()}
    assert read_back == {**items, **({"properties": nested} if nested else {}), "x-custom-type": meta}
    assert _exported(again, tmp_path / "second") == files


def test_an_item_custom_type_in_a_catalog_is_read_and_written_back(tmp_path: Path) -> None:
    folder = tmp_path / "catalog"
    shutil.copytree(EXAMPLE, folder)
    properties = folder / "properties.yaml"
    properties.write_text(properties.read_text().replace("item_type: string", 'item_type: "#custom-type:sku"'))
    types = folder / "custom-types.yaml"
    types.write_text(
        types.read_text()
        + '    - id: sku\n      name: Sku\n      type: string\n      config:\n        pattern: "^sku_"\n'
    )
    plan = read(folder).plan
    assert plan.event("Order Completed").to_json()["properties"]["items"]["items"] == {
        "type": "string",
        "pattern": "^sku_",
        "x-custom-type": {"id": "sku", "name": "Sku"},
    }
    original = {path.name: path.read_bytes() for path in folder.iterdir()}
    mine, theirs = entries(original), entries(write_folder(plan, WriteOptions()))
    assert theirs[("properties", "items")] == mine[("properties", "items")]
    assert theirs[("custom-types", "sku")] == mine[("custom-types", "sku")]


def test_two_arrays_of_one_name_with_other_items_get_a_custom_type_each(tmp_path: Path) -> None:
    def event(name: str, values: list[str]) -> Event:
        tags = {"type": "array", "items": {"type": "string", "enum": values}}
        return Event.from_json({"type": "object", "properties": {"tags": tags}}, name=name)

    catalog = entries(write_folder(Plan(events=(event("A", ["a"]), event("B", ["b"]))), WriteOptions()))
    assert catalog[("properties", "tags")]["item_type"] == "#custom-type:tags_item"
    assert catalog[("properties", "tags_2")]["item_type"] == "#custom-type:tags_item_2"
    assert catalog[("custom-types", "tags_item_2")] == {
        "id": "tags_item_2",
        "name": "TagsItem2",
        "type": "string",
        "config": {"enum": ["b"]},
    }

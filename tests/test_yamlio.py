from __future__ import annotations

from typing import Any

import pytest
import yaml
from ruamel.yaml import YAML

from trackplan import yamlio
from trackplan.errors import InputError

AMBIGUOUS = [
    "yes",
    "no",
    "on",
    "off",
    "Yes",
    "NO",
    "y",
    "n",
    "true",
    "False",
    "~",
    "null",
    "",
    "0777",
    "0o17",
    "0x1F",
    "0b101",
    "1:20",
    "190:20:30",
    "1_000",
    "1e3",
    "1.5",
    ".5",
    ".inf",
    "-.inf",
    ".nan",
    "2026-11-22",
    "2001-12-14t21:59:43.10-05:00",
    "=",
    "<<",
    "+1",
    "-0",
    "12",
    "3.",
    "1e-3",
]


def _ruamel_load(text: str) -> Any:
    return YAML(typ="rt").load(text)


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_ambiguous_strings_load_identically_with_both_loaders(value: str) -> None:
    doc = {"enum": [value], value or "empty": {"description": value}}
    text = yamlio.dump(doc)
    assert yaml.load(text, Loader=yaml.CSafeLoader) == doc
    assert yamlio.load(text) == doc
    loaded = _ruamel_load(text)
    assert [str(v) for v in loaded["enum"]] == [value]
    assert all(isinstance(v, str) for v in loaded["enum"])


@pytest.mark.parametrize("value", AMBIGUOUS)
def test_rewrite_quotes_inserted_ambiguous_strings(value: str) -> None:
    original = "title: E  # keep me\nproperties: {}\n"
    text = yamlio.rewrite(original, {"title": "E", "properties": {}, "x-tags": [value]})
    assert "# keep me" in text
    assert yaml.load(text, Loader=yaml.CSafeLoader)["x-tags"] == [value]
    assert [str(v) for v in _ruamel_load(text)["x-tags"]] == [value]
    assert all(isinstance(v, str) for v in _ruamel_load(text)["x-tags"])


def test_dump_is_deterministic_and_block_style() -> None:
    doc = {"title": "E", "x-tags": ["a", "b"], "properties": {"p": {"type": "string"}}}
    assert yamlio.dump(doc) == yamlio.dump(dict(doc))
    assert yamlio.dump(doc) == "title: E\nx-tags:\n  - a\n  - b\nproperties:\n  p:\n    type: string\n"
    nested = {
        "x-name-mapping": [{"name": "a", "destination": "B"}],
        "e": [],
        "o": {},
        "n": [None, 1.5, True],
    }
    assert yamlio.load(yamlio.dump(nested)) == nested


@pytest.mark.parametrize(
    "text",
    [
        "line one\nline two\n",
        "Café ☕ 注文",
        " lead",
        "trail ",
        "a: b",
        "a #b",
        "- x",
        "[x]",
        "{x}",
        "'q'",
        '"q"',
        "tab\tin",
        "%x",
        "@x",
        "`x",
        "!x",
        "&x",
        "*x",
        "|x",
        ">x",
        "?",
        "x\\y",
        "\x00nul",
        "\u2028sep",
        "#c",
    ],
)
def test_any_string_round_trips_through_both_loaders(text: str) -> None:
    doc = {"description": text, text: [text]}
    dumped = yamlio.dump(doc)
    assert yamlio.load(dumped) == doc
    loaded = _ruamel_load(dumped)
    assert str(loaded["description"]) == text and [str(v) for v in loaded[text]] == [text]


def test_comments_and_key_order_survive_a_rewrite() -> None:
    original = (
        "# Header comment written by a person.\n"
        "title: Checkout Completed   # the name\n"
        "description: Old text.\n"
        "type: object\n"
        "properties:\n"
        "  # the order id\n"
        "  order_id: {type: string}\n"
        "  revenue:\n"
        "    type: number   # in EUR\n"
        "required: [order_id]\n"
    )
    doc = yamlio.load(original)
    doc["description"] = "New text."
    doc["properties"]["coupon"] = {"type": "string", "enum": ["yes", "no"]}
    doc["required"] = ["order_id", "revenue"]
    text = yamlio.rewrite(original, doc)
    for comment in ("# Header comment", "# the name", "# the order id", "# in EUR"):
        assert comment in text
    assert yamlio.load(text) == doc
    assert text.index("title") < text.index("description") < text.index("properties")


def test_rewrite_falls_back_to_a_fresh_dump_when_the_original_is_not_a_mapping() -> None:
    assert yamlio.rewrite("- a\n- b\n", {"title": "E"}) == "title: E\n"


def test_timestamps_stay_strings() -> None:
    assert yamlio.load("when: 2026-11-22\n") == {"when": "2026-11-22"}


def test_non_string_keys_become_json_keys() -> None:
    assert yamlio.load("on: 1\n3: x\n~: y\n") == {"true": 1, "3": "x", "null": "y"}


def test_yaml_bomb_is_refused() -> None:
    bomb = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
        f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
        for i in range(9)
    )
    with pytest.raises(InputError, match="aliases"):
        yamlio.load(bomb, "bomb.yaml")


def test_invalid_yaml_names_file_line_and_column() -> None:
    with pytest.raises(InputError, match=r"^events/x.yaml:2:\d+: invalid YAML"):
        yamlio.load("title: a\n  bad: [\n", "events/x.yaml")


def test_binary_garbage_is_an_input_error() -> None:
    with pytest.raises(InputError, match="garbage.yaml"):
        yamlio.load(b"\xff\xfe\x00\x01\x02garbage\x00", "garbage.yaml")


@pytest.mark.parametrize("dash", ["", "  "])
def test_a_rewrite_keeps_list_indentation_and_moves_no_comment(dash: str) -> None:
    original = (
        f"tags:\n{dash}- a  # first\n{dash}- b\n\n# about the owner\nowner: x\nnested:\n  list:\n  {dash}- deep\n"
    )
    doc = yamlio.load(original, "x.yaml")
    doc["tags"] = [*doc["tags"], "c"]
    text = yamlio.rewrite(original, doc)
    assert text == (
        f"tags:\n{dash}- a  # first\n{dash}- b\n{dash}- c\n\n# about the owner\nowner: x\n"
        f"nested:\n  list:\n  {dash}- deep\n"
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a: 1\nb: 2\na: 3\n", "f.yaml:3:1: invalid YAML: duplicate key 'a' (first on line 1)"),
        (
            "s:\n  - name: x\n    id: 1\n    name: y\n",
            "f.yaml:4:5: invalid YAML: duplicate key 'name' (first on line 2)",
        ),
        ('1: x\n"1": y\n', "f.yaml:2:1: invalid YAML: duplicate key '1' (first on line 1)"),
        ("{a: 1, a: 1}\n", "f.yaml:1:8: invalid YAML: duplicate key 'a' (first on line 1)"),
        ("true: 1\n'true': 2\n", "f.yaml:2:1: invalid YAML: duplicate key 'true' (first on line 1)"),
        ("a:\n  b: {c: 1, d: {e: 1, e: 2}}\n", "f.yaml:2:23: invalid YAML: duplicate key 'e' (first on line 2)"),
    ],
)
@pytest.mark.parametrize("load", [yamlio.load, yamlio.load_all], ids=["load", "load_all"])
def test_a_repeated_key_is_refused_naming_its_line(load: Any, text: str, message: str) -> None:
    with pytest.raises(InputError) as raised:
        load(text, "f.yaml")
    assert str(raised.value) == message


@pytest.mark.parametrize(
    ("text", "doc"),
    [
        ("a: 1\nb: [{name: x}, {name: y}]\nc: {a: 2}\n", {"a": 1, "b": [{"name": "x"}, {"name": "y"}], "c": {"a": 2}}),
        ("a: {<<: {b: 1, c: 2}, c: 3}\n", {"a": {"b": 1, "c": 3}}),  # a merge key: suspect, read key by key
        ("1: x\n2: y\n", {"1": "x", "2": "y"}),
    ],
)
def test_what_repeats_no_key_loads_as_libyaml_reads_it(text: str, doc: Any) -> None:
    plain = yaml.load(text, Loader=yaml.CSafeLoader)
    assert yamlio.load(text, "f.yaml") == doc == {str(k): v for k, v in plain.items()}

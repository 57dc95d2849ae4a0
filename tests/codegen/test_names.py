"""Names and literals: words of plan names, casing, reserved words, collision suffixes and
the escaping that keeps a hostile name inside its string or comment."""

from __future__ import annotations

import ast
import json

import pytest

from trackplan.codegen import python, typescript
from trackplan.codegen.names import (
    PYTHON_STYLE,
    TS_STYLE,
    Scope,
    camel_case,
    comment_text,
    identifier,
    pascal_case,
    snake_case,
    words,
)

HOSTILE = "42_--terrible==\\\"event'++name~!3"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Checkout Completed", ["Checkout", "Completed"]),
        ("checkout_completed", ["checkout", "completed"]),
        ("signUpClicked", ["sign", "Up", "Clicked"]),
        ("HTTPRequestSent", ["HTTP", "Request", "Sent"]),
        ("Step 2 done", ["Step", "2", "done"]),
        (HOSTILE, ["42", "terrible", "event", "name", "3"]),
        ("Achat effectué 🎉", ["Achat", "effectué"]),
        ("ﬁle ①", ["file", "1"]),  # NFKC, as Python reads identifiers
        ("🎉", []),
    ],
)
def test_words(name: str, expected: list[str]) -> None:
    assert words(name) == tuple(expected)


def test_casings() -> None:
    parts = words("API key Created")
    assert (camel_case(parts), pascal_case(parts), snake_case(parts)) == (
        "apiKeyCreated",
        "ApiKeyCreated",
        "api_key_created",
    )
    assert identifier(words(HOSTILE), camel_case, "event") == "_42TerribleEventName3"
    assert identifier(words(HOSTILE), snake_case, "event") == "_42_terrible_event_name_3"
    assert identifier((), camel_case, "event") == "event"


def test_a_scope_suffixes_names_in_the_order_they_are_asked_for() -> None:
    scope = Scope(keywords={"class"}, taken={"setup"})
    assert [scope.claim(n) for n in ("class", "class", "setup", "a", "a", "a_2", "a")] == [
        "class_",
        "class__2",
        "setup_2",
        "a",
        "a_2",
        "a_2_2",
        "a_3",
    ]


def test_reserved_words_of_each_language() -> None:
    assert {"function", "await", "undefined"} <= TS_STYLE.keywords
    assert {"match", "case", "type", "None"} <= PYTHON_STYLE.keywords
    assert {"identify", "group", "setup"} <= TS_STYLE.taken_values & PYTHON_STYLE.taken_values


@pytest.mark.parametrize(
    "text",
    [
        HOSTILE,
        'a"b\\c',
        "line\nbreak",
        "bidi \u202e override",
        "sep \u2028 arator",
        "nul \x00",
        "emoji \U0001f389",
        "é",
    ],
)
def test_string_literals_read_back_as_the_text(text: str) -> None:
    spelled = python.literal(text)
    assert ast.literal_eval(spelled) == text
    assert spelled.isprintable()
    ts = typescript.literal(text)
    assert ts.isprintable()
    assert json.loads(ts) == text


def test_unprintable_characters_beyond_the_basic_plane() -> None:
    tag = "\U000e0001"  # LANGUAGE TAG, a format character
    assert (python.literal(tag), typescript.literal(tag)) == ('"\\U000e0001"', '"\\u{e0001}"')


def test_comment_text_is_one_printable_line() -> None:
    assert comment_text("a\n  b\u2028c\u202ed\x00e") == "a b c d e"

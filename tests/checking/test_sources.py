"""A JSON array is cut at top-level commas without being loaded whole: every item comes out
once, in order, with its index and the line it starts on, whatever the layout and whatever
look-alike text its strings or nested values hold."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from trackplan.checking.sources import CHUNK, Malformed, batches


def read(data: bytes) -> list[tuple[int | None, int, Any]]:
    out: list[tuple[int | None, int, Any]] = []
    for batch in batches(io.BytesIO(data)):
        for i, doc in enumerate(batch.docs):
            at = batch.locate(i)
            out.append((at.index, at.line, ("malformed", doc.error) if isinstance(doc, Malformed) else doc))
    return out


# Strings that look like the cut the reader searches for, and nested arrays of objects.
DOCS = [
    {"event": f"E{i}", "properties": {"items": [{"event": 1}, {"b": 'x},{"event": "y'}], "n": i, "s": "é" * (i % 3)}}
    for i in range(3 * CHUNK // 60)
]


@pytest.mark.parametrize("layout", ["one-per-line", "one-line", "pretty-printed"])
def test_every_item_once_in_order_with_its_line(layout: str) -> None:
    if layout == "one-per-line":
        data = ("[\n" + ",\n".join(json.dumps(d) for d in DOCS) + "\n]\n").encode()
        lines = list(range(2, 2 + len(DOCS)))
    elif layout == "one-line":
        data, lines = json.dumps(DOCS, ensure_ascii=False).encode(), [1] * len(DOCS)
    else:
        data = json.dumps(DOCS, indent=2).encode()
        lines = [n for n, text in enumerate(data.decode().split("\n"), 1) if text == "  {"]
    assert read(data) == [(i, line, doc) for i, (line, doc) in enumerate(zip(lines, DOCS, strict=True))]


def test_an_item_that_does_not_parse_ends_the_array_where_it_is() -> None:
    data = b'[{"a": 1},\n {"b": 2},\n {"c": tru}, {"d": 4}]'
    assert read(data) == [(0, 1, {"a": 1}), (1, 2, {"b": 2}), (2, 3, ("malformed", "Expecting value"))]


def test_an_unterminated_array_reports_its_last_item() -> None:
    assert read(b'[{"a": 1}, {"b":') == [(0, 1, {"a": 1}), (1, 1, ("malformed", "Expecting value"))]


@pytest.mark.parametrize("data", [b"[]", b"[\n]\n", b"  \n", b""])
def test_nothing_to_read(data: bytes) -> None:
    assert read(data) == []

"""Payload files read in batches: JSONL, or one JSON array streamed without loading it whole.

A batch is a list of parsed payloads (a `Malformed` in place of a line that does not parse)
and knows where each came from: the JSONL line, or the array index and the line it starts
on. Lines are parsed with orjson; an array is cut at a top-level comma found by looking for
its first item's opening bytes, and a cut is only taken when orjson parses everything before
it, which no cut inside a string or a nested value can pass. Where no cut passes, the
standard library's decoder walks the items one by one.

Asked for texts (`batches(stream, texts=True)`), a batch that passes `fast.screened` comes as
`Texts`: the payloads' bytes, unparsed, for the fast path to decode (a JSON array's items cut
out by one msgspec pass, which, on screened bytes, accepts a cut exactly when orjson does).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from typing import Any, BinaryIO, Literal, overload

import msgspec
import orjson

from trackplan.checking.fast import DecodeErrors, screened

# Small batches stay in the processor's caches: measured fastest, 4 KiB of lines and 16 KiB of array.
LINES = 1 << 12  # bytes of JSONL lines per batch, about
CHUNK = 1 << 14  # bytes of a JSON array read at a time
BLOCK = 1 << 16  # bytes of JSONL read at a time for the fast path
UNCUT = 1 << 20  # bytes of array buffered with no cut found, before items are decoded one by one
BOM = b"\xef\xbb\xbf"
SIGNATURE = 64  # at most this much of the first item's opening, up to its first key
TRIES = 3  # cuts tried per read before the item-by-item decoder takes over
LIMIT = 1 << 26  # an item still incomplete past this many bytes is malformed
SPACE = b" \t\r\n"
STRING = re.compile(rb'"(?:[^"\\]|\\.)*"')
SPACES = re.compile(rb"[ \t\r]+")
VALUE = re.compile(rb"[^\[\]{},\n]+")


@dataclass(frozen=True, slots=True)
class Location:
    """Where a payload is: its JSONL line, or its index in a JSON array and the line it starts on."""

    line: int
    index: int | None = None

    def to_json(self) -> dict[str, int]:
        return {"line": self.line} if self.index is None else {"index": self.index, "line": self.line}

    def __str__(self) -> str:
        return f"line {self.line}" if self.index is None else f"[{self.index}] line {self.line}"


@dataclass(frozen=True, slots=True)
class Malformed:
    error: str


@dataclass(slots=True)
class Batch:
    docs: list[Any]
    locate: Callable[[int], Location]


BLANK = Malformed("a blank line")  # no payload: skipped, though its line is counted


@dataclass(slots=True)
class Texts:
    """Payloads not parsed yet: JSONL lines (blank and malformed ones too) or a JSON array's
    items (each one JSON value)."""

    texts: list[Any]  # bytes, or msgspec.Raw
    locate: Callable[[int], Location]
    unended: bool = False  # the last line had no newline (the end of the stream)

    def doc(self, i: int) -> Any:
        """Text `i` parsed as the Batch would hold it: a Malformed for what does not parse
        (orjson's words for the line with its newline, as it was read), BLANK for a blank line."""
        text = self.texts[i]
        if type(text) is not bytes:
            return orjson.loads(memoryview(text))
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            if not text.strip():
                return BLANK
            return _malformed(text if self.unended and i == len(self.texts) - 1 else text + b"\n")


ITEMS = msgspec.json.Decoder(list[msgspec.Raw])


@overload
def batches(stream: BinaryIO, texts: Literal[False] = False) -> Iterator[Batch]: ...
@overload
def batches(stream: BinaryIO, texts: bool) -> Iterator[Batch | Texts]: ...


def batches(stream: BinaryIO, texts: bool = False) -> Iterator[Batch | Texts]:
    """The payloads of `stream` in batches; a UTF-8 byte order mark and leading blank lines
    are skipped, the lines still counted. With `texts`, screened batches come as Texts."""
    first = stream.read(1)
    if first == BOM[:1]:
        rest = stream.read(2)
        first = stream.read(1) if rest == BOM[1:] else first + rest
    line = 1
    while first.isspace():
        line += first == b"\n"
        first = stream.read(1)
    if not first:
        return
    if first == b"[":
        yield from _ArrayReader(stream, line, texts).batches()
    else:
        yield from _jsonl_batches(stream, first, line, texts)


def _jsonl_texts(stream: BinaryIO, first: bytes, line: int) -> Iterator[Batch | Texts]:
    """JSONL read in blocks of whole lines: each screened block as Texts (its lines without
    their newlines), any other parsed line by line."""
    rest = first
    while True:
        block = stream.read(BLOCK)
        data = rest + block
        end = data.rfind(b"\n") + 1 if block else len(data)
        if not end:
            if not data:
                return
            rest = data  # a line longer than a block: read on
            continue
        text, rest = data[:end], data[end:]
        lines = text.split(b"\n")
        if text.endswith(b"\n"):
            lines.pop()
        unended = not text.endswith(b"\n")
        if screened(text):
            yield Texts(lines, partial(_line_from, line), unended)
        else:
            yield from _screened_runs(lines, line, unended)
        line += len(lines)


def _screened_runs(lines: list[bytes], first: int, unended: bool) -> Iterator[Batch | Texts]:
    """A block that failed the screen, line by line: runs of screened lines as Texts, each
    other line parsed (with its newline, as it was read)."""
    start = 0
    last = len(lines) - 1
    for i, text in enumerate(lines):
        if screened(text):
            continue
        if start < i:
            yield Texts(lines[start:i], partial(_line_from, first + start))
        yield _parsed_one_by_one([text if unended and i == last else text + b"\n"], first + i)
        start = i + 1
    if start < len(lines):
        yield Texts(lines[start:], partial(_line_from, first + start), unended)


def _malformed(text: bytes) -> Malformed:
    try:
        orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        return Malformed(str(exc).split(":")[0])
    raise AssertionError("a line that parses only without its newline")


def _jsonl_batches(stream: BinaryIO, first: bytes, line: int, texts: bool) -> Iterator[Batch | Texts]:
    if texts:
        yield from _jsonl_texts(stream, first, line)
        return
    lines = [first + stream.readline(), *stream.readlines(LINES)]
    while lines:
        try:
            docs = list(map(orjson.loads, lines))
        except orjson.JSONDecodeError:  # a blank or malformed line: parse this batch line by line
            yield _parsed_one_by_one(lines, line)
        else:
            yield Batch(docs, partial(_line_from, line))
        line += len(lines)
        lines = stream.readlines(LINES)


def _line_from(first: int, i: int) -> Location:
    return Location(first + i)


def _parsed_one_by_one(lines: list[bytes], first: int) -> Batch:
    docs: list[Any] = []
    numbers: list[int] = []
    for number, text in enumerate(lines, first):
        if not text.strip():
            continue
        try:
            docs.append(orjson.loads(text))
        except orjson.JSONDecodeError as exc:
            docs.append(Malformed(str(exc).split(":")[0]))
        numbers.append(number)
    return Batch(docs, lambda i: Location(numbers[i]))


class _ArrayReader:
    """The items of a JSON array whose `[` was read, in batches cut at top-level commas."""

    def __init__(self, stream: BinaryIO, line: int, texts: bool) -> None:
        self.stream = stream
        self.texts = texts
        self.line = line  # where `buffer` starts
        self.index = 0  # the index of the next item
        self.buffer = stream.read(CHUNK)
        opening = self.buffer.lstrip(SPACE)[:SIGNATURE]
        self.signature = opening[: opening.find(b":") + 1] or opening[:1]

    def batches(self) -> Iterator[Batch | Texts]:
        done = False
        while not done:
            chunk = self.stream.read(CHUNK)
            done = not chunk
            self.buffer += chunk
            batch = self._rest() if done else self._cut()
            if batch is None and not done and len(self.buffer) > UNCUT:
                batch = self._decoded_one_by_one(final=False)  # no cut found in a long stretch
            if batch is not None:
                yield batch
                done = done or (type(batch) is Batch and isinstance(batch.docs[-1], Malformed))

    def _cut(self) -> Batch | Texts | None:
        """The items before the last top-level comma of the buffer that orjson confirms."""
        end = len(self.buffer)
        for _ in range(TRIES):
            start = self.buffer.rfind(self.signature, 0, end)
            comma = start - 1
            while comma > 0 and self.buffer[comma] in SPACE:
                comma -= 1
            if start <= 0 or self.buffer[comma] != ord(","):
                return None
            text = self.buffer[:comma]
            batch = self._parsed(b"[" + text + b"]", text)
            if batch is None:
                end = start
                continue
            self.buffer = self.buffer[comma + 1 :]
            return batch
        return None

    def _rest(self) -> Batch | Texts | None:
        """The last items, up to the closing `]`."""
        if not self.buffer.strip(SPACE):
            return None
        batch = self._parsed(b"[" + self.buffer, self.buffer)
        if batch is None:
            return self._decoded_one_by_one(final=True)
        return batch if (batch.texts if isinstance(batch, Texts) else batch.docs) else None

    def _parsed(self, array: bytes, text: bytes) -> Batch | Texts | None:
        """The items of `array` (`text` is the part of the stream it holds); None when it is
        no JSON array."""
        if self.texts and screened(text):
            try:
                items = ITEMS.decode(array)
            except DecodeErrors:
                pass  # orjson may still read it (msgspec stops short of orjson's depth)
            else:
                return Texts(items, self._locator(len(items), text))
        try:
            docs = orjson.loads(array)
        except orjson.JSONDecodeError:
            return None
        return Batch(docs, self._locator(len(docs), text))

    def _locator(self, count: int, text: bytes) -> Callable[[int], Location]:
        index, line = self.index, self.line
        self.index += count
        self.line += text.count(b"\n")
        starts: list[int] = []

        def locate(i: int) -> Location:
            if b"\n" not in text:
                return Location(line, index + i)
            if not starts:
                starts.extend(_item_lines(text))
            return Location(line + starts[i], index + i)

        return locate

    def _decoded_one_by_one(self, final: bool) -> Batch | None:
        """Items decoded one at a time up to the first that does not parse, which is malformed
        at the end of the stream or when it alone outgrows LIMIT (the array cannot be followed
        past it); None when the buffer holds no complete item yet."""
        text = self.buffer.decode("utf-8", "surrogateescape")  # re-encodes to the same bytes
        decoder = json.JSONDecoder()
        docs: list[Any] = []
        lines: list[int] = []
        position = line = 0
        while True:
            skipped = len(text) - len(text[position:].lstrip(" \t\r\n,")) - position
            line += text.count("\n", position, position + skipped)
            position += skipped
            if position >= len(text) or text[position] == "]":
                break
            try:
                value, end = decoder.raw_decode(text, position)
            except ValueError as exc:
                if final or (not docs and len(text) - position > LIMIT):
                    docs.append(Malformed(str(exc).split(":")[0]))
                    lines.append(line)
                break
            docs.append(value)
            lines.append(line)
            line += text.count("\n", position, end)
            position = end
        if not docs:
            return None
        index, first = self.index, self.line
        self.index += len(docs)
        self.line += line
        self.buffer = text[position:].encode("utf-8", "surrogateescape")
        return Batch(docs, lambda i: Location(first + lines[i], index + i))


def _item_lines(text: bytes) -> list[int]:
    """The line (from 0) on which each top-level item of `text` starts: strings and other
    values become one byte each (strings hold no newline), spaces go, then the brackets,
    commas and newlines are walked."""
    structure = VALUE.sub(b"v", SPACES.sub(b"", STRING.sub(b"v", text)))
    starts: list[int] = []
    depth = line = 0
    expecting = True  # at the start, and after a top-level comma
    for char in structure:
        if char == 10:  # newline
            line += 1
            continue
        if expecting:
            starts.append(line)
            expecting = False
        if char in b"[{":
            depth += 1
        elif char in b"]}":
            depth -= 1
        elif char == 44 and depth == 0:  # a top-level comma
            expecting = True
    return starts

"""The fast accept path of `check`: one msgspec pass that decodes a payload's text and accepts
it only when it is a valid payload of a planned event.

A Checker's `FastPath` holds, for each event whose validator compiled and whose schema
`translate.properties_type` carries, a Struct tagged by the event's name: a Segment track or
plain `{event, properties}` payload decodes into it only when its properties meet the schema
(their `pattern`s and `format`s judged by jsonschema-rs itself, remembered per string). What
the pass refuses, and every event it does not carry, takes the full path: it can only ever
say "valid" where the full path says so too.

A payload text is given to msgspec only after `screened` passed its batch: msgspec skips the
fields it does not decode without checking their UTF-8 or how large their numbers are, both
of which orjson (the full path's parser) refuses; with those screened, msgspec accepts no
text orjson would not, and reads every decoded field as orjson does.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from operator import attrgetter
from typing import Any, Literal, Union

import msgspec

from trackplan.checking.translate import Compile, StringCheck, Translation, properties_type

ORJSON_DEPTH = 1024  # orjson refuses deeper nesting; msgspec stops at the recursion limit
REBUILD_MISSES = 32  # payloads of events not yet in the union, per event, before it is rebuilt
KNOWN_STRINGS = 1 << 14  # strings remembered per judged property
# Digits as 0, e and E as e, signs as +, every other byte a space: a number too large for a
# float shows as e000 or e+000 (a three-digit exponent), or as 200 digits in a row (with a
# two-digit exponent it needs over 200 integer digits to overflow).
NUMBERS = bytes(48 if 48 <= b <= 57 else 101 if b in (69, 101) else 43 if b in (43, 45) else 32 for b in range(256))
DecodeErrors = (msgspec.ValidationError, msgspec.DecodeError, RecursionError)  # what refuses a text
BEFORE_NUMBER = frozenset(b":,[ \t\r\n")  # a JSON number follows one of these


def screened(text: bytes) -> bool:
    """True when `text` holds only valid UTF-8 and no number whose magnitude a float cannot
    hold: the two things msgspec does not check in the fields it skips."""
    if not text.isascii():
        try:
            text.decode()
        except UnicodeDecodeError:
            return False
    numbers = text.translate(NUMBERS)
    if b"0" * 200 in numbers or sys.getrecursionlimit() > ORJSON_DEPTH:
        return False
    return not any(_exponent_of_a_number(text, numbers, needle) for needle in (b"e000", b"e+000"))


def _exponent_of_a_number(text: bytes, numbers: bytes, needle: bytes) -> bool:
    """True when a three-digit exponent follows digits that may be a JSON number: they follow
    a colon, comma, bracket or space, not a letter or quote, as the same digits inside a
    string (a hex id, a UUID) mostly do."""
    at = numbers.find(needle)
    while at != -1:
        start = at
        while start > 0 and (numbers[start - 1] == 48 or text[start - 1] in b".-"):
            start -= 1
        if start < at and (start == 0 or text[start - 1] in BEFORE_NUMBER):
            return True
        at = numbers.find(needle, at + 1)
    return False


class TrackingPlan(msgspec.Struct, gc=False):
    commit: str | None = None


class Context(msgspec.Struct, gc=False):
    trackingPlan: TrackingPlan | msgspec.UnsetType = msgspec.UNSET


class _Judged:
    """A StringCheck with the strings it passed remembered."""

    __slots__ = ("attribute", "each", "is_valid", "known")

    def __init__(self, check: StringCheck) -> None:
        self.attribute = check.attribute
        self.each = check.each
        self.is_valid = check.is_valid
        self.known: set[str] = set()

    def passes(self, value: Any) -> bool:
        if self.each:
            return type(value) is not list or all(item in self.known or self.learn(item) for item in value)
        return type(value) is not str or value in self.known or self.learn(value)

    def learn(self, value: str) -> bool:
        if not self.is_valid(value):
            return False
        if len(self.known) >= KNOWN_STRINGS:
            self.known.clear()
        self.known.add(value)
        return True


class Accepted:
    """What the fast path knows of one event it carries."""

    __slots__ = ("attributes", "judged", "key", "known", "planned", "values")

    def __init__(self, key: str, planned: tuple[str, ...], translation: Translation) -> None:
        self.key = key  # the Checker's event key
        self.planned = planned  # the Checker's `properties[key]`
        self.attributes = translation.attributes  # property name -> the Struct's attribute
        self.judged = tuple(_Judged(check) for check in translation.checks)
        self.values = attrgetter(*(j.attribute for j in self.judged)) if self.judged else None
        self.known: set[Any] = set()  # the judged values of payloads that passed, together

    def passes(self, properties: Any) -> bool:
        """True when jsonschema-rs passes each judged property's strings."""
        assert self.values is not None
        values = self.values(properties)
        try:
            if values in self.known:
                return True
        except TypeError:  # a list among them
            pass
        for judged, value in zip(self.judged, values if len(self.judged) > 1 else (values,), strict=True):
            if not judged.passes(value):
                return False
        try:
            if len(self.known) >= KNOWN_STRINGS:
                self.known.clear()
            self.known.add(values)
        except TypeError:
            pass
        return True

    def sent(self, properties: Any, names: set[str]) -> list[str] | None:
        """Which of `names` the payload sent; None when one is no property of this Struct (a
        property of the event at another commit, sent as an unknown field)."""
        attributes = self.attributes
        if not names.issubset(attributes):
            return None
        return [name for name in names if getattr(properties, attributes[name]) is not msgspec.UNSET]


class FastPath:
    """A Checker's union of tagged Structs, grown as its events' validators compile."""

    def __init__(self, compile: Compile, formats: bool) -> None:
        self.compile = compile
        self.formats = formats
        self.accepted: dict[type, Accepted] = {}  # the decoded payload's type -> its event
        self.decode: Callable[[Any], Any] | None = None  # None until an event is carried
        self._pending: dict[str, tuple[dict[str, Any], tuple[str, ...]]] = {}  # compiled, not in the union
        self._carried: list[type] = []
        self._misses = 0

    def add(self, key: str, schema: dict[str, Any], planned: tuple[str, ...]) -> None:
        """An event whose validator compiled: carried from the next rebuild on."""
        self._pending[key] = (schema, planned)

    def missed(self, doc: Any) -> None:
        """A payload the full path took: when enough were of events compiled since the last
        build, the union is built again (a rebuild costs about as much as 30 such payloads
        per event carried)."""
        name = doc.get("event") if type(doc) is dict else None
        if type(name) is str and name in self._pending:
            self._misses += 1
            if self._misses >= REBUILD_MISSES * (len(self._carried) + len(self._pending)):
                self.rebuild()

    def rebuild(self) -> None:
        for key, (schema, planned) in self._pending.items():
            translation = properties_type(schema, self.compile, formats=self.formats)
            if translation is not None:
                self._carry(key, translation, planned)
        self._pending.clear()
        self._misses = 0
        if self._carried:
            union = self._carried[0] if len(self._carried) == 1 else Union[tuple(self._carried)]  # noqa: UP007
            self.decode = msgspec.json.Decoder(union).decode

    def _carry(self, key: str, translation: Translation, planned: tuple[str, ...]) -> None:
        payload = msgspec.defstruct(
            "Payload",
            [
                ("properties", translation.struct),
                ("type", Literal["track"] | None, None),
                ("event_type", msgspec.UnsetType, msgspec.UNSET),  # present: Amplitude
                ("schema", msgspec.UnsetType, msgspec.UNSET),  # present: maybe Snowplow
                ("context", Context | msgspec.UnsetType, msgspec.UNSET),
            ],
            tag_field="event",
            tag=key,
            gc=False,
        )
        self.accepted[payload] = Accepted(key, planned, translation)
        self._carried.append(payload)

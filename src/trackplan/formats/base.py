"""What readers and writers share: an input file, its text and the one-line checks of its
fields, the incoming plan read from it (with the warnings met on the way), the options a writer
may use, and JSON output."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

import orjson

from trackplan.errors import InputError
from trackplan.model import Event, Plan, Property
from trackplan.model.tracking_plans import TrackingPlan


def pretty_json(doc: Any) -> bytes:
    """Indented JSON (2 spaces, UTF-8, keys in document order) for exports: orjson does it
    in C; values it cannot encode (integers beyond 64 bits) fall back to the standard
    library, which writes them the same way."""
    try:
        return orjson.dumps(doc, option=orjson.OPT_INDENT_2)
    except TypeError:
        return json.dumps(doc, indent=2, ensure_ascii=False).encode()


UTF8_BOM = b"\xef\xbb\xbf"
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def utf8_text(data: bytes, name: str) -> str:
    """Input bytes as text, a UTF-8 BOM dropped; UTF-16 or binary data is a one-line error."""
    if data.startswith(UTF16_BOMS):
        raise InputError(f"{name}: UTF-16 text; save it as UTF-8")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); is this a binary file?") from None


def parse_json(data: bytes, name: str) -> Any:
    """Parse JSON input (orjson, in C): a one-line error with line and column, or a clear
    word for binary data."""
    text = utf8_text(data, name)
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None


def require(condition: bool, source: str, where: str, what: str) -> None:
    """Raise a one-line InputError naming the field when `condition` fails."""
    if not condition:
        raise InputError(f"{source}: {where}: {what}")


def listed(value: Any, source: str, where: str, what: str) -> list[Any]:
    """A list the input may leave out (None: empty), or a one-line InputError naming the field."""
    if value is None:
        return []
    if not isinstance(value, list):  # the message, a repr of the value, only when it fails
        require(False, source, where, f"expected {what}, got {value!r}")
    return list(value)


@dataclass
class InputFile:
    """One input: its bytes and name. JSON is parsed once, for detection and reading alike."""

    data: bytes
    name: str
    skip_invalid: bool = False  # a folder: a file that cannot be read is skipped with a warning
    files: dict[str, bytes] | None = None  # a folder's files by relative path, read by the import (snowplow-dp)

    @cached_property
    def json(self) -> Any:
        return parse_json(self.data, self.name)

    @property
    def is_json(self) -> bool:
        return self.data.removeprefix(UTF8_BOM).lstrip()[:1] in (b"{", b"[")

    @property
    def is_dir(self) -> bool:
        return Path(self.name).is_dir()


@dataclass(frozen=True)
class WriteOptions:
    """What a writer may use besides the plan; each format reads the fields it needs."""

    label: str = ""  # the exported ref's name: avo-json's title, the docs' "built from"
    commit: str | None = None  # the exported commit (docs); None for the work tree
    source: str | None = None  # itly: only this source's events, without their `sources`
    vendor: str | None = None  # snowplow, ndjson: the Iglu vendor, over the plan's own
    removed_events: list[str] | None = None  # --changed-since: names gone since the base
    all_versions: bool = False  # snowplow -o DIR: also every earlier version an import kept
    tracking_plans: tuple[TrackingPlan, ...] = ()  # formats that carry tracking plans: those at the ref


def json_document(doc: dict[str, Any], options: WriteOptions) -> bytes:
    """A JSON export: the document, `removedEvents` last when given, and a final newline."""
    if options.removed_events is not None:
        doc = {**doc, "removedEvents": options.removed_events}
    return pretty_json(doc) + b"\n"


@dataclass
class Incoming:
    plan: Plan
    warnings: list[str] = field(default_factory=list)
    format: str = ""
    # Events dropped on reading (variants, empty names): never part of `plan`.
    skipped: int = 0
    # Formats that carry tracking plans (snowplow-dp): the plans read; sources are in plan.settings.
    tracking_plans: tuple[TrackingPlan, ...] = ()


def plain_property(prop: Property) -> dict[str, Any]:
    """A property's JSON Schema without trackplan's `x-` keys."""
    return {k: v for k, v in prop.to_json().items() if not k.startswith("x-")}


def plain_schema(event: Event, *, keep_extra: bool = True) -> dict[str, Any]:
    """An event's JSON Schema without `x-` keys: what downstream validators read."""
    doc = event.to_json()
    out: dict[str, Any] = {}
    if event.description:
        out["description"] = event.description
    out["type"] = "object"
    if keep_extra:
        out.update((k, v) for k, v in doc.items() if k in event.extra and not k.startswith("x-"))
    out["properties"] = {p.name: plain_property(p) for p in event.properties}
    names = {p.name for p in event.properties if p.required}
    required = [name for name in doc.get("required", ()) if name in names]  # in the order written
    if required:
        out["required"] = required
    if event.additional_properties is not None:
        out["additionalProperties"] = doc["additionalProperties"]
    return out


def stable_id(kind: str, name: str) -> str:
    """A deterministic id for things that have none of their own (Avo ids are 9-10 chars)."""
    import hashlib

    return hashlib.sha256(f"{kind}:{name}".encode()).hexdigest()[:10]

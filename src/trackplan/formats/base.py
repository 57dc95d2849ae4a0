"""What every reader produces: an incoming plan plus the warnings met on the way."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any

from trackplan.errors import InputError
from trackplan.model import Plan


def parse_json(data: bytes, name: str) -> Any:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(f"{name}: not UTF-8 text (byte {exc.start}); is this a binary file?") from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}:{exc.lineno}:{exc.colno}: invalid JSON: {exc.msg}") from None
    except RecursionError:
        raise InputError(f"{name}: JSON nested too deeply") from None


@dataclass
class InputFile:
    """One input: its bytes and name. JSON is parsed once, for detection and reading alike."""

    data: bytes
    name: str

    @cached_property
    def json(self) -> Any:
        return parse_json(self.data, self.name)

    @property
    def is_json(self) -> bool:
        return self.data.lstrip()[:1] in (b"{", b"[")

    @property
    def is_dir(self) -> bool:
        return Path(self.name).is_dir()


@dataclass
class Incoming:
    plan: Plan
    warnings: list[str] = field(default_factory=list)
    format: str = ""
    # Events dropped on reading (variants, empty names): never part of `plan`.
    skipped: int = 0

"""What every reader produces: an incoming plan plus the warnings met on the way."""

from __future__ import annotations

from dataclasses import dataclass, field

from trackplan.model import Plan


@dataclass
class Incoming:
    plan: Plan
    warnings: list[str] = field(default_factory=list)
    format: str = ""
    # Events dropped on reading (variants, empty names): never part of `plan`.
    skipped: int = 0

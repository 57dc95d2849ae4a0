"""What the linter reports: a `Finding` (rule, file, line, column, message), a `LintReport`
of them, `positions` (line and column from a finding's key path in the YAML), `parse_error`
(a YAML error as a finding), and the `fingerprint` code scanning uses to follow a finding
across commits."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.linting.rules import RULES

LEVELS = ("error", "warning", "info")


@dataclass
class Finding:
    rule: str
    severity: str
    file: str
    message: str
    line: int = 1
    column: int = 1
    event: str | None = None
    where: tuple[str, ...] = ()  # the key path in the document, for positioning

    @classmethod
    def of(
        cls, rule: str, file: str, message: str, *, event: str | None = None, where: tuple[str, ...] = ()
    ) -> Finding:
        """A finding at its rule's default severity; the plan's configuration applies later."""
        return cls(rule, RULES[rule].severity(), file, message, event=event, where=where)

    @property
    def name(self) -> str:
        return RULES[self.rule].name

    @property
    def hint(self) -> str:
        return RULES[self.rule].hint

    def to_json(self) -> dict[str, Any]:
        return {
            "rule": self.rule,
            "name": self.name,
            "severity": self.severity,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "event": self.event,
            "message": self.message,
            "hint": self.hint,
        }

    def to_cache(self) -> dict[str, Any]:
        """The finding without its file: cached per file, the path is part of the key."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "message": self.message,
            "line": self.line,
            "column": self.column,
            "event": self.event,
            "where": list(self.where),
        }

    @classmethod
    def from_cache(cls, file: str, data: Mapping[str, Any]) -> Finding:
        return cls(
            data["rule"],
            data["severity"],
            file,
            data["message"],
            data["line"],
            data["column"],
            data["event"],
            tuple(data["where"]),
        )


@dataclass
class LintReport:
    findings: list[Finding]
    files: int

    @property
    def has_errors(self) -> bool:
        return any(f.severity == "error" for f in self.findings)

    def counts(self) -> dict[str, int]:
        return {level: sum(1 for f in self.findings if f.severity == level) for level in LEVELS}


def parse_error(path: str, exc: InputError) -> Finding:
    """TP101 at the position the YAML parser names; the message says the rest, once."""
    finding = Finding("TP101", "error", path, str(exc).split(": ", 1)[-1])
    match = re.search(rf"{re.escape(path)}:(\d+):(\d+)", str(exc))
    if match:
        finding.line, finding.column = int(match.group(1)), int(match.group(2))
    return finding


def positions(text: str, findings: list[Finding]) -> None:
    """Fill line and column from the YAML nodes of each finding's key path."""
    # TP101 and TP118 are positioned where they are found.
    placed = [f for f in findings if f.where and f.rule not in ("TP101", "TP118")]
    if not placed:
        return
    for finding, position in zip(placed, yamlio.key_positions(text, [f.where for f in placed]), strict=True):
        if position is not None:
            finding.line, finding.column = position


def fingerprint(finding: Finding) -> str:
    return hashlib.sha256(f"{finding.rule}|{finding.file}|{finding.message}".encode()).hexdigest()[:16]

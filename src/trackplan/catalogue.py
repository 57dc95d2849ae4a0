"""One shape for every rule trackplan applies: the lint rules of `validate` (TP1xx) and the
change rules of `diff` (TP0xx).

Each rule carries its examples, and the examples are the rule's tests: a lint example is a
plan file the rule accepts or flags; a diff example is a before/after pair of plan files the
rule stays silent on or fires on. `docs/rules.md` and the rule table of `docs/diff.md` are
generated from these records, and `trackplan rules --format json` prints them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

Verb = Literal["validate", "diff"]


@dataclass(frozen=True)
class Example:
    """Plan files for one case, path -> text. `before` is empty for a lint rule."""

    fires: bool
    after: tuple[tuple[str, str], ...]
    before: tuple[tuple[str, str], ...] = ()

    def to_json(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"fires": self.fires}
        if self.before:
            doc["before"] = dict(self.before)
        doc["after" if self.before else "files"] = dict(self.after)
        return doc


@dataclass(frozen=True)
class Rule:
    """A rule: its id and name, what it checks, its default severities and its examples.

    `severities` maps a profile to a severity: lint rules have the one profile `default`
    (error | warning | info); diff rules have `validation` and `consumer`
    (breaking | warning | info).
    """

    id: str
    name: str
    verb: Verb
    summary: str
    severities: Mapping[str, str]
    hint: str = ""
    examples: tuple[Example, ...] = field(default=())

    def severity(self, profile: str = "default") -> str:
        return self.severities[profile]

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "verb": self.verb,
            "summary": self.summary,
            "hint": self.hint,
            "severities": dict(self.severities),
            "examples": [example.to_json() for example in self.examples],
        }


def edit(base: str, *edits: tuple[str, str]) -> str:
    """An example's plan file: `base` after the edits (old text, new text), each of a text found once."""
    for old, new in edits:
        assert base.count(old) == 1, old
        base = base.replace(old, new)
    return base


def all_rules() -> tuple[Rule, ...]:
    """Both catalogues, lint rules first, each in id order."""
    from trackplan.diffing.rules import RULES as CHANGE_RULES
    from trackplan.linting.rules import RULES as LINT_RULES

    return (*LINT_RULES.values(), *CHANGE_RULES.values())

"""Each change rule's own examples (the ones in docs/diff.md) are its tests."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.helpers import DATA, ROOT
from trackplan.catalogue import Rule
from trackplan.diffing import rules
from trackplan.diffing.events import Differ, diff_plans
from trackplan.diffing.rules import PROFILES, RULES, SEVERITIES
from trackplan.model import Plan
from trackplan.repo.reading import build_plan, parse_document

DOCS = ROOT / "docs" / "diff.md"
EXPECTED = DATA / "diff" / "example-changes.json"


def plan_of(files: tuple[tuple[str, str], ...]) -> Plan:
    """The plan of an example's files, parsed as a plan read from a tree is."""
    data = {path: text.encode() for path, text in files}
    return build_plan({path: path for path in data}, lambda path, blob: parse_document(data[blob], path)).plan


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_each_rule_fires_on_its_examples_and_only_there(rule: Rule) -> None:
    assert (rule.verb, set(rule.severities)) == ("diff", set(PROFILES))
    assert set(rule.severities.values()) <= set(SEVERITIES)
    assert any(example.fires for example in rule.examples), "every rule needs an example it fires on"
    for example in rule.examples:
        old, new = plan_of(example.before), plan_of(example.after)
        for profile in PROFILES:
            changes = diff_plans(old, new, Differ(profile)).changes
            fired = [change.severity for change in changes if change.rule == rule.id]
            assert fired == ([rule.severity(profile)] if example.fires else []), (profile, [c.rule for c in changes])


def test_the_examples_give_these_changes() -> None:
    """Every change of every example, as `trackplan diff` words it under the validation profile."""
    found = {
        rule.id: [
            [f"{c.rule} {c.severity} {c.message}" for c in diff_plans(plan_of(e.before), plan_of(e.after)).changes]
            for e in rule.examples
        ]
        for rule in RULES.values()
    }
    assert found == json.loads(EXPECTED.read_text())


@pytest.mark.parametrize(
    "generate", [rules.rules_table_markdown, rules.rule_examples_markdown], ids=lambda generate: generate.__name__
)
def test_docs_diff_md_is_generated_from_the_catalogue(generate: Callable[[], str]) -> None:
    text = DOCS.read_text()
    begin = f"<!-- BEGIN {generate.__name__}: generated from src/trackplan/diffing/rules.py -->\n"
    end = f"<!-- END {generate.__name__} -->\n"
    block = text[text.index(begin) + len(begin) : text.index(end)]
    assert block == generate(), (
        f"docs/diff.md is stale: replace the lines between the {generate.__name__} markers with the output of "
        f"`python -c 'from trackplan.diffing import rules; print(rules.{generate.__name__}(), end=\"\")'`"
    )

"""Each change rule's own examples (the ones in docs/diff.md) are its tests."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from tests.helpers import DATA, ROOT
from trackplan.catalogue import Rule
from trackplan.diffing import rules
from trackplan.diffing.events import Differ
from trackplan.diffing.profiles import PROFILES, SEVERITIES
from trackplan.diffing.rules import RULES
from trackplan.diffing.tracking_plans import example_changes

DOCS = ROOT / "docs" / "diff.md"
EXPECTED = DATA / "diff" / "example-changes.json"


@pytest.mark.parametrize("rule", RULES.values(), ids=RULES.keys())
def test_each_rule_fires_on_its_examples_and_only_there(rule: Rule) -> None:
    assert (rule.verb, set(rule.severities)) == ("diff", set(PROFILES))
    assert set(rule.severities.values()) <= set(SEVERITIES)
    assert any(example.fires for example in rule.examples), "every rule needs an example it fires on"
    for example in rule.examples:
        for profile in PROFILES:
            changes = example_changes(example, Differ(profile))
            fired = [change.severity for change in changes if change.rule == rule.id]
            assert fired == ([rule.severity(profile)] if example.fires else []), (profile, [c.rule for c in changes])


def test_the_examples_give_these_changes() -> None:
    """Every change of every example, as `trackplan diff` words it under the validation profile."""
    found = {
        rule.id: [[f"{c.rule} {c.severity} {c.message}" for c in example_changes(e, Differ())] for e in rule.examples]
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

"""`trackplan rules`: both rule catalogues as text, JSON or the Markdown of docs/rules.md."""

from __future__ import annotations

import json

from tests.helpers import ROOT, CliRunnerCall
from trackplan.catalogue import all_rules


def test_text_lists_lint_then_change_rules_with_their_severities(run_cli: CliRunnerCall) -> None:
    lines = run_cli("rules").stdout.splitlines()
    assert lines[:2] == ["validate (lint):", "  TP101  error    parse-error: The file must be valid YAML (or JSON)."]
    middle = lines.index("diff (breaking changes; severity under validation / consumer profiles):")
    assert lines[middle - 1] == ""
    assert lines[middle + 1] == "  TP001  info     / info     event-added: A new event."
    assert len(lines) == len(all_rules()) + 3


def test_json_lists_both_catalogues(run_cli: CliRunnerCall) -> None:
    result = run_cli("rules", "--format", "json")
    assert result.exit_code == 0
    doc = json.loads(result.stdout)
    assert doc == {"version": 1, "command": "rules", "rules": [rule.to_json() for rule in all_rules()]}
    assert {rule["verb"] for rule in doc["rules"]} == {"validate", "diff"}
    removed = next(rule for rule in doc["rules"] if rule["id"] == "TP002")
    assert removed["severities"] == {"validation": "breaking", "consumer": "breaking"}


def test_markdown_is_docs_rules_md(run_cli: CliRunnerCall) -> None:
    assert run_cli("rules", "--markdown").stdout == (ROOT / "docs" / "rules.md").read_text()

"""One SARIF 2.1.0 envelope for lint findings and diff changes."""

from __future__ import annotations

import json
from typing import Any

from trackplan import __version__
from trackplan.diffing.records import Change, DiffResult
from trackplan.diffing.rules import RULES as CHANGE_RULES
from trackplan.linting.findings import Finding, LintReport
from trackplan.linting.rules import CATALOGUE
from trackplan.report import diff, lint
from trackplan.report.context import ReportContext


def shape(value: Any) -> Any:
    """The keys of a JSON document, nested, with lists reduced to the shape of their first item."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def lint_log() -> dict[str, Any]:
    finding = Finding("TP109", "error", "events/a.yaml", "bad status", 7, 3)
    return dict(json.loads(lint.render(LintReport([finding], 2), "sarif", "plan/")))


def diff_log() -> dict[str, Any]:
    change = Change("update", "property", "TP020", "breaking", "`id`: narrowed", "A", "id", path="events/a.yaml")
    context = ReportContext(
        "main", "head", source_text=lambda path: "title: A\nproperties:\n  id: {}\n", path_prefix="plan/"
    )
    return dict(json.loads(diff.render(DiffResult([change], []), "sarif", context)))


def test_lint_and_diff_logs_share_the_envelope() -> None:
    lint_doc, diff_doc = lint_log(), diff_log()
    assert lint_doc["$schema"] == diff_doc["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert lint_doc["version"] == diff_doc["version"] == "2.1.0"
    lint_run, diff_run = lint_doc["runs"][0], diff_doc["runs"][0]
    assert shape({**lint_doc, "runs": []}) == shape({**diff_doc, "runs": []})
    assert lint_run.keys() == diff_run.keys() == {"tool", "results"}
    for run in (lint_run, diff_run):
        driver = run["tool"]["driver"]
        assert (driver["name"], driver["version"]) == ("trackplan", __version__)
        for result in run["results"]:
            rule = driver["rules"][result["ruleIndex"]]
            assert rule["id"] == result["ruleId"]
            assert result["level"] in ("error", "warning", "note")
            assert rule["defaultConfiguration"]["level"] in ("error", "warning", "note")
    # A result of either log has the same parts, so code scanning reads both alike.
    lint_result, diff_result = lint_run["results"][0], diff_run["results"][0]
    assert lint_result.keys() == diff_result.keys()
    lint_region = lint_result["locations"][0]["physicalLocation"]
    diff_region = diff_result["locations"][0]["physicalLocation"]
    assert lint_region == {
        "artifactLocation": {"uri": "plan/events/a.yaml"},
        "region": {"startLine": 7, "startColumn": 3},
    }
    assert diff_region == {"artifactLocation": {"uri": "plan/events/a.yaml"}, "region": {"startLine": 3}}


def test_each_log_lists_its_own_catalogue() -> None:
    lint_rules = lint_log()["runs"][0]["tool"]["driver"]["rules"]
    diff_rules = diff_log()["runs"][0]["tool"]["driver"]["rules"]
    assert [r["id"] for r in lint_rules] == [r.id for r in CATALOGUE]
    assert [r["id"] for r in diff_rules] == list(CHANGE_RULES)
    tp109 = next(r for r in lint_rules if r["id"] == "TP109")
    assert tp109 == {
        "id": "TP109",
        "name": "invalid-status",
        "shortDescription": {"text": "`x-status` is draft, live or deprecated."},
        "help": {"text": "Use one of the allowed values."},
        "defaultConfiguration": {"level": "error"},
    }
    tp020 = next(r for r in diff_rules if r["id"] == "TP020")
    assert tp020["helpUri"] == "https://github.com/trackplan/trackplan/blob/main/docs/diff.md#tp020"
    assert tp020["defaultConfiguration"] == {"level": "error"}

"""SARIF 2.1.0 of the changes, with the change-rule catalogue as the run's rules."""

from __future__ import annotations

from typing import Any

from trackplan.diffing.records import Change, DiffResult
from trackplan.diffing.rules import RULES
from trackplan.report import _sarif
from trackplan.report.context import ReportContext
from trackplan.report.diff._changes import locate, ordered


def result(change: Change, context: ReportContext) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "ruleId": change.rule,
        "level": _sarif.LEVELS[change.severity],
        "message": {"text": change.message},
        "partialFingerprints": {"trackplanChange/v1": change.fingerprint},
    }
    if change.path:
        line = locate(context.source_text(change.path), change)
        entry["locations"] = _sarif.location(context.path_prefix + change.path, line)
    return entry


def render(diff: DiffResult, context: ReportContext) -> str:
    changes = [result(change, context) for change in ordered(diff.changes)]
    return _sarif.log(list(RULES.values()), changes, profile="validation", docs_page="diff.md")

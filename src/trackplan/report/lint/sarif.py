"""SARIF 2.1.0 of the findings, with the lint catalogue as the run's rules."""

from __future__ import annotations

from typing import Any

from trackplan.linting.findings import Finding, LintReport, fingerprint
from trackplan.linting.rules import CATALOGUE
from trackplan.report import _sarif


def result(finding: Finding, prefix: str = "") -> dict[str, Any]:
    f = finding
    return {
        "ruleId": f.rule,
        "level": _sarif.LEVELS[f.severity],
        "message": {"text": f"{f.message} — {f.hint}"},
        "locations": _sarif.location(prefix + f.file, f.line, f.column),
        "partialFingerprints": {"trackplanLint/v1": fingerprint(f)},
    }


def render(report: LintReport, prefix: str = "") -> str:
    return _sarif.log(CATALOGUE, [result(f, prefix) for f in report.findings])

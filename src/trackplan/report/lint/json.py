"""Machine output: the number of files, the counts and every finding."""

from __future__ import annotations

from trackplan.linting.findings import LintReport
from trackplan.report import envelope


def render(report: LintReport, prefix: str = "") -> str:
    """The `validate` envelope; its paths stay plan paths, so `prefix` does not apply."""
    findings = [f.to_json() for f in report.findings]
    return envelope.render("validate", files=report.files, counts=report.counts(), findings=findings)

"""A line per finding, `file:line:column: severity rule message (hint)`, then the counts."""

from __future__ import annotations

from trackplan.linting.findings import Finding, LintReport
from trackplan.report import plural


def line(finding: Finding, prefix: str = "") -> str:
    f = finding
    return f"{prefix}{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message} ({f.hint})"


def totals(report: LintReport) -> str:
    counts = report.counts()
    found = f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, {counts['info']} info"
    return f"{plural(report.files, 'file')} checked: {found}"


def render(report: LintReport, prefix: str = "") -> str:
    return "\n".join([*(line(f, prefix) for f in report.findings), totals(report)]) + "\n"

"""A line per finding, `file:line:column: severity rule message (hint)`, then the counts; the
caller's style colours the severity on a terminal."""

from __future__ import annotations

from trackplan.linting.findings import Finding, LintReport
from trackplan.report import plural
from trackplan.report.context import Style


def line(finding: Finding, prefix: str = "", style: Style | None = None) -> str:
    f = finding
    severity = style(f.severity, f.severity) if style else f.severity
    return f"{prefix}{f.file}:{f.line}:{f.column}: {severity} {f.rule} {f.message} ({f.hint})"


def totals(report: LintReport) -> str:
    counts = report.counts()
    found = f"{plural(counts['error'], 'error')}, {plural(counts['warning'], 'warning')}, {counts['info']} info"
    return f"{plural(report.files, 'file')} checked: {found}"


def render(report: LintReport, prefix: str = "", style: Style | None = None) -> str:
    return "\n".join([*(line(f, prefix, style) for f in report.findings), totals(report)]) + "\n"

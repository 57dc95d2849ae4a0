"""GitHub Actions: an annotation at each finding's line and column (the first 50), the text
report in the log, and a table of findings for the job summary."""

from trackplan.linting.findings import Finding, LintReport
from trackplan.report import _github
from trackplan.report.lint import text

ANNOTATIONS = 50  # GitHub shows 10 errors and 10 warnings per step; the log keeps the rest
SUMMARY_ROWS = 200


def annotation(finding: Finding, prefix: str = "") -> str:
    f = finding
    return _github.annotation(
        f.severity, f"{f.rule} {f.name}", f"{f.message} — {f.hint}", prefix + f.file, f.line, f.column
    )


def annotations(report: LintReport, prefix: str = "", limit: int = ANNOTATIONS) -> list[str]:
    return [annotation(f, prefix) for f in report.findings[:limit]]


def render(report: LintReport, prefix: str = "") -> str:
    lines = [*annotations(report, prefix), *(text.line(f, prefix) for f in report.findings), text.totals(report)]
    return "\n".join(lines) + "\n"


def step_summary(report: LintReport, prefix: str = "") -> str | None:
    if not report.findings:
        return None
    rows = "\n".join(
        f"| {f.severity} | `{prefix}{f.file}:{f.line}` | {f.rule} | {f.message} |"
        for f in report.findings[:SUMMARY_ROWS]
    )
    return f"### Plan lint\n\n| | Where | Rule | Finding |\n|---|---|---|---|\n{rows}\n\n"

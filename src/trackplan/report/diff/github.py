"""GitHub Actions: workflow-command annotations at the YAML line (capped), then the full text
report in the log. The job summary's report is `report.diff.step_summary`."""

from __future__ import annotations

from trackplan.diffing.records import Change, DiffResult
from trackplan.report import _github, plural
from trackplan.report.context import ReportContext
from trackplan.report.diff import text
from trackplan.report.diff._changes import locate, ordered

# GitHub shows 10 errors and 10 warnings per step; more is noise in the log.
CAP = {"breaking": 10, "warning": 10, "info": 10}


def annotation(change: Change, context: ReportContext) -> str:
    title = f"{change.rule} {change.severity}"
    if not change.path:
        return _github.annotation(change.severity, title, change.message)
    line = locate(context.source_text(change.path), change)
    return _github.annotation(change.severity, title, change.message, context.path_prefix + change.path, line)


def render(result: DiffResult, context: ReportContext) -> str:
    lines = []
    shown = dict.fromkeys(CAP, 0)
    left_out = 0
    for change in ordered(result.changes):
        if shown[change.severity] >= CAP[change.severity]:
            left_out += 1
            continue
        shown[change.severity] += 1
        lines.append(annotation(change, context))
    if left_out:
        message = f"{plural(left_out, 'more finding')} in the report below and the job summary"
        lines.append(_github.annotation("info", "trackplan", message))
    lines.append(text.render(result, context))
    return "\n".join(lines)

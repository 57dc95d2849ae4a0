"""GitHub Actions: workflow-command annotations at the YAML line (capped), the full report in
the log, and the Markdown report appended to $GITHUB_STEP_SUMMARY."""

from __future__ import annotations

import os
from pathlib import Path

from trackplan.diffing.records import Change, DiffResult
from trackplan.report import ReportContext, locate, markdown, ordered, text

# GitHub shows 10 errors and 10 warnings per step; more is noise in the log.
CAP = {"breaking": 10, "warning": 10, "info": 10}
LEVEL = {"breaking": "error", "warning": "warning", "info": "notice"}


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def annotation(change: Change, context: ReportContext, prefix: str = "") -> str:
    props = []
    if change.path:
        props.append(f"file={escape_property(prefix + change.path)}")
        props.append(f"line={locate(context.source_text(change.path), change)}")
    props.append(f"title={escape_property(f'{change.rule} {change.severity}')}")
    return f"::{LEVEL[change.severity]} {','.join(props)}::{escape_data(change.message)}"


def render(result: DiffResult, context: ReportContext) -> str:
    prefix = context.extra.get("path_prefix", "")
    lines = []
    shown = {k: 0 for k in CAP}
    left_out = 0
    for change in ordered(result.changes):
        if shown[change.severity] >= CAP[change.severity]:
            left_out += 1
            continue
        shown[change.severity] += 1
        lines.append(annotation(change, context, prefix))
    if left_out:
        lines.append(f"::notice title=trackplan::{left_out} more findings are in the report below and the job summary")
    lines.append(text.render(result, context))
    summary = os.environ.get("GITHUB_STEP_SUMMARY")
    if summary:
        with Path(summary).open("a", encoding="utf-8") as handle:
            handle.write(markdown.render(result, context) + "\n")
    return "\n".join(lines)

"""Human output for a terminal: grouped by change set, colour on a TTY, NO_COLOR honoured."""

from __future__ import annotations

import click

from trackplan.diffing.records import DiffResult
from trackplan.report import ReportContext, ordered

COLOURS = {"breaking": "red", "warning": "yellow", "info": "cyan"}


def render(result: DiffResult, context: ReportContext) -> str:
    counts = result.counts()
    lines = [
        f"{context.base_label} -> {context.head_label}: {len(result.changed_events)} events changed, "
        f"{counts['breaking']} breaking, {counts['warning']} warnings, {counts['info']} info"
    ]
    for change_set in ("addOnly", "update", "remove"):
        group = [c for c in ordered(result.changes) if c.change_set == change_set]
        if not group:
            continue
        lines.append(f"\n{change_set} ({len(group)})")
        for change in group:
            label = f"{change.severity:<8}"
            if context.color:
                label = click.style(label, fg=COLOURS[change.severity], bold=change.severity == "breaking")
            lines.append(f"  {label} {change.rule}  {change.message}")
    for advice in result.versions:
        if advice.too_small:
            lines.append(f"\nversion: {advice.event}: {advice.after} -> expected {advice.expected} ({advice.needed})")
    if not result.changes:
        lines.append("No changes.")
    return "\n".join(lines) + "\n"

"""Human output for a terminal: grouped by change set, then by event, each severity label
styled by the caller's `style` (colour on a terminal, nothing otherwise)."""

from __future__ import annotations

from trackplan.diffing.records import DiffResult
from trackplan.report import plural
from trackplan.report.context import ReportContext
from trackplan.report.diff._changes import by_event


def render(result: DiffResult, context: ReportContext) -> str:
    counts = result.counts()
    lines = [
        f"{context.base_label} -> {context.head_label}: {plural(len(result.changed_events), 'event')} changed, "
        f"{counts['breaking']} breaking, {plural(counts['warning'], 'warning')}, {counts['info']} info"
    ]
    for change_set in ("addOnly", "update", "remove"):
        group = by_event([c for c in result.changes if c.change_set == change_set])
        if not group:
            continue
        lines.append(f"\n{change_set} ({len(group)})")
        for change in group:
            label = f"{change.severity:<8}"
            if context.style is not None:
                label = context.style(label, change.severity)
            lines.append(f"  {label} {change.rule}  {change.message}")
    for advice in result.versions:
        if advice.too_small:
            found = advice.after or "no x-version"
            lines.append(f"\nversion: {advice.event}: {found} -> expected {advice.expected} ({advice.needed})")
    if not result.changes:
        lines.append("No changes.")
    return "\n".join(lines) + "\n"

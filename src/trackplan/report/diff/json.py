"""Machine output: stable and documented in docs/diff.md."""

from __future__ import annotations

import json

from trackplan.diffing.records import DiffResult
from trackplan.report.context import ReportContext
from trackplan.report.diff._changes import ordered
from trackplan.report.envelope import envelope


def document(result: DiffResult, context: ReportContext) -> dict[str, object]:
    changes = ordered(result.changes)
    return envelope(
        "diff",
        base=context.base_label,
        head=context.head_label,
        counts=result.counts(),
        changedEvents=result.changed_events,
        changeSets={
            name: [c.to_json() for c in changes if c.change_set == name] for name in ("addOnly", "update", "remove")
        },
        versions=[v.to_json() for v in result.versions],
    )


def render(result: DiffResult, context: ReportContext) -> str:
    return json.dumps(document(result, context), indent=2, ensure_ascii=False) + "\n"

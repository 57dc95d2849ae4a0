"""A pull-request comment a reviewer can act on in ten seconds: summary line, breaking
banner, a table of changes, one collapsible YAML diff per event, a hidden marker for
updating in place, trimmed to GitHub's 65,536-character limit."""

from __future__ import annotations

import difflib

from trackplan import yamlio
from trackplan.diffing.records import Change, DiffResult
from trackplan.model import Event
from trackplan.report import plural
from trackplan.report.context import ReportContext
from trackplan.report.diff._changes import ordered

LIMIT = 65_536
ICONS = {"breaking": "❌", "warning": "⚠️", "info": "✅"}
# The word beside the icon: readers without an emoji font, screen readers and plain-text mail.
SEVERITY_CELLS = {severity: f"{icon} {severity}" for severity, icon in ICONS.items()}
MAX_ROWS = 60


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def _yaml(event: Event | None) -> list[str]:
    return yamlio.dump(event.to_json()).splitlines() if event is not None else []


def _versions(result: DiffResult) -> dict[str, str]:
    """The Version cell of each event: the bump its changes need, or what became of the
    version of an event added or removed."""
    out = {}
    for name, (before, after) in result.events.items():
        if after is None and before is not None:
            out[name] = f"{before.version} → removed" if before.version else "removed"
        elif before is None and after is not None and after.version:
            out[name] = f"new at {after.version}"
    for advice in result.versions:
        if advice.needed == "none":
            continue
        mark = f" → needs {advice.expected}" if advice.too_small else f" → {advice.after or '—'}"
        out[advice.event] = f"{advice.before or '—'}{mark}"
    return out


def _row(change: Change, versions: dict[str, str]) -> str:
    event = _cell(change.event or change.subject)
    message = change.message
    if change.event and message.startswith((f"{change.event}: ", f"{change.event}.")):
        message = message[len(change.event) + 1 :].lstrip()  # the Event column names it
    rule = change.rule if change.severity != "info" else "—"
    version = versions.get(change.event or "", "")
    return f"| {SEVERITY_CELLS[change.severity]} | {event} | {_cell(message)} | {version} | {rule} |"


def render(result: DiffResult, context: ReportContext) -> str:
    text = "\n".join([*_head(result, context), *_table(result)])
    tail = "\n".join(_footer(result))
    details = _schema_diffs(result)
    kept = _fitting(details, LIMIT - len(text) - len(tail) - 200)
    out = text + "\n" + "\n".join(kept)
    cut = len(details) - len(kept)
    if cut:
        plural = "s" if cut != 1 else ""
        out += (
            f"\n_{cut} schema diff{plural} left out to fit GitHub's 65,536-character limit; "
            "run `trackplan diff` locally for all._\n"
        )
    out += "\n" + tail
    if len(out) > LIMIT:  # a table too long even on its own
        out = out[: LIMIT - 120].rsplit("\n", 1)[0] + "\n\n_Report cut to fit GitHub's 65,536-character limit._\n"
    return out.rstrip() + "\n"


def _head(result: DiffResult, context: ReportContext) -> list[str]:
    """The hidden marker, the summary line, the refs and links, and the breaking banner."""
    counts = result.counts()
    events = result.changed_events
    title = f"### Tracking plan · {plural(len(events), 'event')} changed"
    if counts["breaking"]:
        title += f" · ❌ {counts['breaking']} breaking"
    if counts["warning"]:
        title += f" · ⚠️ {plural(counts['warning'], 'warning')}"
    if not result.changes:
        title += " · no changes"
    meta = f"`{context.base_label}` → `{context.head_label}`"
    if context.run_url:
        meta += f" · [workflow run]({context.run_url})"
    if context.updated:
        meta += f" · updated {context.updated}"
    head = [f"<!-- {context.marker} -->", title, meta, ""]
    breaking_events = sorted({c.event for c in result.changes if c.severity == "breaking" and c.event})
    if breaking_events:
        names = ", ".join(f"`{e}`" for e in breaking_events[:5]) + (" and more" if len(breaking_events) > 5 else "")
        head += [f"> ❌ **Breaking**: payloads or queries that work today will fail for {names} after this change.", ""]
    return head


def _table(result: DiffResult) -> list[str]:
    """A row per change; past MAX_ROWS the rest fold into a second table."""
    versions = _versions(result)
    rows = [_row(c, versions) for c in ordered(result.changes)]
    if not rows:
        return []
    table = ["| Severity | Event | Change | Version | Rule |", "|---|---|---|---|---|"]
    if len(rows) <= MAX_ROWS:
        return [*table, *rows, ""]
    folded = [
        f"<details><summary>{plural(len(rows) - MAX_ROWS, 'more change')}</summary>",
        "",
        *table,
        *rows[MAX_ROWS:],
    ]
    return [*table, *rows[:MAX_ROWS], "", *folded, "", "</details>", ""]


def _schema_diffs(result: DiffResult) -> list[str]:
    """One collapsible YAML diff per changed event."""
    details = []
    for name in result.changed_events:
        before, after = result.events.get(name, (None, None))
        diff = list(difflib.unified_diff(_yaml(before), _yaml(after), lineterm="", n=2))[2:]
        if diff:
            details.append(
                f"<details><summary>{name} · schema diff</summary>\n\n```diff\n"
                + "\n".join(diff)
                + "\n```\n</details>\n"
            )
    return details


def _fitting(blocks: list[str], budget: int) -> list[str]:
    """The leading blocks that fit in `budget` characters, one newline after each."""
    kept = []
    for block in blocks:
        if len(block) + 1 > budget:
            break
        kept.append(block)
        budget -= len(block) + 1
    return kept


def _footer(result: DiffResult) -> list[str]:
    if not any(a.too_small for a in result.versions):
        return []
    return [
        "<details><summary>How to fix or accept</summary>",
        "",
        "Run `trackplan diff --fix-versions` to set the versions; override a rule's severity with "
        "`breaking_severity` in trackplan.yaml.",
        "</details>",
    ]

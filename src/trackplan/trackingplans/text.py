"""Tracking plans, write outcomes and history records as the `plans` commands print them:
text lines, or the fields of the `--format json` document."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from trackplan.report import plural
from trackplan.trackingplans.compatibility import Verdict
from trackplan.trackingplans.files import PlanCommit, PlanFile
from trackplan.trackingplans.history import HistoryRecord


def plan_json(file: PlanFile) -> dict[str, Any]:
    return {"path": file.path, **file.plan.to_json()}


def compatibility_json(verdicts: dict[UUID, Verdict]) -> list[dict[str, Any]]:
    return [{"eventSpecification": str(spec_id), **verdict.to_json()} for spec_id, verdict in verdicts.items()]


def list_lines(files: tuple[PlanFile, ...], where: str) -> list[str]:
    """`where` says what was read: "at main", "in the work tree"."""
    if not files:
        return [f"No tracking plans {where}."]
    width = max(len(f.plan.name) for f in files)
    lines = [
        f"{f.plan.name:<{width}}  {f.plan.status:<10}  domain={f.plan.domain or '-'}  owner={f.plan.owner or '-'}  "
        f"{plural(len(f.plan.event_specifications), 'specification')}  {f.path}"
        for f in files
    ]
    return [*lines, f"{plural(len(files), 'tracking plan')} {where}"]


def show_lines(file: PlanFile, verdicts: dict[UUID, Verdict]) -> list[str]:
    plan = file.plan
    lines = [f"{plan.name} ({plan.status})", f"id: {plan.id}", f"file: {file.path}"]
    for label, value in (
        ("domain", plan.domain),
        ("owner", plan.owner),
        ("description", plan.description),
        ("access instructions", plan.access_instructions),
        ("source applications", ", ".join(plan.source_applications)),
    ):
        if value:
            lines.append(f"{label}: {value}")
    lines.append(f"event specifications: {len(plan.event_specifications) or 'none'}")
    for spec in plan.event_specifications:
        verdict = verdicts.get(spec.id)
        narrowed = f", narrowing {verdict.result}" if verdict is not None else ""
        lines.append(f"  - {spec.name} ({spec.status}{narrowed}): event {spec.event}")
        for trigger in spec.triggers:
            apps = f" [{', '.join(trigger.app_ids)}]" if trigger.app_ids else ""
            lines.append(f"      trigger: {trigger.description or '-'}{apps}")
    return lines


def commit_json(outcome: PlanCommit) -> dict[str, Any]:
    written = outcome.plans[0]
    return {
        "branch": outcome.branch,
        "commit": outcome.commit,
        "path": written.path,
        "previousPath": written.previous_path,
        "trackingPlan": written.plan.to_json() if written.plan is not None else None,
    }


def commit_line(outcome: PlanCommit, done: str) -> str:
    """`done` says what happened to the plan: "Created", "Updated", "Deleted"."""
    written = outcome.plans[0]
    name = (written.plan.name if written.plan else None) or written.path
    if outcome.commit is None:
        return f"Tracking plan {name!r} on {outcome.branch!r} is already so; nothing to commit."
    moved = f" (moved from {written.previous_path})" if written.previous_path else ""
    return (
        f"{done} tracking plan {name!r} in {written.path}{moved} on {outcome.branch!r} (commit {outcome.commit[:12]})"
    )


def history_lines(name: str, records: tuple[HistoryRecord, ...]) -> list[str]:
    if not records:
        return [f"No history for tracking plan {name!r} with these options."]
    lines = []
    for record in records:
        date = record.date.isoformat().replace("+00:00", "Z")
        lines.append(f"{record.commit[:12]}  {date}  {record.author}  {record.message}")
        lines.extend(f"    {change.severity}: {change.message}" for change in record.changes)
    return lines

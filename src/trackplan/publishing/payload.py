"""What one integration receives for one commit: the export in its format, Avo's
`context.publishInfo`, and trackplan's own account of the change under `trackplan`.

The events are those the integration's filters admit; with `changes_only`, only those changed
since the base (the commit last delivered to it, else the commit's first parent), with the
removed ones listed as the export API lists them. JSON formats carry `context` and `trackplan`
as top-level keys beside the export's own; ndjson sends them as its first line.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson

from trackplan.diffing.run import diff_refs
from trackplan.formats import FORMATS
from trackplan.formats.base import WriteOptions
from trackplan.model import Plan
from trackplan.publishing.config import Integration
from trackplan.publishing.delivery import Message
from trackplan.repo.workspace import Workspace
from trackplan.serving.branches import branch_id

MEDIA_TYPES = {"avo-json": "application/json", "snowplow": "application/json", "ndjson": "application/x-ndjson"}


@dataclass(frozen=True)
class Target:
    """The commit being published, from which branch, how, and what it is compared with."""

    commit: str
    commit_time: int
    branch: str
    method: str  # Avo's publishMethod type: Manual or BranchMerge
    base: str | None


@dataclass(frozen=True)
class Change:
    changed: tuple[str, ...]
    removed: tuple[str, ...]
    breaking: int


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def publish_info(integration: Integration, target: Target, published: datetime) -> dict[str, Any]:
    return {
        "branchId": branch_id(target.branch),
        "branchName": target.branch,
        "integrationId": integration.id,
        "integrationName": integration.name,
        "publishDate": iso(published),
        "publishMethod": {"type": target.method},
        "lastUpdateId": target.commit,
        "lastUpdateDate": iso(datetime.fromtimestamp(target.commit_time, UTC)),
    }


def admitted(plan: Plan, integration: Integration) -> Plan:
    events = tuple(e for e in plan.events if integration.filters.admits(e, plan.settings))
    return plan.replace(events=events)


def change_since_base(ws: Workspace, integration: Integration, target: Target, head: Plan) -> Change:
    """The admitted events changed and removed since the base, and the breaking changes among them."""
    if target.base is None:
        return Change(tuple(e.name for e in head.events), (), 0)
    result = diff_refs(ws, target.base, target.commit)
    base_settings = ws.settings(target.base)
    names = {e.name for e in head.events}
    changed, removed = [], []
    for before, after in result.events.values():
        if after is not None and after.name in names:
            changed.append(after.name)
        elif before is not None and integration.filters.admits(before, base_settings):
            removed.append(before.name)  # deleted, or no longer admitted by the filters
    concerned = {*changed, *removed}
    breaking = sum(1 for c in result.changes if c.severity == "breaking" and (c.event is None or c.event in concerned))
    return Change(tuple(sorted(changed)), tuple(sorted(removed)), breaking)


def message(ws: Workspace, integration: Integration, target: Target, published: datetime) -> Message:
    """The signed-to-be request body for `integration`."""
    head = admitted(ws.load(target.commit).plan, integration)
    change = change_since_base(ws, integration, target, head)
    if integration.changes_only and target.base is not None:
        head = head.replace(events=tuple(e for e in head.events if e.name in change.changed))
    fmt = FORMATS[integration.export_format]
    assert fmt.write is not None  # every publishing format is an export format
    listed_removed = integration.changes_only and fmt.carries_removed
    options = WriteOptions(
        label=target.branch,
        commit=target.commit,
        vendor=integration.vendor if integration.export_format != "avo-json" else None,
        removed_events=list(change.removed) if listed_removed else None,
    )
    exported = fmt.write(head, options)
    context = {"publishInfo": publish_info(integration, target, published)}
    additions = {
        "commit": target.commit,
        "base": target.base,
        "changedEvents": list(change.changed),
        "removedEvents": list(change.removed),
        "breakingChanges": change.breaking,
    }
    if integration.export_format == "ndjson":
        body = orjson.dumps({"context": context, "trackplan": additions}) + b"\n" + exported
    else:
        body = orjson.dumps({**orjson.loads(exported), "context": context, "trackplan": additions})
    return Message(integration.url, body, MEDIA_TYPES[integration.export_format], integration.id)

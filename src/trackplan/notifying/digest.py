"""The digest: for each recipient, one mail covering every tracking plan of theirs that changed
on a ref in a window of time, with the commits, the change records (breaking ones first) and a
link to the docs when the server's public URL is known.

A plan changed when its file changed, or any event one of its specifications references. The
window runs from the end of the last successful run (`--since-last-run`, the default; 24 hours
on the first run) to now, so running every day skips nothing and sends nothing twice; `--since`
sets it by hand. Only a sent digest counts as a run. A run claims its window before it sends
(`SubscriptionStore.claim_run`): of two runs at once, the second is refused and sends nothing.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from urllib.parse import quote

from trackplan.diffing.records import Change
from trackplan.diffing.run import diff_refs
from trackplan.errors import InputError, RefusedError
from trackplan.model.tracking_plans import TrackingPlan
from trackplan.notifying.mail import Mail, SmtpConfig, send
from trackplan.notifying.store import SubscriptionStore
from trackplan.repo.git.store import CommitInfo
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import read_tracking_plans
from trackplan.trackingplans.layout import tracking_plan_blobs

DAY = 24 * 3600.0
UNSUBSCRIBE_PATH = "/organizations/{organization}/subscriptions/actions/unsubscribe"
_DURATION = re.compile(r"(\d+)([mhd])")
_UNITS = {"m": 60.0, "h": 3600.0, "d": DAY}
_SEVERITY_ORDER = {"breaking": 0, "warning": 1, "info": 2}


def parse_duration(text: str) -> float:
    """Seconds in `30m`, `24h` or `7d`."""
    found = _DURATION.fullmatch(text.strip())
    if not found or int(found[1]) == 0:
        raise InputError(f"--since {text!r}: expected a duration such as 30m, 24h or 7d")
    return int(found[1]) * _UNITS[found[2]]


@dataclass(frozen=True)
class Audience:
    """Who the digest is for and where its links point."""

    organization: str
    workspace: str
    public_url: str | None = None  # the server's address; None: no links in the mails


@dataclass(frozen=True)
class DigestRequest:
    ref: str = "main"
    since: float | None = None  # seconds; None: from the last successful run
    until: float | None = None  # the window's end; None: now


@dataclass
class PlanDigest:
    plan: TrackingPlan
    commits: list[CommitInfo] = field(default_factory=list)
    changes: list[Change] = field(default_factory=list)

    @property
    def breaking(self) -> int:
        return sum(1 for c in self.changes if c.severity == "breaking")


@dataclass(frozen=True)
class Digest:
    window: tuple[float, float]
    plans: dict[str, PlanDigest]  # by plan id
    mails: list[Mail]


def changed_plans(ws: Workspace, ref: str, window: tuple[float, float]) -> dict[str, PlanDigest]:
    """The tracking plans changed by the first-parent commits of `ref` in (start, end], by id."""
    start, end = window
    found: dict[str, PlanDigest] = {}
    for commit in ws.store.iter_commits(ref):
        if commit.time <= start:
            break
        if commit.time > end or not commit.parents:
            continue
        parent = commit.parents[0]
        before, after = tracking_plan_blobs(ws, parent), tracking_plan_blobs(ws, commit.id)
        changed_files = {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}
        changes = diff_refs(ws, parent, commit.id).changes
        events = {c.event for c in changes if c.event}
        for plan_file in read_tracking_plans(ws, commit.id):
            referenced = {spec.event for spec in plan_file.plan.event_specifications}
            if plan_file.path not in changed_files and not referenced & events:
                continue
            entry = found.setdefault(str(plan_file.plan.id), PlanDigest(plan_file.plan))
            entry.commits.append(commit)
            entry.changes.extend(c for c in changes if c.event in referenced or c.path == plan_file.path)
    for entry in found.values():
        entry.changes.sort(key=lambda c: _SEVERITY_ORDER.get(c.severity, 3))
    return found


def window_of(store: SubscriptionStore, audience: Audience, request: DigestRequest) -> tuple[float, float]:
    end = time.time() if request.until is None else request.until
    if request.since is not None:
        return end - request.since, end
    last = store.last_run_end(audience.organization, request.ref)
    return (end - DAY if last is None else last), end


def build_digest(
    ws: Workspace, store: SubscriptionStore, audience: Audience, request: DigestRequest, title: str
) -> Digest:
    """The mails of one digest, one per recipient with a changed plan; nothing is sent."""
    window = window_of(store, audience, request)
    plans = changed_plans(ws, request.ref, window)
    wanted: dict[str, list[PlanDigest]] = {}
    for subscription in store.subscriptions(audience.organization):
        if subscription.notified and subscription.data_product in plans:
            wanted.setdefault(subscription.recipient, []).append(plans[subscription.data_product])
    mails = [
        _mail(recipient, sorted(found, key=lambda p: p.plan.name.casefold()), store, audience, window, title)
        for recipient, found in sorted(wanted.items())
    ]
    return Digest(window, plans, mails)


def run_digest(
    ws: Workspace,
    store: SubscriptionStore,
    audience: Audience,
    request: DigestRequest,
    title: str,
    smtp: SmtpConfig | None,
) -> Digest:
    """Build the digest and, with `smtp`, send it and record the run. A RefusedError when
    another run claimed the window first (two schedules at once): it sends these mails."""
    digest = build_digest(ws, store, audience, request, title)
    if smtp is None:
        return digest
    org, ref = audience.organization, request.ref
    if not store.claim_run(org, ref, digest.window, alone=request.since is None):
        start, end = (_when(moment) for moment in digest.window)
        raise RefusedError(f"another digest run of {ref} already covers {start} to {end}; nothing was sent")
    try:
        send(smtp, digest.mails)
    except BaseException:
        store.finish_run(org, ref, digest.window, None)
        raise
    store.finish_run(org, ref, digest.window, len(digest.mails))
    return digest


def docs_url(public_url: str | None, workspace: str) -> str | None:
    """The served docs of a workspace's main branch, when the server's address is known."""
    return f"{public_url.rstrip('/')}/workspaces/{quote(workspace)}/branches/main/docs" if public_url else None


def _when(moment: float) -> str:
    return datetime.fromtimestamp(moment, UTC).strftime("%Y-%m-%d %H:%M UTC")


def _subject(name: str, plans: Sequence[PlanDigest]) -> str:
    breaking = sum(p.breaking for p in plans)
    changed = f"{len(plans)} tracking plan{'s' if len(plans) != 1 else ''} changed"
    flagged = f", {breaking} breaking change{'s' if breaking != 1 else ''}" if breaking else ""
    return f"{name}: {changed}{flagged}"


def _mail(
    recipient: str,
    plans: Sequence[PlanDigest],
    store: SubscriptionStore,
    audience: Audience,
    window: tuple[float, float],
    name: str,
) -> Mail:
    base = audience.public_url.rstrip("/") if audience.public_url else None
    docs = docs_url(base, audience.workspace)
    headers: tuple[tuple[str, str], ...] = ()
    unsubscribe = None
    if base:
        token = store.unsubscribe_token(audience.organization, recipient)
        unsubscribe = f"{base}{UNSUBSCRIBE_PATH.format(organization=audience.organization)}?token={token}"
        headers = (("List-Unsubscribe", f"<{unsubscribe}>"), ("List-Unsubscribe-Post", "List-Unsubscribe=One-Click"))
    intro = f"Changes from {_when(window[0])} to {_when(window[1])}."
    text = "\n\n".join([intro, *(_plan_text(p, docs) for p in plans)])
    body = "".join(f"<section>{_plan_html(p, docs)}</section>" for p in plans)
    if unsubscribe:
        text += f"\n\nStop these mails: {unsubscribe}\n"
        body += f'<p><a href="{html.escape(unsubscribe)}">Stop these mails</a></p>'
    return Mail(recipient, _subject(name, plans), text, f"<p>{html.escape(intro)}</p>{body}", headers)


def _change_line(change: Change) -> str:
    return f"[{change.severity.upper() if change.severity == 'breaking' else change.severity}] {change.message}"


def _commit_line(commit: CommitInfo) -> str:
    subject = commit.message.splitlines()[0] if commit.message else ""
    return f"{commit.id[:12]} {_when(commit.time)} {commit.author}: {subject}"


def _plan_text(entry: PlanDigest, docs: str | None) -> str:
    lines = [f"{entry.plan.name} ({len(entry.commits)} commit{'s' if len(entry.commits) != 1 else ''})"]
    if docs:
        lines.append(f"  Docs: {docs}")
    lines.append("  Changes, breaking first:" if entry.changes else "  No change to its events' definitions.")
    lines += [f"    {_change_line(c)}" for c in entry.changes]
    lines.append("  Commits:")
    lines += [f"    {_commit_line(c)}" for c in entry.commits]
    return "\n".join(lines)


def _plan_html(entry: PlanDigest, docs: str | None) -> str:
    title = html.escape(entry.plan.name)
    heading = f'<h2><a href="{html.escape(docs)}">{title}</a></h2>' if docs else f"<h2>{title}</h2>"
    changes = "".join(
        f"<li>{'<strong>' if c.severity == 'breaking' else ''}{html.escape(_change_line(c))}"
        f"{'</strong>' if c.severity == 'breaking' else ''}</li>"
        for c in entry.changes
    )
    commits = "".join(f"<li><code>{html.escape(_commit_line(c))}</code></li>" for c in entry.commits)
    return f"{heading}<ul>{changes}</ul><h3>Commits</h3><ul>{commits}</ul>"

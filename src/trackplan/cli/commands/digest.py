"""trackplan digest: mail each subscriber the tracking plans of theirs that changed."""

from __future__ import annotations

import os
from datetime import UTC, datetime
from pathlib import Path

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import state_dir_option


def _moment(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        raise click.BadParameter(f"{text!r}: expected an ISO 8601 time", param_hint="--until") from None


@click.command("digest")
@click.option("--since", default=None, help="The window: this long before --until (30m, 24h, 7d).")
@click.option("--since-last-run", is_flag=True, help="From the last sent digest (the default; 24h the first time).")
@click.option("--until", default=None, help="The window's end, ISO 8601 [default: now].")
@click.option("--ref", default="main", show_default=True, help="The branch whose commits count (main: the plan's).")
@click.option("--send", "mode", flag_value="send", help="Mail the digest and record the run.")
@click.option("--print", "mode", flag_value="print", default=True, help="Print the mails instead (the default).")
@click.option("--organization", default=None, help="The organization id [default: the one `serve` gives this plan].")
@state_dir_option()
@pass_context
def command(
    ctx: AppContext,
    since: str | None,
    since_last_run: bool,
    until: str | None,
    ref: str,
    mode: str,
    organization: str | None,
    state_dir: Path | None,
) -> None:
    """Build the digest of tracking plans changed on REF, one mail per confirmed subscriber.

    \b
    Examples:
      trackplan digest --print
      TRACKPLAN_SMTP_URL=smtp://mail.example.com:587 trackplan digest --send
      trackplan digest --since 7d --print
    """
    from trackplan.notifying.digest import Audience, DigestRequest, parse_duration, run_digest
    from trackplan.notifying.mail import smtp_config
    from trackplan.notifying.store import SubscriptionStore
    from trackplan.notifying.subscribing import PUBLIC_URL_ENV
    from trackplan.serving.config import check_state_dir, default_state_dir, workspace_from_plan

    if since is not None and since_last_run:
        raise click.UsageError("--since and --since-last-run name two different windows: give one")
    ws = ctx.workspace()
    served = workspace_from_plan(ctx.cwd, ctx.plan_dir)
    settings = ws.settings("HEAD")
    branch = settings.main_branch if ref == "main" else ref
    audience = Audience(organization or served.organization, served.id, os.environ.get(PUBLIC_URL_ENV) or None)
    request = DigestRequest(branch, None if since is None else parse_duration(since), _moment(until))
    store = SubscriptionStore(check_state_dir(state_dir or default_state_dir()))
    smtp = smtp_config() if mode == "send" else None
    digest = run_digest(ws, store, audience, request, settings.name, smtp)
    start, end = (datetime.fromtimestamp(t, UTC).isoformat(timespec="seconds") for t in digest.window)
    if mode == "send":
        click.echo(f"{len(digest.mails)} digest mail{'s' if len(digest.mails) != 1 else ''} sent ({start} to {end})")
        return
    if not digest.mails:
        click.echo(f"No digest: no subscribed tracking plan changed on {branch} from {start} to {end}.")
    for mail in digest.mails:
        click.echo(f"To: {mail.to}\nSubject: {mail.subject}\n\n{mail.text}\n")

"""trackplan subscriptions: who receives the digest of which tracking plan (list, add, remove)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import state_dir_option

if TYPE_CHECKING:
    from trackplan.notifying.store import SubscriptionStore


def _store(state_dir: Path | None) -> SubscriptionStore:
    from trackplan.notifying.store import SubscriptionStore
    from trackplan.serving.config import check_state_dir, default_state_dir

    return SubscriptionStore(check_state_dir(state_dir or default_state_dir()))


def _organization(ctx: AppContext) -> str:
    from trackplan.serving.config import workspace_from_plan

    return workspace_from_plan(ctx.cwd, ctx.plan_dir).organization


@click.group("subscriptions")
def command() -> None:
    """Subscriptions to tracking plans, kept in the state folder (never in the plan).

    \b
    Examples:
      trackplan subscriptions add Checkout --recipient ana@example.com --reason "I own revenue reports"
      trackplan subscriptions list
      trackplan subscriptions remove SUBSCRIPTION_ID
    """


@command.command("list")
@state_dir_option()
@pass_context
def list_(ctx: AppContext, state_dir: Path | None) -> None:
    """The subscriptions of this plan's organization: id, plan, recipient, confirmed or pending.

    \b
    Examples:
      trackplan subscriptions list
      trackplan subscriptions list --state-dir ~/.local/state/trackplan
    """
    found = _store(state_dir).subscriptions(_organization(ctx))
    for s in found:
        status = "confirmed" if s.confirmed else "pending"
        notify = "notifications on" if s.receive_notifications else "notifications off"
        click.echo(f"{s.id}\tplan {s.data_product}\t{s.recipient}\t{status}\t{notify}")
    if not found:
        click.echo("No subscriptions; add one with `trackplan subscriptions add PLAN --recipient EMAIL`.")


@command.command("add")
@click.argument("plan")
@click.option("--recipient", required=True, help="The email address to notify.")
@click.option("--reason", default="", help="Why (shown in the confirmation mail).")
@click.option("--notifications/--no-notifications", default=True, show_default=True, help="Receive the digest.")
@state_dir_option()
@pass_context
def add(ctx: AppContext, plan: str, recipient: str, reason: str, notifications: bool, state_dir: Path | None) -> None:
    """Subscribe RECIPIENT to the tracking plan PLAN (name or id) and mail the confirmation link.

    Needs TRACKPLAN_SMTP_URL, and TRACKPLAN_PUBLIC_URL: where `trackplan serve` answers the link.

    \b
    Examples:
      trackplan subscriptions add Checkout --recipient ana@example.com --reason "I own revenue reports"
      trackplan subscriptions add Checkout --recipient ops@example.com --no-notifications
    """
    from trackplan.errors import InputError
    from trackplan.notifying.mail import smtp_config
    from trackplan.notifying.subscribing import PUBLIC_URL_ENV, subscribe
    from trackplan.serving.accounts import EMAIL
    from trackplan.trackingplans.files import find_tracking_plan

    if not EMAIL.fullmatch(recipient):
        raise InputError(f"--recipient {recipient!r}: not an email address")
    base_url = os.environ.get(PUBLIC_URL_ENV)
    if not base_url:
        raise InputError(
            f"set {PUBLIC_URL_ENV} to the address of `trackplan serve`: the confirmation link points there"
        )
    ws = ctx.workspace()
    found = find_tracking_plan(ws, ws.settings("HEAD").main_branch, plan).plan
    details = (_organization(ctx), str(found.id), recipient, reason, notifications)
    pending = subscribe(_store(state_dir), smtp_config(), base_url, details, found.name)
    click.echo(f"subscription {pending.subscription.id}: confirmation mailed to {recipient}")


@command.command("remove")
@click.argument("subscription_id")
@state_dir_option()
def remove(subscription_id: str, state_dir: Path | None) -> None:
    """Remove the subscription SUBSCRIPTION_ID (the first column of `trackplan subscriptions list`).

    \b
    Examples:
      trackplan subscriptions remove SUBSCRIPTION_ID
    """
    from trackplan.errors import InputError

    if not _store(state_dir).remove(subscription_id):
        raise InputError(f"no subscription {subscription_id!r}; `trackplan subscriptions list` shows them")
    click.echo(f"subscription {subscription_id} removed")

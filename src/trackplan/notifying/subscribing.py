"""Subscribing someone to a tracking plan: the subscription, and the one confirmation mail.

The mail's link opens a page on the server whose button POSTs the confirmation, so a mail
scanner that fetches every link cannot confirm on the recipient's behalf. The same path
without `/api/msc/v1` is what Snowplow's mails link to; the server answers both.
"""

from __future__ import annotations

import html
from urllib.parse import quote

from trackplan.notifying.mail import Mail, SmtpConfig, send
from trackplan.notifying.store import Pending, Subscription, SubscriptionStore

PUBLIC_URL_ENV = "TRACKPLAN_PUBLIC_URL"  # where `trackplan serve` is reached: the links in mails
CONFIRM_PATH = "/organizations/{organization}/data-products/v1/{data_product}/subscriptions/{id}/actions/confirm"


def confirm_url(base_url: str, subscription: Subscription, token: str) -> str:
    path = CONFIRM_PATH.format(
        organization=subscription.organization, data_product=subscription.data_product, id=subscription.id
    )
    return f"{base_url.rstrip('/')}{path}?token={quote(token)}"


def confirmation_mail(pending: Pending, plan_name: str, base_url: str) -> Mail:
    link = confirm_url(base_url, pending.subscription, pending.token)
    reason = pending.subscription.reason
    text = (
        f"Someone subscribed {pending.subscription.recipient} to changes of the tracking plan {plan_name!r}"
        f"{f' ({reason})' if reason else ''}.\n\n"
        f"To receive the daily digest of its changes, open this link and press Confirm:\n{link}\n\n"
        "If this was not you, ignore this mail: nothing is sent until the subscription is confirmed.\n"
    )
    page = (
        f"<p>Someone subscribed {html.escape(pending.subscription.recipient)} to changes of the tracking plan "
        f"<strong>{html.escape(plan_name)}</strong>{f' ({html.escape(reason)})' if reason else ''}.</p>"
        f'<p><a href="{html.escape(link)}">Open the confirmation page</a> and press Confirm to receive the daily '
        "digest of its changes.</p><p>If this was not you, ignore this mail: nothing is sent until the "
        "subscription is confirmed.</p>"
    )
    return Mail(pending.subscription.recipient, f"Confirm your subscription to {plan_name}", text, page)


def subscribe(
    store: SubscriptionStore,
    smtp: SmtpConfig,
    base_url: str,
    subscription: tuple[str, str, str, str, bool],
    plan_name: str,
) -> Pending:
    """Add (organization, data product, recipient, reason, notify) and mail its confirmation;
    when the mail cannot be sent the subscription is not kept."""
    pending = store.add(*subscription)
    try:
        send(smtp, [confirmation_mail(pending, plan_name, base_url)])
    except BaseException:
        store.remove(pending.subscription.id)
        raise
    return pending


def resend(
    store: SubscriptionStore, smtp: SmtpConfig, base_url: str, subscription: Subscription, plan_name: str
) -> Pending:
    """A new confirmation mail with a new token; the old link stops working."""
    pending = store.reissue(subscription)
    send(smtp, [confirmation_mail(pending, plan_name, base_url)])
    return pending

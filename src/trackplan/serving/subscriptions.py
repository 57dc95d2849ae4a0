"""Snowplow's subscription endpoints for tracking plans, under
`/api/msc/v1/organizations/{organizationId}/data-products/v1/{dataProductId}/subscriptions`:
list, create, update, delete, confirm and resend-confirmation; and the pages a recipient
reaches from a mail: the confirmation link (without the `/api/msc/v1` prefix, as Snowplow's
mails write it) and the one-click unsubscribe of RFC 8058. Also the seed's share-instructions
(`…/data-products/v2/{dataProductId}/share-instructions`, with and without the prefix): a mail
telling developers how to implement a plan.

A link opens a page whose button POSTs, so a mail scanner fetching links changes nothing.
Subscriptions live in the state folder (`notifying.store`); creating one mails the recipient
through `$TRACKPLAN_SMTP_URL`. Links point at `$TRACKPLAN_PUBLIC_URL`, else at the address the
request came to. The caller's service account is the recipient unless the body names one.
"""

from __future__ import annotations

import html
import os
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from trackplan.errors import InputError
from trackplan.formats.docs import Anchors
from trackplan.model.tracking_plans import TrackingPlan
from trackplan.notifying import sharing
from trackplan.notifying.digest import UNSUBSCRIBE_PATH, docs_url
from trackplan.notifying.mail import SmtpConfig, smtp_config
from trackplan.notifying.sharing import MAX_RECIPIENTS
from trackplan.notifying.store import Subscription, SubscriptionStore
from trackplan.notifying.subscribing import CONFIRM_PATH, PUBLIC_URL_ENV, resend, subscribe
from trackplan.serving.accounts import EMAIL
from trackplan.serving.app import Api, _guarded, json_response
from trackplan.serving.branches import main_branch
from trackplan.serving.config import ORGANIZATIONS
from trackplan.serving.data_products import Caller, _json_object, authenticate, organization_workspace
from trackplan.serving.service import ApiError
from trackplan.trackingplans.files import find_in, read_tracking_plans

SUBSCRIPTIONS = ORGANIZATIONS + "/{organizationId}/data-products/v1/{dataProductId}/subscriptions"
ONE = SUBSCRIPTIONS + "/{subscriptionId}"
CONFIRM_PAGE = CONFIRM_PATH.format(
    organization="{organizationId}", data_product="{dataProductId}", id="{subscriptionId}"
)
UNSUBSCRIBE_PAGE = UNSUBSCRIBE_PATH.format(organization="{organizationId}")
SHARE = ORGANIZATIONS + "/{organizationId}/data-products/v2/{dataProductId}/share-instructions"
BAD_TOKEN = "Invalid or expired confirmation token"
MAX_FORM_BYTES = 4096


def public_url(request: Request) -> str:
    return os.environ.get(PUBLIC_URL_ENV) or str(request.base_url)


def store(request: Request) -> SubscriptionStore:
    api: Api = request.app.state.api
    return SubscriptionStore(api.config.state_dir)


def subscription_json(subscription: Subscription) -> dict[str, Any]:
    return {
        "id": subscription.id,
        "dataProductId": subscription.data_product,
        "recipient": subscription.recipient,
        "reason": subscription.reason,
        "receiveNotifications": subscription.receive_notifications,
        "status": "confirmed" if subscription.confirmed else "pending",
    }


def _tracking_plan(request: Request, caller: Caller) -> TrackingPlan:
    """The tracking plan the path names, on the main branch; else a 404."""
    ws = request.app.state.api.service.workspace(caller.workspace)
    found = find_in(read_tracking_plans(ws, main_branch(ws)), request.path_params["dataProductId"])
    if found is None:
        raise ApiError(404, "Data product not found")
    return found.plan


def _mailer() -> SmtpConfig:
    try:
        return smtp_config()
    except InputError as exc:
        raise ApiError(503, f"Mail is not configured on this server: {exc}") from None


def _existing(request: Request, caller: Caller, plan_id: str) -> Subscription:
    found = store(request).get(caller.organization, plan_id, request.path_params["subscriptionId"])
    if found is None:
        raise ApiError(404, "Subscription not found")
    return found


def _fields(doc: dict[str, Any]) -> tuple[str, bool]:
    reason, notify = doc.get("reason"), doc.get("receiveNotifications")
    if not isinstance(reason, str) or not isinstance(notify, bool):
        raise ApiError(400, "Invalid body: reason (a string) and receiveNotifications (a boolean) are required")
    return reason, notify


async def list_subscriptions(request: Request) -> Response:
    caller = await authenticate(request, "export")

    def listing() -> dict[str, Any]:
        plan_id = str(_tracking_plan(request, caller).id)
        return {"data": [subscription_json(s) for s in store(request).subscriptions(caller.organization, plan_id)]}

    return json_response(await run_in_threadpool(listing))


async def create_subscription(request: Request) -> Response:
    caller = await authenticate(request, "export")
    request.app.state.api.limit(caller.account, request)
    doc = await _json_object(request)
    reason, notify = _fields(doc)
    recipient = doc.get("recipient", caller.account.email)
    if recipient is None:
        raise ApiError(400, "No recipient: the body names none and the service account has no email")
    if not isinstance(recipient, str) or not EMAIL.fullmatch(recipient):
        raise ApiError(400, "Invalid recipient: expected an email address")

    def create() -> Response:
        plan = _tracking_plan(request, caller)
        details = (caller.organization, str(plan.id), recipient, reason, notify)
        try:
            pending = subscribe(store(request), _mailer(), public_url(request), details, plan.name)
        except InputError as exc:
            raise ApiError(409 if "already subscribed" in str(exc) else 502, str(exc)) from None
        return json_response({"data": [subscription_json(pending.subscription)]}, 201)

    return await run_in_threadpool(create)


async def update_subscription(request: Request) -> Response:
    caller = await authenticate(request, "export")
    reason, notify = _fields(await _json_object(request))

    def update() -> Response:
        current = _existing(request, caller, str(_tracking_plan(request, caller).id))
        return json_response({"data": [subscription_json(store(request).update(current, reason, notify))]})

    return await run_in_threadpool(update)


async def delete_subscription(request: Request) -> Response:
    caller = await authenticate(request, "export")

    def delete() -> Response:
        store(request).remove(_existing(request, caller, str(_tracking_plan(request, caller).id)).id)
        return Response(status_code=204)

    return await run_in_threadpool(delete)


async def resend_confirmation(request: Request) -> Response:
    caller = await authenticate(request, "export")
    request.app.state.api.limit(caller.account, request)

    def resent() -> Response:
        plan = _tracking_plan(request, caller)
        current = _existing(request, caller, str(plan.id))
        if current.confirmed:
            raise ApiError(409, "Subscription already confirmed")
        try:
            resend(store(request), _mailer(), public_url(request), current, plan.name)
        except InputError as exc:
            raise ApiError(502, str(exc)) from None
        return json_response({"data": [subscription_json(current)]})

    return await run_in_threadpool(resent)


def _confirmed(request: Request, token: str) -> Subscription | None:
    api: Api = request.app.state.api
    organization = request.path_params["organizationId"].lower()
    organization_workspace(api, organization)
    found = store(request).find(request.path_params["subscriptionId"])
    if (
        found is None
        or found.organization != organization
        or found.data_product != request.path_params["dataProductId"]
    ):
        return None
    return store(request).confirm(found.id, token)


async def confirm_api(request: Request) -> Response:
    """The API's confirm: the token from the body (`{"token": ...}`) or the query."""
    data = await request.body()
    token = request.query_params.get("token", "")
    if data:
        doc = await _json_object(request)
        token = str(doc.get("token", token))
    confirmed = await run_in_threadpool(_confirmed, request, token)
    if confirmed is None:
        raise ApiError(403, BAD_TOKEN)
    return json_response({"data": [subscription_json(confirmed)]})


def _page(title: str, body: str, status: int = 200) -> HTMLResponse:
    document = (
        f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{html.escape(title)}</title>'
        f'<meta name="robots" content="noindex"></head><body><h1>{html.escape(title)}</h1>{body}</body></html>'
    )
    return HTMLResponse(document, status, headers={"Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})


def _button_form(token: str, label: str) -> str:
    return (
        f'<form method="post"><input type="hidden" name="token" value="{html.escape(token)}">'
        f'<button type="submit">{html.escape(label)}</button></form>'
    )


async def _form_token(request: Request, default: str) -> str:
    """The `token` field of a urlencoded form body (a page's button), else `default`."""
    data = await request.body()
    if len(data) > MAX_FORM_BYTES:
        raise ApiError(413, f"Request body too large: the limit is {MAX_FORM_BYTES} bytes")
    return parse_qs(data.decode("utf-8", "replace")).get("token", [default])[0]


async def confirm_page(request: Request) -> Response:
    """GET shows the button; POST (the button) confirms."""
    if request.method == "GET":
        token = request.query_params.get("token", "")
        return _page(
            "Confirm your subscription", "<p>Press Confirm to receive the digest.</p>" + _button_form(token, "Confirm")
        )
    confirmed = await run_in_threadpool(_confirmed, request, await _form_token(request, ""))
    if confirmed is None:
        return _page("Confirmation failed", f"<p>{BAD_TOKEN}: ask for a new confirmation mail.</p>", 403)
    return _page("Subscription confirmed", f"<p>{html.escape(confirmed.recipient)} will receive the daily digest.</p>")


async def unsubscribe_page(request: Request) -> Response:
    """RFC 8058: a POST (from the mail client, or the page's button) unsubscribes; GET only asks."""
    token = request.query_params.get("token", "")
    if request.method == "GET":
        return _page("Unsubscribe", "<p>Stop all digest mails of this server?</p>" + _button_form(token, "Unsubscribe"))
    api: Api = request.app.state.api
    organization = request.path_params["organizationId"].lower()
    organization_workspace(api, organization)
    changed = await run_in_threadpool(store(request).unsubscribe, organization, await _form_token(request, token))
    if not changed:
        return _page("Unsubscribe failed", "<p>This link is not valid.</p>", 403)
    return _page("Unsubscribed", "<p>No more digest mails will be sent to you.</p>")


async def share_instructions(request: Request) -> Response:
    """Mail `recipients` how to implement the tracking plan: its specifications, docs links, codegen."""
    caller = await authenticate(request, "export")
    request.app.state.api.limit(caller.account, request)
    doc = await _json_object(request)
    listed, note = doc.get("recipients"), doc.get("message", "")
    recipients = [r for r in listed if isinstance(r, str) and EMAIL.fullmatch(r)] if isinstance(listed, list) else []
    if recipients != listed or not 0 < len(recipients) <= MAX_RECIPIENTS or not isinstance(note, str):
        raise ApiError(400, f"Invalid body: recipients (1 to {MAX_RECIPIENTS} email addresses) is required")

    def share() -> Response:
        plan = _tracking_plan(request, caller)
        ws = request.app.state.api.service.workspace(caller.workspace)
        anchors = Anchors.of(ws.load(main_branch(ws)).plan).events
        docs = docs_url(public_url(request), caller.workspace)
        try:
            sent = sharing.share_instructions(_mailer(), recipients, plan, anchors, docs, note)
        except InputError as exc:
            raise ApiError(502, str(exc)) from None
        return json_response({"message": "Instructions sent", "sent": sent})

    return await run_in_threadpool(share)


def routes() -> list[Route]:
    return [
        Route(SUBSCRIPTIONS, _guarded(list_subscriptions), methods=["GET"]),
        Route(SUBSCRIPTIONS, _guarded(create_subscription), methods=["POST"]),
        Route(ONE, _guarded(update_subscription), methods=["PUT"]),
        Route(ONE, _guarded(delete_subscription), methods=["DELETE"]),
        Route(ONE + "/actions/confirm", _guarded(confirm_api), methods=["POST"]),
        Route(ONE + "/actions/resend-confirmation", _guarded(resend_confirmation), methods=["POST"]),
        Route(CONFIRM_PAGE, _guarded(confirm_page), methods=["GET", "POST"]),
        Route(UNSUBSCRIBE_PAGE, _guarded(unsubscribe_page), methods=["GET", "POST"]),
        Route(SHARE, _guarded(share_instructions), methods=["POST"]),
        Route(SHARE.removeprefix("/api/msc/v1"), _guarded(share_instructions), methods=["POST"]),
    ]

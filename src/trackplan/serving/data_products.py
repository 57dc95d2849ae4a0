"""Snowplow's tracking-plans API ("data products") over the tracking-plan files of each
workspace, under `/api/msc/v1/organizations/{organizationId}/`: list, get, create, update
(POST and PUT), delete and history (`before`, `limit`, `offset`, `order`), and the token
exchange snowplow-cli starts with.

Each workspace is one organization (serve.yaml's `organization_id`, else derived from the
workspace id). Reads are of the plan's main branch, or `?branch=`. Every write is one commit
through `trackingplans.files`, with the same guards as the CLI: on `?branch=`, else on the
plan's own branch `tracking-plans/<slug>` (started from main, which is protected); the
`Trackplan-Branch` and `Trackplan-Commit` headers name where it landed. Callers authenticate
as service accounts: Basic credentials, or the bearer token `credentials/v3/token` gives for
`X-API-KEY-ID` and `X-API-KEY`. Reads need the export scope, writes the import scope.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import orjson
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from trackplan.diffing.history import parse_before
from trackplan.errors import InputError
from trackplan.formats.snowplow_dp import event_sources
from trackplan.model.slugs import slugify
from trackplan.model.tracking_plans import STATUSES, TrackingPlan, new_id
from trackplan.repo.workspace import Workspace
from trackplan.serving.accounts import Account, basic_authorization
from trackplan.serving.app import AUTH_FAILED, Api, _body, _guarded, _Limited, json_response
from trackplan.serving.branches import is_valid_name, main_branch
from trackplan.serving.config import ORGANIZATIONS
from trackplan.serving.service import ApiError
from trackplan.serving.tokens import TokenIssuer
from trackplan.trackingplans.files import (
    DuplicatePlanNameError,
    PlanChange,
    PlanCommit,
    PlanEdit,
    PlanFile,
    commit_tracking_plans,
    find_in,
    read_tracking_plans,
)
from trackplan.trackingplans.history import ORDERS, HistoryQuery, plan_history

ORGANIZATION = ORGANIZATIONS + "/{organizationId}"
PRODUCTS = ORGANIZATION + "/data-products/v2"
PLAN_BRANCHES = "tracking-plans/"
NOT_FOUND = "Data product not found"
_TEXT_FIELDS = {"description": "description", "accessInstructions": "access_instructions"}
_OPTIONAL_FIELDS = {"domain": "domain", "owner": "owner"}


@dataclass(frozen=True)
class Caller:
    """Who a request comes from and which workspace its organization is."""

    account: Account
    workspace: str
    organization: str


def tokens(request: Request) -> TokenIssuer:
    issuer: TokenIssuer = request.app.state.tokens
    return issuer


def organization_workspace(api: Api, organization: str) -> str:
    """The id of the workspace that is `organization`, or a 404."""
    wanted = organization.lower()
    for ws_id, workspace in api.config.workspaces.items():
        if workspace.organization == wanted:
            return ws_id
    raise ApiError(404, "Organization not found")


async def _verified(request: Request, check: Callable[[], Account | None], workspace: str, scope: str) -> Account:
    """`check()`'s account, when it allows `scope` on `workspace`; failed logins are limited per address."""
    api: Api = request.app.state.api
    client = request.client.host if request.client else "unknown"
    wait = api.failures.exhausted(client)
    if wait is not None:
        raise _Limited(wait, "Too many failed logins from this address; retry later")
    account = await run_in_threadpool(check)
    if account is None or not account.allows(workspace, scope):
        api.failures.take(client)
        raise ApiError(401, AUTH_FAILED)
    return account


async def authenticate(request: Request, scope: str) -> Caller:
    """The caller of a request under `/organizations/{organizationId}/`: a bearer token this
    server issued for that organization, or a service account's Basic credentials."""
    api: Api = request.app.state.api
    organization = request.path_params["organizationId"].lower()
    workspace = organization_workspace(api, organization)
    header = request.headers.get("authorization", "")
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() == "bearer":
        account = await _verified(
            request,
            lambda: tokens(request).verify(token.strip(), organization, api.accounts.accounts()),
            workspace,
            scope,
        )
    else:
        account = await _verified(request, lambda: api.accounts.verify(header or None), workspace, scope)
    return Caller(account, workspace, organization)


async def access_token(request: Request) -> Response:
    """snowplow-cli's first call: X-API-KEY-ID and X-API-KEY (a service account's name and
    secret) for a short-lived bearer token."""
    api: Api = request.app.state.api
    organization = request.path_params["organizationId"].lower()
    workspace = organization_workspace(api, organization)
    key_id, key = request.headers.get("x-api-key-id", ""), request.headers.get("x-api-key", "")
    credentials = basic_authorization(key_id, key) if key_id and key else None
    account = await _verified(request, lambda: api.accounts.verify(credentials), workspace, "export")
    return json_response({"accessToken": tokens(request).issue(account, organization)})


# -- reads --------------------------------------------------------------------------------------


def _read_branch(request: Request, ws: Workspace) -> str:
    branch = _branch_param(request)
    if branch is None:
        return main_branch(ws)
    if ws.store.branch_head(branch) is None:
        raise ApiError(404, "Branch not found")
    return branch


def _spec_url(request: Request, organization: str, spec_id: UUID) -> str:
    return f"{str(request.base_url).rstrip('/')}{ORGANIZATIONS}/{organization}/event-specs/v1/{spec_id}"


def product_json(plan: TrackingPlan, request: Request, organization: str) -> dict[str, Any]:
    """A tracking plan in the API's shape, its specifications as `eventSpecs: [{id, url}]`."""
    return {
        "id": str(plan.id),
        "organizationId": organization,
        "name": plan.name,
        "description": plan.description,
        "domain": plan.domain,
        "owner": plan.owner,
        "accessInstructions": plan.access_instructions,
        "status": plan.status,
        "sourceApplications": list(plan.source_applications),
        "eventSpecs": [
            {"id": str(spec.id), "url": _spec_url(request, organization, spec.id)} for spec in plan.event_specifications
        ],
    }


def specs_json(plan: TrackingPlan, sources: dict[str, str]) -> list[dict[str, Any]]:
    """Every specification of a plan in full, as `includes.eventSpecs` lists them; `event.source`
    is the event's Iglu URI (`sources`: event name to URI), or the specification's own `event`."""
    out = []
    for spec in plan.event_specifications:
        doc = spec.to_json()
        event: dict[str, Any] = {"source": sources.get(spec.event, spec.event)}
        if spec.schema is not None:
            event["schema"] = doc["schema"]
        excluded = set(spec.excluded_source_applications)
        out.append(
            {
                "id": doc["id"],
                "dataProductId": str(plan.id),
                "name": spec.name,
                "description": spec.description,
                "status": spec.status,
                "sourceApplications": [s for s in plan.source_applications if s not in excluded],
                "excludedSourceApplications": list(spec.excluded_source_applications),
                "triggers": doc["triggers"],
                "event": event,
                "entities": spec.entities.to_json(),
            }
        )
    return out


def _listing(request: Request, caller: Caller, only: UUID | None) -> dict[str, Any]:
    api: Api = request.app.state.api
    ws = api.service.workspace(caller.workspace)
    branch = _read_branch(request, ws)
    plans = [f.plan for f in read_tracking_plans(ws, branch) if only is None or f.plan.id == only]
    if only is not None and not plans:
        raise ApiError(404, NOT_FOUND)
    sources = event_sources(ws.load(branch).plan) if any(p.event_specifications for p in plans) else {}
    return {
        "data": [product_json(plan, request, caller.organization) for plan in plans],
        "includes": {"eventSpecs": [spec for plan in plans for spec in specs_json(plan, sources)]},
    }


def _plan_id(request: Request) -> UUID:
    try:
        return UUID(request.path_params["dataProductId"])
    except ValueError:
        raise ApiError(404, NOT_FOUND) from None


async def list_products(request: Request) -> Response:
    caller = await authenticate(request, "export")
    return json_response(await run_in_threadpool(_listing, request, caller, None))


async def get_product(request: Request) -> Response:
    caller = await authenticate(request, "export")
    plan_id = _plan_id(request)
    return json_response(await run_in_threadpool(_listing, request, caller, plan_id))


def _history_query(request: Request) -> HistoryQuery:
    """Snowplow's history parameters, each checked: a 400 names the one that is wrong."""
    query = request.query_params
    numbers = {}
    for key in ("limit", "offset"):
        value = query.get(key)
        if value is not None and not value.isdigit():
            raise ApiError(400, f"Invalid {key} {value!r}: expected a whole number of 0 or more")
        numbers[key] = int(value) if value is not None else None
    order = query.get("order", "desc")
    if order not in ORDERS:
        raise ApiError(400, f"Invalid order {order!r}: use asc or desc")
    before = query.get("before")
    try:
        parse_before(before)
    except InputError:
        raise ApiError(400, f"Invalid before {before!r}: expected an ISO-8601 timestamp") from None
    return HistoryQuery(before, numbers["limit"], numbers["offset"] or 0, order)


async def product_history(request: Request) -> Response:
    """The commits that changed a plan's file, on main or `?branch=`, as `{data: [records]}`."""
    caller = await authenticate(request, "export")
    plan_id = _plan_id(request)
    query = _history_query(request)

    def history() -> dict[str, Any]:
        ws = request.app.state.api.service.workspace(caller.workspace)
        branch = _read_branch(request, ws)
        records = plan_history(ws, branch, plan_id, query)
        if not records and not plan_history(ws, branch, plan_id, HistoryQuery(limit=1)):
            raise ApiError(404, NOT_FOUND)
        return {"data": [record.to_json() for record in records]}

    return json_response(await run_in_threadpool(history))


# -- writes -------------------------------------------------------------------------------------


async def _json_object(request: Request) -> dict[str, Any]:
    api: Api = request.app.state.api
    data = await _body(request, api.config.max_body_bytes)
    try:
        doc = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise ApiError(400, f"Invalid JSON body: {exc}") from None
    if not isinstance(doc, dict):
        raise ApiError(400, "Invalid body: expected a JSON object")
    return doc


def _string(doc: dict[str, Any], key: str, optional: bool = True) -> str | None:
    value = doc.get(key)
    if value is None and optional:
        return None
    if not isinstance(value, str) or (key == "name" and not value.strip()):
        raise ApiError(400, f"Invalid {key}: expected a {'non-empty ' if key == 'name' else ''}string")
    return value


def edited(plan: TrackingPlan, doc: dict[str, Any], status_required: bool) -> TrackingPlan:
    """`plan` with the fields `doc` gives; a field left out keeps its value. Specifications are
    not edited here (the file, `trackplan plans add-spec` or an import change them)."""
    status = doc.get("status")
    if status is None and status_required:
        raise ApiError(400, "Missing status: an update needs one of " + ", ".join(STATUSES))
    if status is not None and status not in STATUSES:
        raise ApiError(400, f"Invalid status {status!r}: use one of {', '.join(STATUSES)}")
    changes: dict[str, Any] = {"name": _string(doc, "name", optional=False)}
    if status is not None:
        changes["status"] = status
    for key, attribute in _TEXT_FIELDS.items():
        if key in doc:
            changes[attribute] = _string(doc, key) or ""
    for key, attribute in _OPTIONAL_FIELDS.items():
        if key in doc:
            changes[attribute] = _string(doc, key) or None
    if "sourceApplications" in doc:
        sources = doc["sourceApplications"]
        if not isinstance(sources, list) or not all(isinstance(s, str) and s for s in sources):
            raise ApiError(400, "Invalid sourceApplications: expected a list of source names")
        changes["source_applications"] = tuple(dict.fromkeys(sources))
    return replace(plan, **changes)


def _branch_param(request: Request) -> str | None:
    branch = request.query_params.get("branch")
    if branch is not None and not is_valid_name(branch):
        raise ApiError(400, "Invalid branch: control characters, '..' and git's reserved characters are refused")
    return branch


def _pending(ws: Workspace, branch: str) -> bool:
    """Whether a plan branch has commits main has not merged yet."""
    head, main = ws.store.branch_head(branch), ws.store.branch_head(main_branch(ws))
    return head is not None and not (main is not None and ws.store.is_ancestor(head, main))


def _editing(request: Request, ws: Workspace, plan_id: UUID) -> tuple[str, TrackingPlan]:
    """Where an edit of a plan goes and the plan as that branch holds it: `?branch=`, else a
    plan branch already holding the plan's unmerged changes, else the plan's own new branch."""
    branch = _branch_param(request)
    candidates = [branch] if branch is not None else [b for b in ws.store.branch_names() if b.startswith(PLAN_BRANCHES)]
    for candidate in candidates:
        if branch is None and not _pending(ws, candidate):
            continue
        found = find_in(read_tracking_plans(ws, candidate), str(plan_id)) if ws.store.branch_head(candidate) else None
        if found is not None:
            return candidate, found.plan
    on_main = find_in(read_tracking_plans(ws, main_branch(ws)), str(plan_id))
    if on_main is None:
        raise ApiError(404, NOT_FOUND)
    return branch or PLAN_BRANCHES + slugify(on_main.plan.name), on_main.plan


def _message(verb: str, plan: TrackingPlan, caller: Caller) -> str:
    return f"{verb} tracking plan {plan.name}\n\nTrackplan-Service-Account: {caller.account.name}\n"


def _committed(ws: Workspace, branch: str, edit: Callable[[Sequence[PlanFile]], PlanEdit]) -> PlanCommit:
    try:
        return commit_tracking_plans(ws, branch, edit)
    except DuplicatePlanNameError as exc:
        raise ApiError(409, str(exc)) from None


def _written(written: PlanCommit, ws: Workspace, status: int, body: dict[str, Any] | None) -> Response:
    commit = written.commit or ws.store.branch_head(written.branch) or ""
    headers = {"Trackplan-Branch": written.branch, "Trackplan-Commit": commit}
    if body is None:
        return Response(status_code=status, headers=headers)
    return Response(orjson.dumps(body), status, headers=headers, media_type="application/json")


async def create_product(request: Request) -> Response:
    caller = await authenticate(request, "import")
    request.app.state.api.limit(caller.account, request)
    doc = await _json_object(request)
    plan = edited(TrackingPlan(id=new_id(), name="-"), doc, status_required=False)

    def create() -> Response:
        ws = request.app.state.api.service.workspace(caller.workspace)
        branch = _branch_param(request) or PLAN_BRANCHES + slugify(plan.name)
        message = _message("Create", plan, caller)
        written = _committed(ws, branch, lambda _: PlanEdit((PlanChange(plan.id, plan),), message))
        return _written(written, ws, 201, _one(plan, request, caller))

    return await run_in_threadpool(create)


def _one(plan: TrackingPlan, request: Request, caller: Caller) -> dict[str, Any]:
    return {"data": [product_json(plan, request, caller.organization)], "includes": {"eventSpecs": []}}


async def update_product(request: Request) -> Response:
    caller = await authenticate(request, "import")
    request.app.state.api.limit(caller.account, request)
    plan_id = _plan_id(request)
    doc = await _json_object(request)

    def update() -> Response:
        ws = request.app.state.api.service.workspace(caller.workspace)
        branch, current = _editing(request, ws, plan_id)
        plan = edited(current, doc, status_required=True)

        def edit(files: Sequence[PlanFile]) -> PlanEdit:
            current = find_in(files, str(plan_id))
            if current is None:
                raise ApiError(404, NOT_FOUND)
            return PlanEdit((PlanChange(plan_id, edited(current.plan, doc, True)),), _message("Update", plan, caller))

        written = _committed(ws, branch, edit)
        return _written(written, ws, 200, _one(written.plans[0].plan or plan, request, caller))

    return await run_in_threadpool(update)


async def delete_product(request: Request) -> Response:
    caller = await authenticate(request, "import")
    request.app.state.api.limit(caller.account, request)
    plan_id = _plan_id(request)

    def delete() -> Response:
        ws = request.app.state.api.service.workspace(caller.workspace)
        branch, plan = _editing(request, ws, plan_id)
        message = _message("Delete", plan, caller)
        written = _committed(ws, branch, lambda _: PlanEdit((PlanChange(plan_id, None),), message))
        return _written(written, ws, 204, None)

    return await run_in_threadpool(delete)


def routes() -> list[Route]:
    """The routes of this API, each answering errors as the rest of the server does."""
    return [
        Route(f"{ORGANIZATION}/credentials/v3/token", _guarded(access_token), methods=["GET"]),
        Route(PRODUCTS, _guarded(list_products), methods=["GET"]),
        Route(PRODUCTS, _guarded(create_product), methods=["POST"]),
        Route(PRODUCTS + "/{dataProductId}", _guarded(get_product), methods=["GET"]),
        Route(PRODUCTS + "/{dataProductId}", _guarded(update_product), methods=["POST", "PUT"]),
        Route(PRODUCTS + "/{dataProductId}", _guarded(delete_product), methods=["DELETE"]),
        Route(PRODUCTS + "/{dataProductId}/history", _guarded(product_history), methods=["GET"]),
    ]

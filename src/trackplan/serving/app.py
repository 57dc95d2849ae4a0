"""The HTTP API of `trackplan serve`, compatible with Avo's Import and Export APIs: the routes,
authentication, rate limits and the HTTP side of every answer.

Every error answer is the reference's `{"message": ..., "warnings": [...]}`. Authentication
is `Authorization: Basic base64(name:secret)`; every failure gets the same 401. Imports and
exports are limited per service account (`rate_limit` in serve.yaml), failed logins per client
address. The OpenAPI document is hand-written (openapi.json beside this module).
"""

from __future__ import annotations

import functools
import logging
import re
import traceback
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from trackplan.errors import TrackplanError
from trackplan.serving import hooks, pages
from trackplan.serving.accounts import Account, AccountStore
from trackplan.serving.branches import list_branches
from trackplan.serving.config import ServeConfig
from trackplan.serving.idempotency import MAX_KEY
from trackplan.serving.ratelimit import RateLimiter
from trackplan.serving.service import IMPORT_METHODS, ApiError, ExportCall, ImportCall, Service, status_for
from trackplan.serving.tokens import TokenIssuer

log = logging.getLogger("trackplan.serving")

CONTENT_TYPE_MESSAGE = "Invalid Content-Type. Accepted: text/csv, application/json"
AUTH_FAILED = "Authentication failed: send Authorization: Basic base64(name:secret) of a service account"
PAYLOAD_FORMATS = {"jsonSchema": "avo-json", "snowplowSchemas": "snowplow", "ndjson": "ndjson"}
MEDIA_TYPES = {"avo-json": "application/json", "snowplow": "application/json", "ndjson": "application/x-ndjson"}
VENDOR = re.compile(r"[A-Za-z0-9._-]+")
_PRINTABLE = re.compile(r"[\x21-\x7e]+")
_MIN_GZIP = 1024

Endpoint = Callable[[Request], Awaitable[Response]]


def error_response(
    status: int, message: str, warnings: list[str] | None = None, headers: dict[str, str] | None = None
) -> Response:
    body = orjson.dumps({"message": message, "warnings": warnings or []})
    return Response(body, status, headers=headers, media_type="application/json")


def json_response(doc: Any, status: int = 200) -> Response:
    return Response(orjson.dumps(doc), status, media_type="application/json")


class Api:
    """The routes' shared state: the service, the accounts and the limiters."""

    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.service = Service(config)
        self.accounts = AccountStore(config.state_dir)
        self.requests = RateLimiter(config.rate_limit.per_second, config.rate_limit.burst)
        self.failures = RateLimiter(config.failed_logins.per_second, config.failed_logins.burst)

    async def authenticate(self, request: Request, workspace: str | None, scope: str) -> Account:
        """The service account of the request; the scrypt runs off the event loop."""
        client = request.client.host if request.client else "unknown"
        wait = self.failures.exhausted(client)
        if wait is not None:
            raise _Limited(wait, "Too many failed logins from this address; retry later")
        account = await run_in_threadpool(self.accounts.verify, request.headers.get("authorization"))
        if account is None or not account.allows(workspace or account.workspace, scope):
            self.failures.take(client)
            raise ApiError(401, AUTH_FAILED)
        return account

    def limit(self, account: Account, request: Request) -> None:
        wait = self.requests.take(account.name)
        if wait is None:
            return
        if self.config.rate_limit.mode == "soft":
            log.warning(
                "rate limit: %s over %s/s on %s (soft: served)",
                account.name,
                self.requests.per_second,
                request.url.path,
            )
            return
        raise _Limited(
            wait, f"Rate limit exceeded: {self.requests.per_second:g} request per second per service account"
        )


class _Limited(Exception):
    def __init__(self, retry_after: int, message: str) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        self.message = message


async def import_v1(request: Request) -> Response:
    api: Api = request.app.state.api
    ws, branch = request.path_params["ws"], request.path_params["branch"]
    account = await api.authenticate(request, ws, "import")
    api.limit(account, request)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ("text/csv", "application/json"):
        raise ApiError(400, CONTENT_TYPE_MESSAGE)
    method = request.query_params.get("importMethod", "addOnly")
    if method not in IMPORT_METHODS:
        raise ApiError(400, f"Invalid importMethod {method!r}: use one of {', '.join(IMPORT_METHODS)}")
    key = request.headers.get("idempotency-key")
    if key is not None and not (len(key) <= MAX_KEY and _PRINTABLE.fullmatch(key)):
        raise ApiError(400, f"Invalid Idempotency-Key: 1 to {MAX_KEY} printable characters without spaces")
    data = await _body(request, api.config.max_body_bytes)
    call = ImportCall(ws, branch, data, media_type, method, account.name, key)
    return json_response(await run_in_threadpool(api.service.import_plan, call))


async def _body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise ApiError(413, f"Request body too large: the limit is {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError(413, f"Request body too large: the limit is {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


async def export_v1(request: Request) -> Response:
    api: Api = request.app.state.api
    ws, branch = request.path_params["ws"], request.path_params["branch"]
    api.limit(await api.authenticate(request, ws, "export"), request)
    query = request.query_params
    payload = query.get("payloadFormat", "jsonSchema")
    if payload not in PAYLOAD_FORMATS:
        raise ApiError(400, f"Invalid payloadFormat {payload!r}: use one of {', '.join(PAYLOAD_FORMATS)}")
    vendor = query.get("vendor")
    if vendor is not None and not VENDOR.fullmatch(vendor):
        raise ApiError(400, "Invalid vendor: only alphanumeric characters, dots, hyphens and underscores are allowed")
    changed = query.get("changedEventsOnly", "false").lower()
    if changed not in ("true", "1", "false", "0", ""):
        raise ApiError(400, "Invalid changedEventsOnly: use true, 1, false or 0")
    fmt = PAYLOAD_FORMATS[payload]
    call = ExportCall(ws, branch, fmt, vendor if fmt != "avo-json" else None, changed in ("true", "1"))
    return await _rendered(request, api, call, MEDIA_TYPES[fmt])


async def docs(request: Request) -> Response:
    api: Api = request.app.state.api
    ws, branch = request.path_params["ws"], request.path_params["branch"]
    await api.authenticate(request, ws, "export")
    return await _rendered(request, api, ExportCall(ws, branch, "html"), "text/html; charset=utf-8")


async def _rendered(request: Request, api: Api, call: ExportCall, media_type: str) -> Response:
    exported = await run_in_threadpool(api.service.export, call, request.headers.get("if-none-match"))
    if exported.not_modified and exported.etag is not None:
        return Response(status_code=304, headers={"ETag": exported.etag})
    headers = {"Vary": "Accept-Encoding"}
    if exported.etag is not None:
        headers["ETag"] = exported.etag
    data = exported.data
    if "gzip" in request.headers.get("accept-encoding", "").lower() and len(data) >= _MIN_GZIP:
        data = await run_in_threadpool(exported.gzipped)
        headers["Content-Encoding"] = "gzip"
    return Response(data, 200, headers=headers, media_type=media_type)


async def branches(request: Request) -> Response:
    api: Api = request.app.state.api
    ws_id = request.path_params["ws"]
    await api.authenticate(request, ws_id, "export")

    def listing() -> list[dict[str, Any]]:
        found = list_branches(api.service.workspace(ws_id))
        return [{"id": b.id, "name": b.name, "head": b.head, "isMain": b.is_main} for b in found]

    return json_response({"branches": await run_in_threadpool(listing)})


async def index(request: Request) -> Response:
    api: Api = request.app.state.api
    account = await api.authenticate(request, None, "export")
    return HTMLResponse(await run_in_threadpool(pages.index, api.service, account))


async def healthz(request: Request) -> Response:
    return json_response({"status": "ok"})


async def openapi(request: Request) -> Response:
    document = resources.files("trackplan.serving").joinpath("openapi.json").read_bytes()
    return Response(document, media_type="application/json")


def _answer(request: Request, exc: Exception) -> Response:
    """The error body for whatever a route raised; anything unforeseen is a logged 500."""
    if isinstance(exc, ApiError):
        headers = {"WWW-Authenticate": 'Basic realm="trackplan"'} if exc.status == 401 else {}
        return error_response(exc.status, exc.message, exc.warnings, headers)
    if isinstance(exc, _Limited):
        return error_response(429, exc.message, headers={"Retry-After": str(exc.retry_after)})
    if isinstance(exc, ClientDisconnect):
        return error_response(400, "Request body cut off: the client disconnected")
    status = status_for(exc) if isinstance(exc, TrackplanError) else 500
    if status != 500:
        return error_response(status, str(exc))
    log.error("%s %s: unexpected error\n%s", request.method, request.url.path, traceback.format_exc())
    return error_response(500, "Unexpected error")


def _guarded(route: Endpoint) -> Endpoint:
    @functools.wraps(route)
    async def guarded(request: Request) -> Response:
        try:
            return await route(request)
        except Exception as exc:
            return _answer(request, exc)

    return guarded


async def _http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own answers (no such route, wrong method) in the same error body."""
    assert isinstance(exc, HTTPException)
    messages = {404: "Not found", 405: "Method not allowed"}
    return error_response(exc.status_code, messages.get(exc.status_code, str(exc.detail)))


BRANCH = "/workspaces/{ws}/branches/{branch:path}"


def create_app(config: ServeConfig) -> Starlette:
    """The ASGI application serving `config`'s workspaces."""
    # They build on this module, so they are loaded once this one is.
    from trackplan.serving import data_products, subscriptions

    routes = [
        Route("/", _guarded(index), methods=["GET"]),
        Route("/healthz", _guarded(healthz), methods=["GET"]),
        Route("/openapi.json", _guarded(openapi), methods=["GET"]),
        Route("/workspaces/{ws}/branches", _guarded(branches), methods=["GET"]),
        Route(f"{BRANCH}/import/v1", _guarded(import_v1), methods=["POST"]),
        Route(f"{BRANCH}/export/v1", _guarded(export_v1), methods=["GET"]),
        Route(f"{BRANCH}/docs", _guarded(docs), methods=["GET"]),
        Route("/hooks/git", _guarded(hooks.git_push), methods=["POST"]),
        *data_products.routes(),
        *subscriptions.routes(),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: _http_error})
    app.state.api = Api(config)
    app.state.tokens = TokenIssuer()
    return app

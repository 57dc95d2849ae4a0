"""`POST /hooks/git`: GitHub's push webhook. A push to a workspace's main branch publishes it
to the plan's webhook integrations (`publishing.run.publish`, as a branch merge).

The request must carry `X-Hub-Signature-256`, the HMAC of the body under the secret in
`$TRACKPLAN_HOOK_SECRET`; without that variable every request is refused. A delivery is
accepted once: a second request with the same `X-GitHub-Delivery`, or with the very bytes of
an earlier one, is a replay and gets 409 (a fresh id on a captured body does not make it new).
Deliveries seen are kept in `hooks.sqlite` in the state folder. Publishing runs after the
answer (GitHub gives a hook 10 seconds), one publish at a time; the publication's claim in the
repository (`publishing.claims`) makes a second server of the same repository, or a second
delivery of the same push, send nothing the first one sends. A pushed commit the
repository does not have yet (the push went to GitHub, not here) is fetched first, from the
remote the main branch tracks (origin by default); no local branch moves.
"""

from __future__ import annotations

import hashlib
import logging
import os
import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import orjson
from starlette.background import BackgroundTask
from starlette.requests import Request
from starlette.responses import Response

from trackplan.errors import TrackplanError
from trackplan.publishing.ledger import StateLedger
from trackplan.publishing.run import PublishRequest, publish
from trackplan.publishing.signing import verify_hub_signature
from trackplan.serving.service import ApiError

if TYPE_CHECKING:
    from trackplan.serving.app import Api

log = logging.getLogger("trackplan.serving")

HOOK_SECRET_ENV = "TRACKPLAN_HOOK_SECRET"
HOOKS_FILE = "hooks.sqlite"
MAX_HOOK_BYTES = 25 * 1024 * 1024  # GitHub caps a webhook payload at 25 MB
FORGED = "Invalid or missing X-Hub-Signature-256"
_publishing = threading.Lock()


class SeenDeliveries:
    """The deliveries already accepted, by id and by body digest."""

    def __init__(self, state_dir: Path) -> None:
        self.path = state_dir / HOOKS_FILE

    def accept(self, delivery_id: str, body: bytes) -> bool:
        """Record the delivery; False when its id or its body was seen before."""
        self.path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        with closing(sqlite3.connect(self.path, timeout=10)) as db, db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS deliveries (id TEXT PRIMARY KEY, body_sha256 TEXT NOT NULL UNIQUE,"
                " received_at REAL NOT NULL)"
            )
            try:
                db.execute(
                    "INSERT INTO deliveries VALUES (?, ?, ?)",
                    (delivery_id, hashlib.sha256(body).hexdigest(), time.time()),
                )
            except sqlite3.IntegrityError:
                return False
        return True


def _answer(status: int, message: str, background: BackgroundTask | None = None, **fields: Any) -> Response:
    body = orjson.dumps({"message": message, "warnings": [], **fields})
    return Response(body, status, media_type="application/json", background=background)


async def _signed_body(request: Request) -> bytes:
    declared = request.headers.get("content-length", "")
    if not declared.isdigit():
        raise ApiError(411, "Content-Length is required")
    if int(declared) > MAX_HOOK_BYTES:
        raise ApiError(413, f"Request body too large: the limit is {MAX_HOOK_BYTES} bytes")
    body = await request.body()
    secret = os.environ.get(HOOK_SECRET_ENV, "")
    if not secret:
        log.warning("POST /hooks/git refused: %s is not set", HOOK_SECRET_ENV)
    if not secret or not verify_hub_signature(secret, body, request.headers.get("x-hub-signature-256")):
        raise ApiError(401, FORGED)
    return body


async def git_push(request: Request) -> Response:
    api: Api = request.app.state.api
    body = await _signed_body(request)
    delivery_id = request.headers.get("x-github-delivery", "")
    if not 0 < len(delivery_id) <= 128:
        raise ApiError(400, "X-GitHub-Delivery is required")
    if not SeenDeliveries(api.config.state_dir).accept(delivery_id, body):
        raise ApiError(409, "Delivery already received: a replayed webhook is not processed twice")
    event = request.headers.get("x-github-event", "")
    if event == "ping":
        return _answer(200, "pong")
    if event != "push":
        return _answer(202, f"Ignored: a {event or 'unnamed'} event publishes nothing")
    try:
        push = orjson.loads(body)
        ref, after = str(push["ref"]), str(push["after"])
    except (orjson.JSONDecodeError, KeyError, TypeError):
        raise ApiError(400, "Invalid push payload: expected JSON with ref and after") from None
    ws_id = request.query_params.get("workspace") or next(iter(sorted(api.config.workspaces)))
    main = api.service.workspace(ws_id).settings("HEAD").main_branch
    if ref != f"refs/heads/{main}":
        return _answer(202, f"Ignored: {ref} is not the main branch ({main})")
    task = BackgroundTask(_publish, ws_id, api, main, PublishRequest(after, "branch-merge", branch=main))
    return _answer(202, "Publishing", task, commit=after)


def _publish(ws_id: str, api: Api, main: str, request: PublishRequest) -> None:
    from trackplan.repo.git.remote import fetch_missing_commit

    with _publishing:
        try:
            ws = api.service.workspace(ws_id)
            fetch_missing_commit(ws.store, ws.root, request.ref, main)
            for outcome in publish(ws, request, StateLedger(api.config.state_dir)):
                log.info(
                    "publish %s to %s: %s %s",
                    outcome.commit[:12],
                    outcome.integration.id,
                    outcome.state,
                    outcome.answer,
                )
        except TrackplanError as exc:
            log.error("publish %s of workspace %s failed: %s", request.ref[:12], ws_id, exc)

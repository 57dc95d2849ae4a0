"""The publish use case: a `PublishRequest` (a ref, a method, some integrations) becomes one
delivery per integration that has not yet received that commit: the ledger says which it has,
and a claim in the repository's git dir (`claims`) keeps two processes from both sending it.

Every secret is looked up before anything is sent, so a missing variable fails the whole
publish up front. Deliveries are independent: one integration failing does not stop the next.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime

from trackplan.errors import InputError
from trackplan.publishing.claims import AlreadySent, Busy, claim
from trackplan.publishing.config import Integration, integrations
from trackplan.publishing.delivery import RETRYING, Retrying, deliver
from trackplan.publishing.ledger import Ledger
from trackplan.publishing.payload import Target, message
from trackplan.repo.workspace import Workspace

METHODS = {"manual": "Manual", "branch-merge": "BranchMerge"}
MAIN = "main"
HISTORY_SEARCHED = 500  # commits walked back to find the last one an integration received


@dataclass(frozen=True)
class PublishRequest:
    ref: str = MAIN  # `main`: the plan's main branch, whatever it is called
    method: str = "manual"
    integrations: tuple[str, ...] = ()  # none: every integration
    branch: str | None = None  # the branch publishInfo names when `ref` is a commit id (a push's `after`)


@dataclass(frozen=True)
class Outcome:
    integration: Integration
    commit: str
    state: str  # sent | skipped (already delivered) | failed
    delivery_id: str
    attempts: int = 0
    answer: str = ""


def publish(
    ws: Workspace,
    request: PublishRequest,
    ledger: Ledger,
    env: Mapping[str, str] = os.environ,
    retrying: Retrying = RETRYING,
    sleep: Callable[[float], None] = time.sleep,
) -> list[Outcome]:
    """Deliver the commit `request.ref` names to each chosen integration, once."""
    if request.method not in METHODS:
        raise InputError(f"--method {request.method!r}: use one of {', '.join(METHODS)}")
    branch, commit = _target_ref(ws, request.ref)
    branch = request.branch or branch
    chosen = _chosen(integrations(ws.settings(commit)), request.integrations)
    secrets = {i.id: _secret(i, env) for i in chosen}
    history = [c.id for _, c in zip(range(HISTORY_SEARCHED), ws.store.iter_commits(commit), strict=False)]
    info = next(ws.store.iter_commits(commit))
    outcomes = []
    for integration in chosen:
        delivered = ledger.delivered(integration.id, history)
        if commit in delivered:
            outcomes.append(Outcome(integration, commit, "skipped", delivered[commit]))
            continue
        base = next((c for c in history[1:] if c in delivered), info.parents[0] if info.parents else None)
        target = Target(commit, info.time, branch, METHODS[request.method], base)
        outcomes.append(_claimed_delivery(ws, integration, target, ledger, secrets[integration.id], retrying, sleep))
    return outcomes


def _claimed_delivery(
    ws: Workspace,
    integration: Integration,
    target: Target,
    ledger: Ledger,
    secret: str,
    retrying: Retrying,
    sleep: Callable[[float], None],
) -> Outcome:
    """Send `target` under a claim, unless another process sent it (or still sends it)."""
    commit = target.commit
    claimed = claim(ws.store.common_dir, integration.id, commit, str(uuid.uuid4()), retrying.longest)
    if isinstance(claimed, AlreadySent):  # by another process, which may keep another ledger
        ledger.record(integration.id, commit, claimed.delivery_id)
        return Outcome(integration, commit, "skipped", claimed.delivery_id)
    if isinstance(claimed, Busy):
        still = f"{claimed.holder} is still delivering it"
        return Outcome(integration, commit, "failed", claimed.delivery_id, answer=still)
    try:
        body = message(ws, integration, target, datetime.now(UTC))
        delivery = deliver(body, secret, claimed.delivery_id, retrying, sleep)
        if delivery.ok:
            claimed.mark_sent()  # first: should the ledger fail, the claim still stops a second send
            ledger.record(integration.id, commit, claimed.delivery_id)
        else:
            claimed.release()
    finally:
        claimed.close()
    state = "sent" if delivery.ok else "failed"
    return Outcome(integration, commit, state, claimed.delivery_id, len(delivery.attempts), delivery.last_answer)


def _target_ref(ws: Workspace, ref: str) -> tuple[str, str]:
    """The branch name publishInfo carries, and the commit."""
    if ref == MAIN:
        name = ws.settings("HEAD").main_branch
        return name, ws.resolve_main(name)
    if ref == "HEAD":
        return ws.store.current_branch() or ref, ws.store.resolve(ref)
    return ref.removeprefix("refs/heads/"), ws.store.resolve(ref)


def _chosen(configured: list[Integration], wanted: tuple[str, ...]) -> list[Integration]:
    by_id = {i.id: i for i in configured}
    unknown = [w for w in wanted if w not in by_id]
    if unknown:
        known = ", ".join(by_id) or "none"
        raise InputError(f"--integration {unknown[0]!r}: not in trackplan.yaml's publishing (known: {known})")
    return [by_id[w] for w in dict.fromkeys(wanted)] if wanted else configured


def _secret(integration: Integration, env: Mapping[str, str]) -> str:
    secret = env.get(integration.secret_env, "")
    if not secret:
        raise InputError(
            f"integration {integration.id!r}: the environment variable {integration.secret_env} "
            "(its secret_env) is not set; nothing was sent"
        )
    return secret

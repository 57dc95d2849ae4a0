"""`POST /hooks/git`: a signed push to main publishes it as a branch merge; a forged or replayed
delivery is refused and publishes nothing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.publishing.support import SECRET, SECRET_ENV, configure, receiver
from tests.serving.support import served_plan
from trackplan.publishing.signing import hub_signature
from trackplan.serving.hooks import HOOK_SECRET_ENV

HOOK_SECRET = "github-hook-secret"


def push(after: str, ref: str = "refs/heads/main") -> bytes:
    return json.dumps(
        {"ref": ref, "before": "0" * 40, "after": after, "repository": {"full_name": "acme/plan"}}
    ).encode()


def headers(body: bytes, delivery: str, secret: str = HOOK_SECRET, event: str = "push") -> dict[str, str]:
    return {
        "Content-Type": "application/json",
        "X-GitHub-Event": event,
        "X-GitHub-Delivery": delivery,
        "X-Hub-Signature-256": hub_signature(secret, body),
    }


@pytest.fixture(autouse=True)
def secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(HOOK_SECRET_ENV, HOOK_SECRET)
    monkeypatch.setenv(SECRET_ENV, SECRET)


def test_a_signed_push_to_main_publishes_it_once(tmp_path: Path) -> None:
    served = served_plan(tmp_path)
    with receiver() as hook, served.client() as client:
        commit = configure(served.root, hook.url)
        body = push(commit)
        answer = client.post("/hooks/git", content=body, headers=headers(body, "d-1"))
        assert (answer.status_code, answer.json()) == (202, {"message": "Publishing", "warnings": [], "commit": commit})
        [request] = hook.requests
        info = json.loads(request.body)["context"]["publishInfo"]
        assert (info["branchName"], info["lastUpdateId"], info["publishMethod"]) == (
            "main",
            commit,
            {"type": "BranchMerge"},
        )

        other = push(commit, ref="refs/heads/feature/one")
        ignored = client.post("/hooks/git", content=other, headers=headers(other, "d-2"))
        assert ignored.status_code == 202 and ignored.json()["message"].startswith("Ignored: refs/heads/feature/one")
        ping = client.post("/hooks/git", content=b"{}", headers=headers(b"{}", "d-3", event="ping"))
        assert (ping.status_code, ping.json()["message"]) == (200, "pong")
        assert len(hook.requests) == 1


def test_forged_and_replayed_deliveries_are_refused(tmp_path: Path) -> None:
    served = served_plan(tmp_path)
    with receiver() as hook, served.client() as client:
        body = push(configure(served.root, hook.url))
        forged = client.post("/hooks/git", content=body, headers=headers(body, "d-1", secret="guessed"))
        unsigned = client.post(
            "/hooks/git", content=body, headers={"X-GitHub-Event": "push", "X-GitHub-Delivery": "d-2"}
        )
        tampered = client.post("/hooks/git", content=body.replace(b"main", b"mainx"), headers=headers(body, "d-3"))
        for refused in (forged, unsigned, tampered):
            assert (refused.status_code, refused.json()["message"]) == (401, "Invalid or missing X-Hub-Signature-256")
        assert hook.requests == []

        assert client.post("/hooks/git", content=body, headers=headers(body, "d-4")).status_code == 202
        same_id = client.post("/hooks/git", content=body, headers=headers(body, "d-4"))
        fresh_id = client.post("/hooks/git", content=body, headers=headers(body, "d-5"))
        for replayed in (same_id, fresh_id):
            assert replayed.status_code == 409
            assert replayed.json()["message"] == "Delivery already received: a replayed webhook is not processed twice"
        assert len(hook.requests) == 1


def test_without_a_hook_secret_every_delivery_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(HOOK_SECRET_ENV)
    served = served_plan(tmp_path)
    body = push("0" * 40)
    with served.client() as client:
        assert client.post("/hooks/git", content=body, headers=headers(body, "d-1")).status_code == 401

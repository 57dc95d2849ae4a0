"""Publishing to a real webhook receiver on 127.0.0.1: retries keep one delivery id, both
signatures verify, filters and changes_only pick the events, the payload has Avo's shape, and a
commit is delivered once."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from tests.publishing.support import SECRET, SECRET_ENV, configure, receiver
from tests.serving.support import git
from trackplan.publishing.delivery import DELIVERY_HEADER, Retrying, retry_after
from trackplan.publishing.ledger import NOTES_REF, StateLedger
from trackplan.publishing.run import PublishRequest, publish
from trackplan.publishing.signing import hub_signature, jwt_hs256, verify_hub_signature, verify_jwt
from trackplan.repo.workspace import Workspace

FAST = Retrying(attempts=5, first_delay=0.01)
ENV = {SECRET_ENV: SECRET}
PUBLISH_INFO_KEYS = [
    "branchId",
    "branchName",
    "integrationId",
    "integrationName",
    "publishDate",
    "publishMethod",
    "lastUpdateId",
    "lastUpdateDate",
]


def test_a_receiver_failing_twice_gets_three_signed_attempts_with_one_delivery_id(
    plan_repo: Path, tmp_path: Path
) -> None:
    ledger = StateLedger(tmp_path / "state")
    with receiver(503, 502) as hook:
        commit = configure(plan_repo, hook.url, filters="{destinations: [Snowflake], tags: [revenue]}")
        [outcome] = publish(Workspace(plan_repo), PublishRequest(), ledger, ENV, FAST)
        assert (outcome.state, outcome.attempts, outcome.answer) == ("sent", 3, "HTTP 200")
        ids = [r.headers[DELIVERY_HEADER.lower()] for r in hook.requests]
        assert ids == [outcome.delivery_id] * 3
        for request in hook.requests:
            assert verify_hub_signature(SECRET, request.body, request.headers["x-hub-signature-256"])
            scheme, token = request.headers["authorization"].split(" ")
            claims = verify_jwt(token, SECRET, max_age=60)
            assert scheme == "Bearer" and claims is not None
            assert (claims["jti"], claims["sub"], claims["iss"]) == (outcome.delivery_id, "hook", "trackplan")
            assert request.body == hook.requests[0].body
        payload = json.loads(hook.requests[0].body)
        assert list(payload) == ["name", "events", "sources", "destinations", "categories", "context", "trackplan"]
        assert [e["name"] for e in payload["events"]] == ["Checkout Completed", "Subscription Cancelled"]
        info = payload["context"]["publishInfo"]
        assert list(info) == PUBLISH_INFO_KEYS
        assert info["branchName"] == "main" and info["integrationId"] == "hook"
        assert info["integrationName"] == "Warehouse hook"
        assert info["publishMethod"] == {"type": "Manual"} and info["lastUpdateId"] == commit
        assert info["lastUpdateDate"].endswith("Z") and info["publishDate"].endswith("Z")
        assert payload["trackplan"]["commit"] == commit and payload["trackplan"]["breakingChanges"] == 0

        again = publish(Workspace(plan_repo), PublishRequest(), ledger, ENV, FAST)
        assert [(o.state, o.delivery_id) for o in again] == [("skipped", outcome.delivery_id)]
        assert len(hook.requests) == 3


def test_another_client_error_stops_at_once_and_a_429_waits_as_told(plan_repo: Path, tmp_path: Path) -> None:
    ledger = StateLedger(tmp_path / "state")
    waits: list[float] = []
    with receiver(400) as hook:
        configure(plan_repo, hook.url)
        [refused] = publish(Workspace(plan_repo), PublishRequest(), ledger, ENV, FAST, waits.append)
        assert (refused.state, refused.attempts, refused.answer, waits) == ("failed", 1, "HTTP 400", [])
        hook.script[:] = [(429, {"Retry-After": "0"}), (408, {})]
        [sent] = publish(Workspace(plan_repo), PublishRequest(), ledger, ENV, FAST, waits.append)
        assert (sent.state, sent.attempts, waits) == ("sent", 3, [0.0, 0.02])
        assert sent.delivery_id != refused.delivery_id  # a failed delivery was not recorded


def test_changes_only_sends_what_the_merge_changed_with_its_breaking_count(plan_repo: Path, tmp_path: Path) -> None:
    ledger = StateLedger(tmp_path / "state")
    with receiver() as hook:
        configure(plan_repo, hook.url, changes_only="true", format="snowplowSchemas", vendor="com.acme")
        publish(Workspace(plan_repo), PublishRequest(), ledger, ENV, FAST)
        git(plan_repo, "checkout", "-q", "-b", "plan/drop")
        (plan_repo / "events" / "search-performed.yaml").unlink()
        event = plan_repo / "events" / "product-viewed.yaml"
        event.write_text(event.read_text().replace("Sent when", "Sent each time"))
        git(plan_repo, "commit", "-q", "-am", "Drop Search Performed")
        git(plan_repo, "checkout", "-q", "main")
        git(plan_repo, "merge", "-q", "--no-ff", "-m", "Merge plan/drop", "plan/drop")
        publish(Workspace(plan_repo), PublishRequest(method="branch-merge"), ledger, ENV, FAST)
    payload = json.loads(hook.requests[-1].body)
    assert [s["self"]["name"] for s in payload["eventSchemas"]] == ["Product_Viewed"]
    assert payload["eventSchemas"][0]["self"]["vendor"] == "com.acme"
    assert payload["removedEvents"] == ["Search Performed"]
    assert payload["context"]["publishInfo"]["publishMethod"] == {"type": "BranchMerge"}
    extra = payload["trackplan"]
    assert (extra["changedEvents"], extra["removedEvents"]) == (["Product Viewed"], ["Search Performed"])
    assert extra["breakingChanges"] == 1 and extra["base"] == json.loads(hook.requests[0].body)["trackplan"]["commit"]


def test_ndjson_sends_the_context_as_its_first_line(plan_repo: Path, tmp_path: Path) -> None:
    with receiver() as hook:
        configure(plan_repo, hook.url, format="ndjson", filters="{sources: [ios]}")
        publish(Workspace(plan_repo), PublishRequest(), StateLedger(tmp_path / "state"), ENV, FAST)
    [request] = hook.requests
    first, *events = request.body.decode().splitlines()
    assert list(json.loads(first)) == ["context", "trackplan"]
    assert [json.loads(e)["schema"].split("/")[1] for e in events] == [
        "Product_Viewed",
        "Search_Performed",
        "Signed_Up",
    ]
    assert request.headers["content-type"] == "application/x-ndjson"


def test_ci_records_deliveries_in_a_git_note(
    plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SECRET_ENV, SECRET)
    with receiver() as hook:
        commit = configure(plan_repo, hook.url)
        first = run_cli("-C", plan_repo, "publish", "--record", "git-note", "--method", "branch-merge")
        assert first.exit_code == 0, first.output
        delivery = hook.requests[0].headers[DELIVERY_HEADER.lower()]
        assert (
            first.output == f"hook: delivered {commit[:12]} to {hook.url} (HTTP 200, 1 attempt, delivery {delivery})\n"
        )
        note = git(plan_repo, "notes", "--ref", NOTES_REF, "show", commit)
        assert json.loads(note) == {"delivery": delivery, "integration": "hook"}
        second = run_cli("-C", plan_repo, "publish", "--record", "git-note")
        assert second.output == f"hook: {commit[:12]} was already delivered (delivery {delivery}); nothing sent\n"
        assert len(hook.requests) == 1


def test_bad_configuration_is_refused_before_anything_is_sent(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with receiver() as hook:
        configure(plan_repo, hook.url)
        state = ["--state-dir", str(tmp_path / "state")]
        missing = run_cli("-C", plan_repo, "publish", *state)
        assert (missing.exit_code, missing.output) == (
            2,
            f"trackplan: error: integration 'hook': the environment variable {SECRET_ENV} (its secret_env) "
            "is not set; nothing was sent\n",
        )
        monkeypatch.setenv(SECRET_ENV, SECRET)
        unknown = run_cli("-C", plan_repo, "publish", "--integration", "nope", *state)
        assert (
            unknown.output
            == "trackplan: error: --integration 'nope': not in trackplan.yaml's publishing (known: hook)\n"
        )
        settings = plan_repo / "trackplan.yaml"
        settings.write_text(settings.read_text().replace("    name: Warehouse hook", "    secret: hunter2"))
        git(plan_repo, "commit", "-q", "-am", "A secret in the file")
        leaked = run_cli("-C", plan_repo, "validate")
        assert leaked.exit_code == 1 and "TP129" in leaked.output and "secret_env" in leaked.output
        assert hook.requests == []


def test_retry_after_reads_seconds_and_http_dates() -> None:
    assert retry_after("7") == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past: no wait
    assert retry_after("soon") is None


def test_tokens_signed_otherwise_or_too_old_do_not_verify() -> None:
    token = jwt_hs256(SECRET, {"iat": 1_000, "jti": "d"})
    assert verify_jwt(token, SECRET, max_age=60, now=1_030) == {"iat": 1_000, "jti": "d"}
    assert verify_jwt(token, SECRET, max_age=60, now=1_061) is None
    assert verify_jwt(token, "other", max_age=60, now=1_030) is None
    assert verify_jwt(token[:-2], SECRET, max_age=60, now=1_030) is None
    assert not verify_hub_signature(SECRET, b"body", hub_signature(SECRET, b"bodY"))

"""Two digest runs at once (two servers' schedules over one state folder, or a schedule and
`trackplan digest --send`) mail each subscriber once: the first to claim the window sends, the
other is refused and sends nothing; a run whose mail fails gives its window back."""

from __future__ import annotations

import logging
import re
import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.notifying.support import CHECKOUT_PLAN, add_tracking_plans, commit_at, smtp_server
from trackplan.errors import InputError
from trackplan.notifying.digest import Audience, DigestRequest, run_digest
from trackplan.notifying.mail import SMTP_URL_ENV, smtp_config
from trackplan.notifying.schedule import digest_all
from trackplan.notifying.store import SubscriptionStore
from trackplan.serving.config import ServeConfig, WorkspaceConfig, workspace_from_plan


def subscribed(plan_repo: Path, state: Path) -> WorkspaceConfig:
    add_tracking_plans(plan_repo)
    commit_at(plan_repo, "Add tracking plans", datetime.now(UTC).isoformat(timespec="seconds"))
    workspace = workspace_from_plan(plan_repo, None)
    store = SubscriptionStore(state)
    pending = store.add(workspace.organization, CHECKOUT_PLAN, "ops@example.com", "", True)
    store.confirm(pending.subscription.id, pending.token)
    return workspace


def test_two_schedules_at_once_mail_once(
    plan_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    workspace = subscribed(plan_repo, tmp_path / "state")
    config = ServeConfig({workspace.id: workspace}, tmp_path / "state")
    start = threading.Barrier(2)

    def scheduled() -> None:
        start.wait()
        digest_all(config)

    with smtp_server() as (inbox, url), caplog.at_level(logging.INFO, logger="trackplan.serving"):
        monkeypatch.setenv(SMTP_URL_ENV, url)
        runs = [threading.Thread(target=scheduled) for _ in range(2)]
        for run in runs:
            run.start()
        for run in runs:
            run.join(60)
    assert [m["To"] for m in inbox.messages] == ["ops@example.com"]
    said = sorted(r.getMessage() for r in caplog.records)
    assert said[1] == f"digest of workspace {workspace.id}: 1 mails"
    refused = (
        f"digest of workspace {workspace.id} not sent: another digest run of main already covers "
        "[0-9: -]+ UTC to [0-9: -]+ UTC; nothing was sent"
    )
    after = f"digest of workspace {workspace.id}: 0 mails"  # the other ran after the first had finished
    assert re.fullmatch(refused, said[0]) or said[0] == after, said


def test_a_run_refused_for_a_claimed_window_sends_nothing_and_a_failed_one_gives_it_back(
    plan_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace = subscribed(plan_repo, tmp_path / "state")
    store = SubscriptionStore(tmp_path / "state")
    ws = workspace.open()
    audience = Audience(workspace.organization, workspace.id, None)
    request = DigestRequest("main", until=datetime.now(UTC).timestamp())
    monkeypatch.setenv(SMTP_URL_ENV, "smtp://127.0.0.1:9/?from=digest@example.com")  # nothing listens there
    with pytest.raises(InputError, match="^cannot send mail through 127.0.0.1:9: "):
        run_digest(ws, store, audience, request, "Test plan", smtp_config())
    assert store.last_run_end(workspace.organization, "main") is None  # the failed run gave its window back
    with smtp_server() as (inbox, url):
        monkeypatch.setenv(SMTP_URL_ENV, url)
        sent = run_digest(ws, store, audience, request, "Test plan", smtp_config())
        assert len(sent.mails) == 1
        assert store.claim_run(workspace.organization, "main", (sent.window[0], sent.window[1] + 1)) is False
    assert len(inbox.messages) == 1

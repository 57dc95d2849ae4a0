"""The digest `trackplan serve --digest-hour` runs: the next run's delay, and one run over every
workspace mailing a real SMTP server on 127.0.0.1."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.notifying.support import CHECKOUT_PLAN, add_tracking_plans, body, commit_at, smtp_server
from trackplan.errors import InputError
from trackplan.notifying.mail import SMTP_URL_ENV
from trackplan.notifying.schedule import digest_all, seconds_until, start
from trackplan.notifying.store import SubscriptionStore
from trackplan.serving.config import ServeConfig, workspace_from_plan


def test_the_next_run_is_at_the_hour_in_utc() -> None:
    assert seconds_until(7, datetime(2026, 1, 1, 6, 30, tzinfo=UTC)) == 1800
    assert seconds_until(7, datetime(2026, 1, 1, 7, 0, tzinfo=UTC)) == 86400
    assert seconds_until(0, datetime(2026, 1, 1, 23, 59, 30, tzinfo=UTC)) == 30


def test_a_scheduled_run_mails_each_workspace_s_confirmed_subscribers(
    plan_repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tracking_plans(plan_repo)
    commit_at(plan_repo, "Add tracking plans", "2025-12-30T09:00:00Z")
    event = plan_repo / "events" / "checkout-completed.yaml"
    event.write_text(event.read_text().replace("Order identifier.", "The order's identifier."))
    now = datetime.now(UTC).isoformat(timespec="seconds")
    commit_at(plan_repo, "Reword order_id", now)
    workspace = workspace_from_plan(plan_repo, None)
    store = SubscriptionStore(tmp_path / "state")
    pending = store.add(workspace.organization, CHECKOUT_PLAN, "ops@example.com", "", True)
    store.confirm(pending.subscription.id, pending.token)
    config = ServeConfig({workspace.id: workspace}, tmp_path / "state")
    with smtp_server() as (inbox, url):
        monkeypatch.setenv(SMTP_URL_ENV, url)
        digest_all(config)
        digest_all(config)  # the second run's window starts where the first ended
    [mail] = inbox.messages
    assert mail["Subject"] == "Test plan: 1 tracking plan changed"
    assert "Reword order_id" in body(mail, "plain")


def test_no_schedule_starts_without_mail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(SMTP_URL_ENV, raising=False)
    with pytest.raises(InputError, match="mail is not configured"):
        start(ServeConfig({}, tmp_path), 7, threading.Event())

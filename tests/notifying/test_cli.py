"""The operators' commands: accounts with an email, and trackplan subscriptions list, add, remove."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from tests.notifying.support import CHECKOUT_PLAN, add_tracking_plans, commit_at, smtp_server
from trackplan.notifying.mail import SMTP_URL_ENV
from trackplan.notifying.subscribing import PUBLIC_URL_ENV
from trackplan.serving.accounts import AccountStore


def test_accounts_keep_an_email_across_rotations(run_cli: CliRunnerCall, tmp_path: Path) -> None:
    state = ["--state-dir", str(tmp_path / "state")]
    added = run_cli("accounts", "add", "ci", "--email", "ci@example.com", *state)
    assert added.exit_code == 0, added.output
    run_cli("accounts", "rotate", "ci", *state)
    assert AccountStore(tmp_path / "state").accounts()["ci"].email == "ci@example.com"
    listed = run_cli("accounts", "list", *state)
    assert listed.output == "ci\tworkspace *\tscope import,export\temail ci@example.com\n"
    bad = run_cli("accounts", "add", "x", "--email", "not an address", *state)
    assert (bad.exit_code, bad.output) == (2, "trackplan: error: --email 'not an address': not an email address\n")


def test_subscriptions_add_list_and_remove(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tracking_plans(plan_repo)
    commit_at(plan_repo, "Add tracking plans", "2025-12-30T09:00:00Z")
    state = ["--state-dir", str(tmp_path / "state")]
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://plans.example.com")
    with smtp_server() as (inbox, url):
        monkeypatch.setenv(SMTP_URL_ENV, url)
        added = run_cli("-C", plan_repo, "subscriptions", "add", "Checkout", "--recipient", "ops@example.com", *state)
        assert added.exit_code == 0, added.output
    [mail] = inbox.messages
    assert (mail["To"], mail["Subject"]) == ("ops@example.com", "Confirm your subscription to Checkout")
    sub_id = added.output.split()[1].rstrip(":")
    assert added.output == f"subscription {sub_id}: confirmation mailed to ops@example.com\n"
    listed = run_cli("-C", plan_repo, "subscriptions", "list", *state)
    assert listed.output == f"{sub_id}\tplan {CHECKOUT_PLAN}\tops@example.com\tpending\tnotifications on\n"
    assert (
        run_cli("-C", plan_repo, "subscriptions", "remove", sub_id, *state).output == f"subscription {sub_id} removed\n"
    )
    gone = run_cli("-C", plan_repo, "subscriptions", "remove", sub_id, *state)
    assert gone.exit_code == 2 and "no subscription" in gone.output
    assert (tmp_path / "state" / "subscriptions.sqlite").stat().st_mode & 0o077 == 0
    assert not list(plan_repo.rglob("subscriptions.sqlite"))  # recipients never land in the plan


def test_subscriptions_add_without_mail_keeps_nothing(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_tracking_plans(plan_repo)
    commit_at(plan_repo, "Add tracking plans", "2025-12-30T09:00:00Z")
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://plans.example.com")
    monkeypatch.setenv(SMTP_URL_ENV, "smtp://127.0.0.1:1/")
    state = ["--state-dir", str(tmp_path / "state")]
    failed = run_cli("-C", plan_repo, "subscriptions", "add", "Checkout", "--recipient", "ops@example.com", *state)
    assert failed.exit_code == 2 and failed.output.startswith("trackplan: error: cannot send mail through 127.0.0.1:1")
    assert run_cli("-C", plan_repo, "subscriptions", "list", *state).output.startswith("No subscriptions")

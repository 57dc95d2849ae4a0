"""Subscriptions and the digest against a real SMTP server on 127.0.0.1: one confirmation mail,
its page's button confirms, and one digest mail per confirmed recipient, sent once."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from tests.notifying.support import (
    CHECKOUT_PLAN,
    DISCOVERY_PLAN,
    Inbox,
    add_tracking_plans,
    body,
    commit_at,
    smtp_server,
)
from tests.serving.support import UNLIMITED, Served
from trackplan.notifying.mail import SMTP_URL_ENV
from trackplan.notifying.subscribing import PUBLIC_URL_ENV
from trackplan.serving.accounts import AccountStore
from trackplan.serving.config import ServeConfig, workspace_from_plan

PUBLIC = "https://plans.example.com"


class Server:
    def __init__(self, plan: Path, state: Path) -> None:
        workspace = workspace_from_plan(plan, None)
        self.organization = workspace.organization
        self.state = state
        issued = AccountStore(state).add("ci", email="ci@example.com")
        self.auth = {"Authorization": issued.authorization}
        self.client = Served(
            plan, ServeConfig({workspace.id: workspace}, state, UNLIMITED), AccountStore(state), self.auth
        ).client()

    def subscriptions(self, plan_id: str) -> str:
        return f"/api/msc/v1/organizations/{self.organization}/data-products/v1/{plan_id}/subscriptions"

    def subscribe(self, plan_id: str, recipient: str | None = None) -> dict[str, object]:
        doc: dict[str, object] = {"reason": "Get notified on breaking changes", "receiveNotifications": True}
        if recipient is not None:
            doc["recipient"] = recipient
        answer = self.client.post(self.subscriptions(plan_id), json=doc, headers=self.auth)
        assert answer.status_code == 201, answer.text
        [created] = answer.json()["data"]
        assert isinstance(created, dict)
        return created


@pytest.fixture
def mail(monkeypatch: pytest.MonkeyPatch) -> Iterator[Inbox]:
    with smtp_server() as (inbox, url):
        monkeypatch.setenv(SMTP_URL_ENV, url)
        monkeypatch.setenv(PUBLIC_URL_ENV, PUBLIC)
        yield inbox


@pytest.fixture
def server(plan_repo: Path, tmp_path: Path) -> Server:
    add_tracking_plans(plan_repo)
    commit_at(plan_repo, "Add the Checkout and Discovery tracking plans", "2025-12-30T09:00:00Z")
    return Server(plan_repo, tmp_path / "state")


def confirm_link(inbox: Inbox, recipient: str) -> str:
    [message] = inbox.to(recipient)
    found = re.search(r"https://plans\.example\.com(/\S+)", body(message, "plain"))
    assert found is not None
    return found[1]


def test_subscribing_mails_one_confirmation_whose_page_button_confirms(server: Server, mail: Inbox) -> None:
    created = server.subscribe(CHECKOUT_PLAN)
    assert (created["recipient"], created["status"], created["dataProductId"]) == (
        "ci@example.com",
        "pending",
        CHECKOUT_PLAN,
    )
    [message] = mail.messages
    assert message["Subject"] == "Confirm your subscription to Checkout"
    link = confirm_link(mail, "ci@example.com")
    assert link.startswith(f"/organizations/{server.organization}/data-products/v1/{CHECKOUT_PLAN}/subscriptions/")

    page = server.client.get(link)  # what a mail scanner does: it confirms nothing
    assert page.status_code == 200 and '<form method="post">' in page.text
    listed = server.client.get(server.subscriptions(CHECKOUT_PLAN), headers=server.auth).json()["data"]
    assert [s["status"] for s in listed] == ["pending"]

    token = link.split("token=")[1]
    confirmed = server.client.post(
        link.split("?")[0], content=f"token={token}", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert confirmed.status_code == 200 and "Subscription confirmed" in confirmed.text
    listed = server.client.get(server.subscriptions(CHECKOUT_PLAN), headers=server.auth).json()["data"]
    assert [s["status"] for s in listed] == ["confirmed"]
    again = server.client.post(
        link.split("?")[0], content=f"token={token}", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    assert again.status_code == 403  # a token confirms once
    assert len(mail.messages) == 1


def test_resend_voids_the_old_token(server: Server, mail: Inbox) -> None:
    created = server.subscribe(CHECKOUT_PLAN, "dana@example.com")
    old = confirm_link(mail, "dana@example.com")
    resent = server.client.post(
        f"{server.subscriptions(CHECKOUT_PLAN)}/{created['id']}/actions/resend-confirmation", headers=server.auth
    )
    assert resent.status_code == 200
    _, second = mail.to("dana@example.com")
    new_token = re.search(r"token=(\S+)", body(second, "plain"))
    assert new_token is not None
    api_confirm = f"/api{server.subscriptions(CHECKOUT_PLAN).removeprefix('/api')}/{created['id']}/actions/confirm"
    assert server.client.post(api_confirm, json={"token": old.split("token=")[1]}).status_code == 403
    answer = server.client.post(api_confirm, json={"token": new_token[1]})
    assert (answer.status_code, answer.json()["data"][0]["status"]) == (200, "confirmed")


def test_a_subscription_needs_a_recipient_and_a_known_plan(server: Server, mail: Inbox) -> None:
    AccountStore(server.state).add("bot")
    bot = {"Authorization": AccountStore(server.state).rotate("bot").authorization}
    doc = {"reason": "r", "receiveNotifications": True}
    nobody = server.client.post(server.subscriptions(CHECKOUT_PLAN), json=doc, headers=bot)
    assert (nobody.status_code, nobody.json()["message"]) == (
        400,
        "No recipient: the body names none and the service account has no email",
    )
    unknown = server.client.post(
        server.subscriptions("5f0c1d2e-0000-4000-8000-000000000000"), json=doc, headers=server.auth
    )
    assert (unknown.status_code, unknown.json()["message"]) == (404, "Data product not found")
    assert mail.messages == []


def test_the_digest_mails_each_confirmed_recipient_once(
    server: Server, mail: Inbox, plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    for recipient, plans in (
        ("alice@example.com", [CHECKOUT_PLAN]),
        ("bob@example.com", [CHECKOUT_PLAN, DISCOVERY_PLAN]),
    ):
        for plan_id in plans:
            server.subscribe(plan_id, recipient)
            link = confirm_link(Inbox(mail.to(recipient)[-1:]), recipient)
            token = link.split("token=")[1]
            server.client.post(
                link.split("?")[0],
                content=f"token={token}",
                headers={"Content-Type": "application/x-www-form-urlencoded"},
            )
    server.subscribe(CHECKOUT_PLAN, "carol@example.com")  # never confirmed
    mail.messages.clear()

    event = plan_repo / "events" / "checkout-completed.yaml"
    event.write_text(event.read_text().replace("  revenue:\n    type: number", "  revenue:\n    type: string"))
    commit = commit_at(plan_repo, "Send revenue as a string", "2026-01-01T10:00:00Z")
    state = ["--state-dir", str(server.state)]
    sent = run_cli("-C", plan_repo, "digest", "--send", "--until", "2026-01-02T00:00:00Z", *state)
    assert sent.output == "2 digest mails sent (2026-01-01T00:00:00+00:00 to 2026-01-02T00:00:00+00:00)\n"
    assert sorted(m["To"] for m in mail.messages) == ["alice@example.com", "bob@example.com"]
    [alice] = mail.to("alice@example.com")
    assert alice["Subject"] == "Test plan: 1 tracking plan changed, 2 breaking changes"  # the event's, and the plan's
    text = body(alice, "plain")
    assert "Checkout (1 commit)" in text and "Discovery" not in text
    assert f"{commit[:12]} 2026-01-01 10:00 UTC Test User <test@example.com>: Send revenue as a string" in text
    changes = [line.strip() for line in text.splitlines() if line.startswith("    [")]
    assert changes[0] == "[BREAKING] Checkout Completed.revenue: type narrowed from number to string"
    # The plan's own record (TP081, its wording the tracking-plan rules'), breaking too: before the warning.
    assert changes[1].startswith("[BREAKING] tracking plan `Checkout`: event specification `Order placed`: ")
    assert changes[2:] == [
        "[warning] Checkout Completed: x-version 2-0-0 is too small for a model change; expected 3-0-0"
    ]
    assert "<strong>[BREAKING]" in body(alice, "html")
    assert f"Docs: {PUBLIC}/workspaces/test-plan/branches/main/docs" in text
    unsubscribe = alice["List-Unsubscribe"]
    assert unsubscribe.startswith(
        f"<{PUBLIC}/organizations/{server.organization}/subscriptions/actions/unsubscribe?token="
    )
    assert alice["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert "Checkout (1 commit)" in body(mail.to("bob@example.com")[0], "plain")

    rerun = run_cli("-C", plan_repo, "digest", "--send", "--until", "2026-01-03T00:00:00Z", *state)
    assert rerun.output == "0 digest mails sent (2026-01-02T00:00:00+00:00 to 2026-01-03T00:00:00+00:00)\n"
    assert len(mail.messages) == 2

    one_click = server.client.post(unsubscribe[len(PUBLIC) + 1 : -1], content="List-Unsubscribe=One-Click")
    assert one_click.status_code == 200
    again = run_cli("-C", plan_repo, "digest", "--send", "--since", "7d", "--until", "2026-01-03T00:00:00Z", *state)
    assert again.output.startswith("1 digest mail sent") and [m["To"] for m in mail.messages[2:]] == ["bob@example.com"]


def test_a_change_to_the_plan_file_alone_is_in_the_digest(
    server: Server, mail: Inbox, plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    server.subscribe(DISCOVERY_PLAN, "erin@example.com")
    link = confirm_link(mail, "erin@example.com")
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    server.client.post(link.split("?")[0], content=f"token={link.split('token=')[1]}", headers=form)
    plan_file = plan_repo / "tracking-plans" / "discovery.yaml"
    plan_file.write_text(plan_file.read_text().replace("name: Discovery", "name: Discovery\ndescription: Browsing."))
    commit_at(plan_repo, "Describe the Discovery plan", "2026-01-01T10:00:00Z")
    printed = run_cli("-C", plan_repo, "digest", "--until", "2026-01-02T00:00:00Z", "--state-dir", server.state)
    assert printed.output.startswith("To: erin@example.com\nSubject: Test plan: 1 tracking plan changed\n")
    assert "Discovery (1 commit)" in printed.output and "Describe the Discovery plan" in printed.output
    assert len(mail.messages) == 1  # --print sends nothing


def test_share_instructions_mails_the_specifications_docs_links_and_codegen(server: Server, mail: Inbox) -> None:
    path = f"/organizations/{server.organization}/data-products/v2/{DISCOVERY_PLAN}/share-instructions"
    doc = {"recipients": ["dev@example.com", "qa@example.com"], "message": "Ship it this sprint."}
    answer = server.client.post(path, json=doc, headers=server.auth)
    assert (answer.status_code, answer.json()) == (200, {"message": "Instructions sent", "sent": 2})
    assert sorted(m["To"] for m in mail.messages) == ["dev@example.com", "qa@example.com"]
    text = body(mail.to("dev@example.com")[0], "plain").replace("\r\n", "\n")
    docs = f"{PUBLIC}/workspaces/test-plan/branches/main/docs"
    assert text.startswith("Ship it this sprint.\n\nHow to implement the tracking plan 'Discovery'.")
    assert f"  Viewed: event Product Viewed ({docs}#event-product-viewed)\n" in text
    assert "  trackplan codegen --lang ts --plan Discovery -o src/tracking.ts" in text
    bad = server.client.post(f"/api/msc/v1{path}", json={"recipients": ["not-an-address"]}, headers=server.auth)
    assert (bad.status_code, len(mail.messages)) == (400, 2)

"""Snowplow's tracking-plans API (data products) in `trackplan serve`: CRUD where every write is
one commit on a plan branch, history, the organization id, and snowplow-cli's token exchange."""

from __future__ import annotations

import base64
import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.serving.support import WS, Served, git, served_plan
from trackplan.model.tracking_plans import EventSpecification, Trigger
from trackplan.repo.workspace import Workspace
from trackplan.serving.accounts import AccountStore
from trackplan.serving.config import load_config
from trackplan.serving.tokens import TokenIssuer
from trackplan.trackingplans.files import find_in, read_tracking_plans, save_tracking_plan


@pytest.fixture
def served(tmp_path: Path) -> Served:
    return served_plan(tmp_path)


def organization(served: Served) -> str:
    return served.config.workspaces[WS].organization


def products(served: Served, tail: str = "") -> str:
    return f"/api/msc/v1/organizations/{organization(served)}/data-products/v2{tail}"


def call(served: Served, method: str, url: str, json: Any = None, **headers: str) -> httpx.Response:
    with served.client() as client:
        response: httpx.Response = client.request(method, url, json=json, headers={**served.auth, **headers})
    return response


def created(served: Served, name: str = "Checkout", **fields: Any) -> dict[str, Any]:
    response = call(served, "POST", products(served), {"name": name, **fields})
    assert response.status_code == 201, response.text
    product: dict[str, Any] = response.json()["data"][0]
    return product


def secret_of(served: Served) -> str:
    return base64.b64decode(served.auth["Authorization"].split()[1]).decode().partition(":")[2]


def subject(served: Served, commit: str) -> str:
    return git(served.root, "log", "-1", "--format=%s%n%b", commit)


def test_the_organization_id_is_derived_stable_or_set_in_serve_yaml(served: Served, tmp_path: Path) -> None:
    assert organization(served) == str(uuid.uuid5(uuid.NAMESPACE_URL, "trackplan:workspace:test"))
    assert organization(served_plan(tmp_path / "again")) == organization(served)
    config = tmp_path / "serve.yaml"
    config.write_text(
        f"workspaces:\n  web: {{path: {served.root}, organization_id: F51DADA7-4F11-4B6A-BBBD-2CF6A3673035}}\n"
    )
    assert (
        load_config(config, tmp_path / "state").workspaces["web"].organization == "f51dada7-4f11-4b6a-bbbd-2cf6a3673035"
    )
    with served.client() as client:
        page = client.get("/", headers=served.auth).text
    assert f"<code>{organization(served)}</code>" in page


def test_create_with_a_name_alone_is_one_commit_on_the_plans_own_branch(served: Served) -> None:
    response = call(served, "POST", products(served), {"name": "Checkout"})
    assert response.status_code == 201
    assert response.headers["Trackplan-Branch"] == "tracking-plans/checkout"
    commit = response.headers["Trackplan-Commit"]
    assert git(served.root, "rev-parse", "tracking-plans/checkout").strip() == commit
    assert served.commits("tracking-plans/checkout") == served.commits("main") + 1
    assert subject(served, commit) == "Create tracking plan Checkout\nTrackplan-Service-Account: ci\n\n"
    product = response.json()["data"][0]
    assert {k: v for k, v in product.items() if k != "id"} == {
        "organizationId": organization(served),
        "name": "Checkout",
        "description": "",
        "domain": None,
        "owner": None,
        "accessInstructions": "",
        "status": "draft",
        "sourceApplications": [],
        "eventSpecs": [],
    }
    listed = call(served, "GET", products(served) + "?branch=tracking-plans/checkout").json()
    assert listed == {"data": [product], "includes": {"eventSpecs": []}}
    assert call(served, "GET", products(served)).json() == {"data": [], "includes": {"eventSpecs": []}}  # main


def test_a_duplicate_name_even_in_another_case_is_a_409_and_no_commit(served: Served) -> None:
    created(served, "Checkout")
    before = served.commits("tracking-plans/checkout")
    response = call(served, "POST", products(served) + "?branch=tracking-plans/checkout", {"name": "CHECKOUT"})
    assert response.status_code == 409
    assert response.json() == {
        "message": "a tracking plan named 'Checkout' already exists in tracking-plans/checkout.yaml: "
        "tracking-plan names are unique, case-insensitively",
        "warnings": [],
    }
    assert served.commits("tracking-plans/checkout") == before


@pytest.mark.parametrize("method", ["POST", "PUT"])
def test_an_update_needs_a_status_and_is_one_commit(served: Served, method: str) -> None:
    product = created(served, "Checkout", domain="Payments")
    url = products(served, f"/{product['id']}")
    missing = call(served, method, url, {"name": "Checkout", "description": "Buying"})
    assert (missing.status_code, missing.json()["message"]) == (
        400,
        "Missing status: an update needs one of draft, published, deprecated",
    )
    before = served.commits("tracking-plans/checkout")
    updated = call(served, method, url, {"name": "Checkout", "description": "Buying", "status": "published"})
    assert updated.status_code == 200, updated.text
    assert updated.headers["Trackplan-Branch"] == "tracking-plans/checkout"
    assert served.commits("tracking-plans/checkout") == before + 1
    data = updated.json()["data"][0]
    assert (data["description"], data["status"], data["domain"]) == ("Buying", "published", "Payments")
    bad = call(served, method, url, {"name": "Checkout", "status": "live"})
    assert bad.json()["message"] == "Invalid status 'live': use one of draft, published, deprecated"


def test_delete_is_one_commit_and_the_plan_is_gone(served: Served) -> None:
    product = created(served)
    url = products(served, f"/{product['id']}")
    deleted = call(served, "DELETE", url)
    assert (deleted.status_code, deleted.content) == (204, b"")
    assert subject(served, deleted.headers["Trackplan-Commit"]).startswith("Delete tracking plan Checkout\n")
    assert find_in(read_tracking_plans(Workspace(served.root), "tracking-plans/checkout"), product["id"]) is None
    again = call(served, "GET", url + "?branch=tracking-plans/checkout")
    assert (again.status_code, again.json()["message"]) == (404, "Data product not found")


def test_main_is_protected_and_an_unknown_plan_or_organization_is_a_404(served: Served) -> None:
    refused = call(served, "POST", products(served) + "?branch=main", {"name": "Checkout"})
    assert refused.status_code == 403
    assert served.commits("main") == 1
    for url in (
        products(served, f"/{uuid.uuid4()}"),
        products(served, "/not-a-uuid"),
        f"/api/msc/v1/organizations/{uuid.uuid4()}/data-products/v2",
    ):
        response = call(served, "GET", url)
        assert response.status_code == 404, url
    assert (
        call(served, "PUT", products(served, f"/{uuid.uuid4()}"), {"name": "x", "status": "draft"}).status_code == 404
    )
    assert call(served, "POST", products(served), ["not", "an", "object"]).status_code == 400
    assert (
        call(served, "POST", products(served), {"name": ""}).json()["message"]
        == "Invalid name: expected a non-empty string"
    )


def test_the_listing_includes_each_specification_with_its_event_uri(served: Served) -> None:
    ws = Workspace(served.root)
    product = created(served, "Checkout", sourceApplications=["web", "ios"])
    plan = find_in(read_tracking_plans(ws, "tracking-plans/checkout"), product["id"])
    assert plan is not None
    spec = EventSpecification(
        id=uuid.UUID(int=1),
        name="Opened",
        event="Signed Up",
        triggers=(Trigger(uuid.UUID(int=2), "on load"),),
        excluded_source_applications=("ios",),
    )
    save_tracking_plan(ws, plan.plan.with_specification(spec), "tracking-plans/checkout", "Add a specification")
    body = call(served, "GET", products(served, f"/{product['id']}?branch=tracking-plans/checkout")).json()
    assert body["data"][0]["eventSpecs"] == [
        {
            "id": str(spec.id),
            "url": f"http://testserver/api/msc/v1/organizations/{organization(served)}/event-specs/v1/{spec.id}",
        }
    ]
    assert body["includes"]["eventSpecs"] == [
        {
            "id": str(spec.id),
            "dataProductId": product["id"],
            "name": "Opened",
            "description": "",
            "status": "draft",
            "sourceApplications": ["web"],
            "excludedSourceApplications": ["ios"],
            "triggers": [{"id": str(uuid.UUID(int=2)), "description": "on load"}],
            "event": {"source": "Signed Up"},  # the plan has no such event: the name as written
            "entities": {"tracked": [], "enriched": []},
        }
    ]


def test_history_pages_the_plans_commits(served: Served) -> None:
    product = created(served)
    url = products(served, f"/{product['id']}")
    for status in ("published", "deprecated"):
        assert call(served, "PUT", url, {"name": "Checkout", "status": status}).status_code == 200
    log = git(served.root, "log", "--format=%H", "-3", "tracking-plans/checkout").split()
    history = url + "/history?branch=tracking-plans/checkout"
    records = call(served, "GET", history).json()["data"]
    assert [r["commit"] for r in records] == log
    assert [r["commit"] for r in call(served, "GET", history + "&order=asc&limit=2").json()["data"]] == log[::-1][:2]
    assert [r["commit"] for r in call(served, "GET", history + "&offset=1&limit=1").json()["data"]] == log[1:2]
    assert call(served, "GET", history + "&before=2000-01-01T00:00:00Z").json() == {"data": []}
    for query, message in (
        ("&limit=-1", "Invalid limit '-1': expected a whole number of 0 or more"),
        ("&order=up", "Invalid order 'up': use asc or desc"),
        ("&before=yesterday", "Invalid before 'yesterday': expected an ISO-8601 timestamp"),
    ):
        response = call(served, "GET", history + query)
        assert (response.status_code, response.json()["message"]) == (400, message)
    assert call(served, "GET", products(served, f"/{uuid.uuid4()}/history")).status_code == 404


def test_snowplow_cli_exchanges_its_key_for_a_bearer_token(served: Served) -> None:
    token_url = f"/api/msc/v1/organizations/{organization(served)}/credentials/v3/token"
    with served.client() as client:
        wrong = client.get(token_url, headers={"X-API-KEY-ID": "ci", "X-API-KEY": "wrong"})
        token = client.get(token_url, headers={"X-API-KEY-ID": "ci", "X-API-KEY": secret_of(served)})
        assert wrong.status_code == 401
        assert token.status_code == 200
        bearer = {"Authorization": "Bearer " + token.json()["accessToken"]}
        assert client.post(products(served), json={"name": "Checkout"}, headers=bearer).status_code == 201
        other_org = f"/api/msc/v1/organizations/{uuid.uuid4()}/data-products/v2"
        assert client.get(other_org, headers=bearer).status_code == 404
        assert client.get(products(served), headers={"Authorization": "Bearer forged.token.here"}).status_code == 401
        assert client.get(products(served)).status_code == 401
        served.accounts.rotate("ci")  # a new secret ends the tokens issued for the old one
        assert client.get(products(served), headers=bearer).status_code == 401
    assert secret_of(served) not in (served.config.state_dir / "accounts.json").read_text()


def test_a_token_expires_and_names_one_organization(tmp_path: Path) -> None:
    now = [1_000_000.0]
    issuer = TokenIssuer(lifetime=60, clock=lambda: now[0])
    store = AccountStore(tmp_path / "state")
    account = store.add("ci").account
    token = issuer.issue(account, "org-a")
    assert issuer.verify(token, "org-a", store.accounts()) == account
    assert issuer.verify(token, "org-b", store.accounts()) is None
    assert issuer.verify(token[:-2] + "AA", "org-a", store.accounts()) is None
    now[0] += 60
    assert issuer.verify(token, "org-a", store.accounts()) is None
    assert TokenIssuer().verify(issuer.issue(account, "org-a"), "org-a", store.accounts()) is None  # another server


def test_the_start_up_lines_name_the_organization_and_a_real_server_answers(served: Served) -> None:
    command = [sys.executable, "-m", "trackplan", "serve", "--port", "0", "--state-dir", str(served.config.state_dir)]
    server = subprocess.Popen(command, cwd=served.root, stdout=subprocess.PIPE, text=True)
    try:
        assert server.stdout is not None
        server.stdout.readline()  # the workspace's export URL
        line = server.stdout.readline().strip()
        org = organization(served)
        assert re.fullmatch(
            rf"workspace test organization {org}: http://127\.0\.0\.1:\d+/api/msc/v1/organizations/{org}/data-products/v2",
            line,
        )
        with httpx.Client(headers=served.auth) as client:
            assert client.get(line.split(": ", 1)[1]).json() == {"data": [], "includes": {"eventSpecs": []}}
    finally:
        server.terminate()
        server.wait(10)

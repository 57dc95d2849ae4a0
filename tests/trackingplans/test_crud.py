"""`trackplan plans` writes: each one commit on the branch, through the import's guards."""

from __future__ import annotations

import json
from pathlib import Path

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import commits, git, plans
from trackplan.trackingplans.schema import SCHEMA_BYTES

BRANCH = "plans/checkout"


def test_the_protected_main_branch_is_refused_and_nothing_is_written(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    before = commits(plan_repo)
    result = run_cli("-C", plan_repo, "plans", "create", "Checkout")
    assert (result.exit_code, result.stdout) == (3, "")
    assert result.stderr.startswith("trackplan: error: branch 'main' is protected")
    assert commits(plan_repo) == before
    assert not (plan_repo / "tracking-plans").exists()
    assert git(plan_repo, "status", "--porcelain") == ""


def test_create_writes_one_commit_with_a_draft_plan_its_schema_and_the_editor_comment(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    before = commits(plan_repo, "main")
    created = plans(
        run_cli, plan_repo, "create", "Checkout", "--domain", "Payments", "--owner", "Payments",
        "--description", "Orders.", "--access-instructions", "atomic.events", "--source", "web", "--branch", BRANCH,
    )  # fmt: skip
    plan = created["trackingPlan"]
    assert (created["command"], created["branch"], created["path"]) == (
        "plans create",
        BRANCH,
        "tracking-plans/checkout.yaml",
    )
    assert created["commit"] == git(plan_repo, "rev-parse", BRANCH).strip()
    assert commits(plan_repo, BRANCH) == before + 1
    assert {k: v for k, v in plan.items() if k != "id"} == {
        "name": "Checkout",
        "description": "Orders.",
        "accessInstructions": "atomic.events",
        "domain": "Payments",
        "owner": "Payments",
        "status": "draft",
        "sourceApplications": ["web"],
        "eventSpecifications": [],
    }
    assert git(plan_repo, "show", "--name-status", "--format=%B", BRANCH).splitlines() == [
        "Add tracking plan Checkout",
        "",
        f"Trackplan-Tracking-Plan: {plan['id']}",
        "",
        "",
        "A\ttracking-plans/.schema.json",
        "A\ttracking-plans/checkout.yaml",
    ]
    text = git(plan_repo, "show", f"{BRANCH}:tracking-plans/checkout.yaml")
    assert text.splitlines()[:3] == [
        "# yaml-language-server: $schema=.schema.json",
        f"id: {plan['id']}",
        "name: Checkout",
    ]
    assert git(plan_repo, "show", f"{BRANCH}:tracking-plans/.schema.json").encode() == SCHEMA_BYTES


def test_update_status_add_spec_and_delete_each_write_one_commit(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    steps = [
        ("update", "checkout", "--owner", "Payments", "--domain", "Payments"),
        ("add-spec", "Checkout", "--event", "Checkout Completed", "--trigger", "Order confirmed", "--app-id", "shop"),
        ("add-spec", "Checkout", "--event", "Product Viewed", "--spec-name", "Browsing"),
        ("status", "Checkout", "published", "--spec", "browsing"),
        ("status", "CHECKOUT", "published"),
    ]
    for step in steps:
        before = commits(plan_repo, BRANCH)
        plans(run_cli, plan_repo, *step, "--branch", BRANCH)
        assert commits(plan_repo, BRANCH) == before + 1, step
    shown = plans(run_cli, plan_repo, "show", "checkout", "--branch", BRANCH)["trackingPlan"]
    assert (shown["status"], shown["owner"], shown["domain"]) == ("published", "Payments", "Payments")
    specs = shown["eventSpecifications"]
    assert [(s["name"], s["event"], s["status"]) for s in specs] == [
        ("Checkout Completed", "Checkout Completed", "draft"),
        ("Browsing", "Product Viewed", "published"),
    ]
    assert [(t["description"], t["appIds"]) for t in specs[0]["triggers"]] == [("Order confirmed", ["shop"])]
    assert git(plan_repo, "log", "--format=%s", "-5", BRANCH).splitlines() == [
        "Set tracking plan Checkout to published",
        "Set event specification Browsing of tracking plan Checkout to published",
        "Add event specification Browsing to tracking plan Checkout",
        "Add event specification Checkout Completed to tracking plan Checkout",
        "Update tracking plan Checkout: domain, owner",
    ]
    before = commits(plan_repo, BRANCH)
    deleted = plans(run_cli, plan_repo, "delete", shown["id"], "--branch", BRANCH)
    assert (deleted["path"], deleted["trackingPlan"], commits(plan_repo, BRANCH)) == (
        "tracking-plans/checkout.yaml", None, before + 1
    )  # fmt: skip
    assert git(plan_repo, "ls-tree", "--name-only", f"{BRANCH}:tracking-plans") == ".schema.json\n"
    assert plans(run_cli, plan_repo, "list", "--branch", BRANCH)["trackingPlans"] == []


def test_a_write_that_changes_nothing_makes_no_commit(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    before = commits(plan_repo, BRANCH)
    same = plans(run_cli, plan_repo, "status", "Checkout", "draft", "--branch", BRANCH)
    assert (same["commit"], commits(plan_repo, BRANCH)) == (None, before)
    result = run_cli("-C", plan_repo, "plans", "status", "Checkout", "draft", "--branch", BRANCH)
    assert result.stdout == "Tracking plan 'Checkout' on 'plans/checkout' is already so; nothing to commit.\n"


def test_refused_writes_exit_2_and_leave_the_branch(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    head = git(plan_repo, "rev-parse", BRANCH)
    refusals = {
        ("add-spec", "Checkout", "--event", "Order Placed"): "--event 'Order Placed': no such event on "
        "'plans/checkout' (give an event name or an Iglu URI)",
        ("update", "Checkout", "--domain", "Marketing"): "--domain 'Marketing' is not one of trackplan.yaml's "
        "domains (Discovery, Growth, Payments)",
        ("show", "Nope"): "no tracking plan 'Nope' at plans/checkout; known tracking plans: 'Checkout'",
        ("delete", "Nope"): "no tracking plan 'Nope' on 'plans/checkout'; known tracking plans: 'Checkout'",
        ("status", "Checkout", "published", "--spec", "Nope"): "tracking plan 'Checkout' has no event "
        "specification 'Nope'; it has: none",
    }
    for args, message in refusals.items():
        refused = plans(run_cli, plan_repo, *args, "--branch", BRANCH, exit_code=2)
        assert refused["message"] == message
    assert git(plan_repo, "rev-parse", BRANCH) == head


def test_an_iglu_uri_names_the_event_of_that_vendor_name_and_version(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    uri = "iglu:com.example/Checkout_Completed/jsonschema/2-0-0"
    added = plans(run_cli, plan_repo, "add-spec", "Checkout", "--event", uri, "--branch", BRANCH)
    assert [s["event"] for s in added["trackingPlan"]["eventSpecifications"]] == [uri]
    wrong = uri.replace("2-0-0", "1-0-0")
    plans(run_cli, plan_repo, "add-spec", "Checkout", "--event", wrong, "--branch", BRANCH, exit_code=2)


def test_a_rewrite_keeps_comments_and_key_order(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    git(plan_repo, "checkout", "-q", "-b", BRANCH)
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    file = plan_repo / "tracking-plans" / "checkout.yaml"
    lines = file.read_text().splitlines()
    assert lines[1].startswith("id: ")
    # People move keys and write comments; a rewrite keeps both.
    edited = [lines[0], "# Owned by the payments team.", "name: Checkout", lines[1], *lines[3:]]
    file.write_text("\n".join(edited).replace("status: draft", "status: draft  # until launch") + "\n")
    git(plan_repo, "commit", "-qam", "Comment the plan")
    plans(run_cli, plan_repo, "update", "Checkout", "--owner", "Payments", "--branch", BRANCH)
    text = file.read_text()
    assert text.splitlines()[:4] == [lines[0], "# Owned by the payments team.", "name: Checkout", lines[1]]
    assert "status: draft  # until launch\n" in text and "owner: Payments\n" in text
    assert git(plan_repo, "status", "--porcelain") == ""  # the checked-out branch's work tree followed


def test_list_and_show_in_text(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    created = plans(run_cli, plan_repo, "create", "Checkout", "--domain", "Payments", "--branch", BRANCH)
    plans(
        run_cli,
        plan_repo,
        "add-spec",
        "Checkout",
        "--event",
        "Checkout Completed",
        "--trigger",
        "Paid",
        "--branch",
        BRANCH,
    )
    listed = run_cli("-C", plan_repo, "plans", "list", "--branch", BRANCH)
    assert listed.stdout == (
        "Checkout  draft       domain=Payments  owner=-  1 specification  tracking-plans/checkout.yaml\n"
        "1 tracking plan at plans/checkout\n"
    )
    shown = run_cli("-C", plan_repo, "plans", "show", created["trackingPlan"]["id"], "--branch", BRANCH)
    assert shown.stdout == (
        f"Checkout (draft)\nid: {created['trackingPlan']['id']}\nfile: tracking-plans/checkout.yaml\n"
        "domain: Payments\nevent specifications: 1\n"
        "  - Checkout Completed (draft): event Checkout Completed\n      trigger: Paid\n"
    )
    assert json.loads(run_cli("-C", plan_repo, "plans", "list", "--format", "json").stdout)["trackingPlans"] == []

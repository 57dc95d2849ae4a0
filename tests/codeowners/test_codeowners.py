"""`trackplan codeowners`: the managed block of .github/CODEOWNERS from domain and tracking-plan
owners, kept last in the file; `--check` and `ci` fail when it is stale."""

from __future__ import annotations

import subprocess
from pathlib import Path
from uuid import UUID

from tests.helpers import CliRunnerCall
from trackplan.codeowners.run import BEGIN, END, pattern
from trackplan.model.tracking_plans import EventSpecification, TrackingPlan
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import PlanChange, PlanEdit, commit_tracking_plans

DOMAINS = """domains:
  - name: Growth
    github: "@acme/growth"
  - name: Payments
    github: "@acme/payments"
  - name: Discovery
"""


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def owned_plan(root: Path) -> Path:
    """plan-template with GitHub owners for two of its three domains, and two tracking plans on main."""
    settings = root / "trackplan.yaml"
    text = settings.read_text()
    settings.write_text(text.replace("domains:\n  - name: Growth\n  - name: Payments\n  - name: Discovery\n", DOMAINS))
    git(root, "commit", "-qam", "Domain owners")
    checkout = TrackingPlan(
        id=UUID(int=1),
        name="Checkout",
        owner="@acme/checkout",
        domain="Payments",
        event_specifications=(
            EventSpecification(UUID(int=2), "Paid", "Checkout Completed"),
            EventSpecification(UUID(int=3), "Looked", "iglu:com.example/Product_Viewed/jsonschema/1-1-0"),
        ),
    )
    onboarding = TrackingPlan(
        id=UUID(int=4),
        name="Onboarding",
        owner="Growth",  # a domain: its GitHub owner
        event_specifications=(EventSpecification(UUID(int=5), "Joined", "Signed Up"),),
    )
    edit = PlanEdit((PlanChange(checkout.id, checkout), PlanChange(onboarding.id, onboarding)), "Tracking plans")
    # Straight onto main, as a merged pull request leaves it; main's guard is for the tool's own writes.
    git(root, "checkout", "-qb", "plans")
    commit_tracking_plans(Workspace(root), "plans", lambda _: edit)
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "plans")
    return root / ".github" / "CODEOWNERS"


def test_the_block_names_each_file_with_its_domain_and_the_plans_that_reference_it(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    target = owned_plan(plan_repo)
    target.parent.mkdir(exist_ok=True)
    target.write_text("# Everything else\n* @acme/platform\n")
    result = run_cli("-C", plan_repo, "codeowners")
    assert result.exit_code == 0, result.output
    assert result.stdout == "wrote .github/CODEOWNERS: 6 files owned\n"
    assert target.read_text() == (
        "# Everything else\n* @acme/platform\n\n"
        f"{BEGIN}\n"
        "/events/checkout-completed.yaml @acme/payments @acme/checkout\n"
        "/events/product-viewed.yaml @acme/checkout\n"
        "/events/signed-up.yaml @acme/growth\n"
        "/events/subscription-cancelled.yaml @acme/payments\n"
        "/tracking-plans/checkout.yaml @acme/checkout @acme/payments\n"
        "/tracking-plans/onboarding.yaml @acme/growth\n"
        f"{END}\n"
    )
    # Discovery has no GitHub owner: search-performed.yaml gets no line, so `*` above still owns it.
    again = run_cli("-C", plan_repo, "codeowners", "--check")
    assert (again.exit_code, again.stdout) == (0, ".github/CODEOWNERS is up to date with the plan at HEAD\n")


def test_check_fails_when_the_owners_changed_or_the_block_is_not_last(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    target = owned_plan(plan_repo)
    assert run_cli("-C", plan_repo, "codeowners").exit_code == 0
    written = target.read_text()
    target.write_text(written + "/events/ @acme/someone-else\n")  # after the block, it would win
    stale = run_cli("-C", plan_repo, "codeowners", "--check")
    assert stale.exit_code == 1
    assert stale.stdout.startswith(".github/CODEOWNERS is stale:")
    assert target.read_text() == written + "/events/ @acme/someone-else\n"  # --check writes nothing
    assert run_cli("-C", plan_repo, "codeowners").exit_code == 0
    assert target.read_text() == "/events/ @acme/someone-else\n\n" + written
    settings = plan_repo / "trackplan.yaml"
    settings.write_text(settings.read_text().replace('"@acme/growth"', '"@acme/growth-team"'))
    git(plan_repo, "commit", "-qam", "Growth has a new team")
    assert run_cli("-C", plan_repo, "codeowners", "--check").exit_code == 1


def test_no_owners_and_no_file_is_up_to_date(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "codeowners", "--check")
    assert (result.exit_code, result.stdout) == (0, ".github/CODEOWNERS is up to date with the plan at HEAD\n")
    assert run_cli("-C", plan_repo, "codeowners").exit_code == 0
    assert not (plan_repo / ".github" / "CODEOWNERS").exists()


def test_an_owner_that_is_no_github_owner_is_named_and_left_out(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    owned_plan(plan_repo)
    plan = TrackingPlan(id=UUID(int=9), name="Search", owner="the search people")
    git(plan_repo, "checkout", "-qb", "search")
    commit_tracking_plans(Workspace(plan_repo), "search", lambda _: PlanEdit((PlanChange(plan.id, plan),), "Search"))
    result = run_cli("-C", plan_repo, "codeowners")
    assert result.exit_code == 0
    assert result.stderr == (
        "trackplan: note: tracking plan 'Search': owner 'the search people' is no GitHub owner and no domain of "
        "trackplan.yaml\n"
    )


def test_ci_fails_while_the_committed_block_is_stale(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    target = owned_plan(plan_repo)
    base = git(plan_repo, "rev-parse", "HEAD").strip()
    git(plan_repo, "checkout", "-qb", "feature")
    stale = run_cli("-C", plan_repo, "ci", "--base", base, "--no-comment")
    assert stale.exit_code == 1
    assert "::error file=.github/CODEOWNERS::.github/CODEOWNERS is stale:" in stale.stdout
    assert run_cli("-C", plan_repo, "codeowners").exit_code == 0
    git(plan_repo, "add", str(target))
    git(plan_repo, "commit", "-qm", "CODEOWNERS from the plan")
    fresh = run_cli("-C", plan_repo, "ci", "--base", base, "--no-comment")
    assert fresh.exit_code == 0, fresh.output
    assert "CODEOWNERS" not in fresh.stdout


def test_a_pattern_names_exactly_one_file() -> None:
    assert pattern("events/a b#[x]*?.yaml") == r"/events/a\ b\#\[x\]\*\?.yaml"
    assert pattern("plan/events/signed-up.yaml") == "/plan/events/signed-up.yaml"

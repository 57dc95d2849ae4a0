"""`validate` checks tracking-plan files with the plan's own files, and takes them as paths as
pre-commit passes them."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import git, plans


def test_a_tracking_plan_file_is_validated_and_counted(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    git(plan_repo, "checkout", "-q", "-b", "plans/lint")
    plans(run_cli, plan_repo, "create", "Checkout", "--domain", "Payments", "--owner", "Payments")
    whole = run_cli("-C", plan_repo, "validate")
    assert (whole.exit_code, whole.stdout) == (0, "8 files checked: 0 errors, 0 warnings, 0 info\n")
    file = plan_repo / "tracking-plans" / "checkout.yaml"
    file.write_text(file.read_text().replace("domain: Payments", "domain: Marketing"))
    event = plan_repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("x-owner: Growth", "x-owner: Growht"))
    one = run_cli("-C", plan_repo, "validate", "tracking-plans/checkout.yaml")
    assert one.exit_code == 1
    assert one.stdout.splitlines() == [
        "tracking-plans/checkout.yaml:6:1: error TP144 domain `Marketing` is not in trackplan.yaml "
        "(domains: Discovery, Growth, Payments) (Add the domain to trackplan.yaml's `domains`, or use one listed there.)",
        "1 file checked: 1 error, 0 warnings, 0 info",
    ]

"""Tracking-plan names: unique case-insensitively, and safe as file names whatever they hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from tests.trackingplans.support import commits, git, plans

BRANCH = "plans/names"


@pytest.mark.parametrize("clash", ["Checkout", "checkout", "CHECKOUT", "  checkout  ".strip()])
def test_a_duplicate_name_even_in_another_case_is_refused_naming_the_file(
    plan_repo: Path, run_cli: CliRunnerCall, clash: str
) -> None:
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    before = commits(plan_repo, BRANCH)
    refused = plans(run_cli, plan_repo, "create", clash, "--branch", BRANCH, exit_code=2)
    assert refused["message"] == (
        "a tracking plan named 'Checkout' already exists in tracking-plans/checkout.yaml: "
        "tracking-plan names are unique, case-insensitively"
    )
    assert commits(plan_repo, BRANCH) == before


def test_a_rename_onto_another_plans_name_is_refused_and_a_case_change_is_not(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    plans(run_cli, plan_repo, "create", "Checkout", "--branch", BRANCH)
    plans(run_cli, plan_repo, "create", "Search", "--branch", BRANCH)
    refused = plans(run_cli, plan_repo, "update", "Search", "--name", "CheckOut", "--branch", BRANCH, exit_code=2)
    assert refused["message"].startswith(
        "a tracking plan named 'Checkout' already exists in tracking-plans/checkout.yaml"
    )
    recased = plans(run_cli, plan_repo, "update", "Checkout", "--name", "CHECKOUT", "--branch", BRANCH)
    assert (recased["path"], recased["previousPath"]) == ("tracking-plans/checkout.yaml", None)


def test_names_that_slug_alike_get_separate_files_on_a_case_insensitive_disk(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    first = plans(run_cli, plan_repo, "create", "Sign Up", "--branch", BRANCH)
    second = plans(run_cli, plan_repo, "create", "sign_up", "--branch", BRANCH)
    third = plans(run_cli, plan_repo, "create", "signUp!", "--branch", BRANCH)
    paths = [first["path"], second["path"], third["path"]]
    assert paths[0] == "tracking-plans/sign-up.yaml"
    assert all(
        p.startswith("tracking-plans/sign-up-") and len(p) == len("tracking-plans/sign-up-12345678.yaml")
        for p in paths[1:]
    )
    assert len({p.lower() for p in paths}) == 3


HOSTILE = [
    "../../etc/passwd",
    "tracking-plans/../trackplan.yaml",
    "CON",
    "nul.txt",
    "名前のない計画",
    "line\nbreak",
    "-rf --branch main",
    ".schema",
    "a" * 300,
    "$(touch pwned)",
]


@pytest.mark.parametrize("name", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_names_stay_in_one_safe_file_and_read_back_exactly(
    plan_repo: Path, run_cli: CliRunnerCall, name: str
) -> None:
    created = plans(run_cli, plan_repo, "create", "--branch", BRANCH, "--", name)
    path = created["path"]
    folder, _, file_name = path.rpartition("/")
    assert folder == "tracking-plans" and file_name.endswith(".yaml") and not file_name.startswith(".")
    stem = file_name.removesuffix(".yaml")
    assert stem not in ("con", "prn", "aux", "nul") and len(stem) <= 89
    assert all(c.isascii() and (c.isalnum() or c == "-") for c in stem)
    changed = git(plan_repo, "show", "--name-only", "--format=", BRANCH).split()
    assert changed == ["tracking-plans/.schema.json", path]
    shown = plans(run_cli, plan_repo, "show", created["trackingPlan"]["id"], "--branch", BRANCH)
    assert shown["trackingPlan"]["name"] == name
    assert plans(run_cli, plan_repo, "show", "--branch", BRANCH, "--", name.upper())["trackingPlan"]["path"] == path
    assert not (plan_repo.parent / "pwned").exists() and not (plan_repo / "pwned").exists()


def test_a_blank_name_is_refused(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    refused = plans(run_cli, plan_repo, "create", "   ", "--branch", BRANCH, exit_code=2)
    assert refused["message"] == "a tracking plan needs a name that is not blank"

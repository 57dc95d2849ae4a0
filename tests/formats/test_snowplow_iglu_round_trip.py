"""Our own Iglu export re-imported: the same events, "No changes", no byte of the branch moved.
An Iglu name has no spaces (`Checkout Completed` is exported as `Checkout_Completed`), so an
incoming schema is named as the plan's event of the same vendor and Iglu name."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan.formats import read_source
from trackplan.formats.base import InputFile
from trackplan.formats.snowplow import plan_names, self_describing


def branch_state(root: Path, branch: str) -> tuple[str, str]:
    """The branch's commit and every file's blob id in it."""

    def git(*args: str) -> str:
        return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout

    return git("rev-parse", branch), git("ls-tree", "-r", branch)


TARGETS = [("snowplow", "schemas.json"), ("snowplow", "folder/"), ("snowplow-ds", "data-structures/")]


def assert_round_trip(run_cli: CliRunnerCall, repo: Path, branch: str, out: Path, fmt: str, method: str) -> None:
    before = branch_state(repo, branch)
    exported = run_cli("-C", repo, "export", "--ref", branch, "--to", fmt, "-o", out)
    assert exported.exit_code == 0, exported.output
    again = run_cli("-C", repo, "import", "--from", fmt, out, "--branch", branch, "--method", method)
    assert again.exit_code == 0, again.output
    assert again.output == f"No changes: the plan on '{branch}' already matches {out}; nothing committed.\n"
    assert branch_state(repo, branch) == before


@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove"])
@pytest.mark.parametrize(("fmt", "target"), TARGETS)
def test_the_bundled_plan_re_imports_unchanged(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, method: str, fmt: str, target: str
) -> None:
    subprocess.run(["git", "branch", "plans"], cwd=plan_repo, check=True)  # main is protected
    assert_round_trip(run_cli, plan_repo, "plans", tmp_path / target, fmt, method)


@pytest.mark.corpus
@pytest.mark.parametrize(("fmt", "target"), TARGETS)
def test_an_avo_corpus_plan_re_imports_unchanged(tmp_path: Path, run_cli: CliRunnerCall, fmt: str, target: str) -> None:
    source = corpus("avo", "export-example.json")
    repo = tmp_path / "p"
    assert run_cli("init", repo, "--empty").exit_code == 0
    imported = run_cli("-C", repo, "import", source, "--branch", "avo")
    assert imported.exit_code == 0, imported.output
    assert_round_trip(run_cli, repo, "avo", tmp_path / target, fmt, "addOnly")


PLAN = {  # the plan's events: their parsed files, as far as an Iglu identity goes
    "Checkout Completed": {},
    "Signed Up": {"x-vendor": "com.other"},
    "a b": {},
    "a.b": {},
    "Order Placed": {"x-schema-name": "order"},
    "Tapped": {},
}


@pytest.mark.parametrize(
    ("vendor", "schema", "named"),
    [
        ("com.example", "Checkout_Completed", "Checkout Completed"),  # as the export names it
        ("com.else", "Checkout_Completed", "Checkout_Completed"),  # another vendor's schema: a new event
        ("com.other", "Signed_Up", "Signed Up"),  # the event's own vendor
        ("com.example", "Signed_Up", "Signed_Up"),
        ("com.example", "a_b", "a_b"),  # two events are a_b: neither is chosen
        ("com.example", "Order_Placed", "Order_Placed"),  # that event's Iglu name is `order`
        ("com.example", "Tapped", "Tapped"),  # the plan's own name
    ],
)
def test_an_iglu_schema_is_named_as_the_plan_event_of_its_identity(vendor: str, schema: str, named: str) -> None:
    doc = {"self": {"vendor": vendor, "name": schema, "format": "jsonschema", "version": "1-0-0"}, "properties": {}}
    incoming = read_source(InputFile(json.dumps({"eventSchemas": [doc]}).encode(), "in.json")).plan
    read: list[str] = []

    def document(name: str) -> dict[str, str]:
        read.append(name)
        return PLAN[name]

    plan = plan_names(incoming, PLAN, document, "com.example")
    assert [e.name for e in plan.events] == [named]
    assert "x-schema-name" not in plan.events[0].extra
    assert self_describing(plan.events[0], None, "com.example")["self"]["name"] == schema  # exported as it came
    assert set(read) <= {"Checkout Completed", "Signed Up", "a b", "a.b", "Order Placed"}

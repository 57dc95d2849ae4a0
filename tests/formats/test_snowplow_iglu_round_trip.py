"""Our own Iglu export re-imported: the same events, "No changes", no byte of the branch moved;
an event name an Iglu name cannot carry travels as `x-event-name`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan.formats import read_source
from trackplan.formats.base import InputFile
from trackplan.formats.snowplow import self_describing
from trackplan.model import Event


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


@pytest.mark.parametrize(
    ("name", "written"),
    [
        ("Checkout Completed", "Checkout Completed"),  # a space: Iglu's name is Checkout_Completed
        ("Café opened", "Café opened"),
        ("signup_click", None),  # the Iglu name itself
        ("com.a/location", None),  # a name qualified by its vendor, as the import makes it
    ],
)
def test_the_event_name_is_written_only_when_the_iglu_name_cannot_carry_it(name: str, written: str | None) -> None:
    extra = {"x-vendor": "com.a", "x-schema-name": "location"} if "/" in name else {"x-vendor": "com.a"}
    schema = self_describing(Event(name=name, extra=extra), None, "app.avo")  # type: ignore[arg-type]
    assert schema.get("x-event-name") == written
    back = read_source(InputFile(json.dumps({"eventSchemas": [schema]}).encode(), "in.json")).plan.events[0]
    assert back.name == (name if "/" not in name else "location")
    assert "x-event-name" not in back.extra and "x-schema-name" not in back.extra

"""Golden files: the TypeScript and Python generated for plan-template's web source and for a
plan written to break code generators (tests/data/codegen/hostile), byte for byte.

`TRACKPLAN_UPDATE_GOLDEN=1 pytest tests/codegen` rewrites them; the diff is then reviewed
like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.support import assert_golden, git
from tests.helpers import CliRunnerCall

LANGUAGES = [("ts", "ts"), ("python", "py")]


@pytest.mark.parametrize(("lang", "suffix"), LANGUAGES)
def test_plan_template_web_source(plan_repo: Path, run_cli: CliRunnerCall, lang: str, suffix: str) -> None:
    result = run_cli("-C", plan_repo, "codegen", "--lang", lang, "--source", "web")
    assert result.exit_code == 0, result.output
    assert result.stderr == ""
    commit = git(plan_repo, "rev-parse", "HEAD")
    assert f"Commit:   {commit}\n" in result.stdout
    assert_golden(f"template-web.{suffix}", result.stdout, commit)


@pytest.mark.parametrize(("lang", "suffix"), LANGUAGES)
def test_hostile_plan(hostile_repo: Path, run_cli: CliRunnerCall, lang: str, suffix: str) -> None:
    result = run_cli("-C", hostile_repo, "codegen", "--lang", lang)
    assert result.exit_code == 0, result.output
    assert_golden(f"hostile.{suffix}", result.stdout, git(hostile_repo, "rev-parse", "HEAD"))


def test_names_that_collide_are_noted(hostile_repo: Path, run_cli: CliRunnerCall) -> None:
    ts = run_cli("-C", hostile_repo, "codegen", "--lang", "ts")
    assert ts.stderr.splitlines() == [
        "trackplan: note: event '42_--terrible==\\\\\"event\\'++name~!3' would be _42TerribleEventName3 but event "
        "'42_--terrible==\"event\\'++name~!3' makes the same name: it gets _42TerribleEventName3_2",
        "trackplan: note: event 'Setup' would be setup but the generated code uses that name: it gets setup_2",
    ]
    python = run_cli("-C", hostile_repo, "codegen", "--lang", "python")
    assert python.stderr.splitlines()[2] == (
        "trackplan: note: the function and the type of event '購入完了' would both be 購入完了; the type is 購入完了_2"
    )


def test_the_same_plan_gives_the_same_bytes(hostile_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    first = run_cli("-C", hostile_repo, "codegen", "--lang", "ts").stdout
    written = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "-o", tmp_path / "tracking.ts")
    assert written.exit_code == 0
    assert written.stderr.endswith(f"wrote {tmp_path / 'tracking.ts'}: 9 events\n")
    assert (tmp_path / "tracking.ts").read_text(encoding="utf-8") == first

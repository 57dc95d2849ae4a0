"""Inputs that are no plan: one line naming the file and what it looks like, exit 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall

TRIED = (
    "(tried avo-csv, avo-json, jsonschema, itly, ampli, rudderstack, segment, snowplow, snowplow-dp, snowplow-ds, "
    "trackplan); pass --from"
)


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("page.json", "<!DOCTYPE html><html></html>", f"page.json: this is HTML or XML, not a plan {TRIED}"),
        ("empty.json", "", f"empty.json: this is an empty .json file, not a plan {TRIED}"),
        ("page.csv", "\n<html>", f"page.csv: this is HTML or XML, not a plan {TRIED}"),
        (
            "list.json",
            '{"schema": {"events": {"E": {"properties": [1]}}}}',
            "list.json: schema.events.E.properties must be an object",
        ),
    ],
)
def test_what_the_file_looks_like_is_said_in_one_line(
    name: str, data: str, message: str, plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    (tmp_path / name).write_text(data)
    result = run_cli("-C", plan_repo, "import", tmp_path / name, "--branch", "bad")
    assert result.exit_code == 2
    assert result.output.strip().splitlines() == [f"trackplan: error: {tmp_path}/{message}"]


def test_init_empty_has_no_traits_and_an_events_folder(run_cli: CliRunnerCall, tmp_path: Path) -> None:
    assert run_cli("init", tmp_path / "p", "--empty").exit_code == 0
    assert (tmp_path / "p" / "events").is_dir()
    assert not (tmp_path / "p" / "identify.yaml").exists()  # the first import with traits writes it

"""A key written twice in any plan file is refused, naming the file, its line and the first
one: libyaml would keep the last value and say nothing."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall

# (file, the text replaced, the text with a key repeated, line and column of the repeat, the key, its first line)
REPEATS = {
    "an event's key": (
        "events/signed-up.yaml",
        "x-owner: Growth\n",
        "x-owner: Growth\nx-owner: Payments\n",
        (12, 1),
        "x-owner",
        11,
    ),
    "a property's key": (
        "events/search-performed.yaml",
        "    description: The text searched for, trimmed.\n",
        "    description: The text searched for, trimmed.\n    description: What was typed.\n",
        (16, 5),
        "description",
        15,
    ),
    "identify's key": (
        "identify.yaml",
        "required: [email]\n",
        "required: [email]\nrequired: []\n",
        (18, 1),
        "required",
        17,
    ),
}


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def repeat(root: Path, bad: str) -> str:
    path, old, new, (line, column), key, first = REPEATS[bad]
    file = root / path
    text = file.read_text()
    assert text.count(old) == 1 and text.splitlines()[first - 1] == old.rstrip("\n")
    file.write_text(text.replace(old, new))
    git(root, "commit", "-qam", "A key written twice")
    return f"{path}:{line}:{column}: invalid YAML: duplicate key '{key}' (first on line {first})"


WHOLE_PLAN_COMMANDS = [("events",), ("export", "--ref", "main", "--to", "trackplan"), ("diff", "main~1", "main")]
SHOW = ("show", "Signed Up")  # reads only the file of the event it shows


@pytest.mark.parametrize(
    ("bad", "command"),
    [(bad, command) for bad in REPEATS for command in WHOLE_PLAN_COMMANDS]
    + [(bad, SHOW) for bad in REPEATS if REPEATS[bad][0] == "events/signed-up.yaml"],
    ids=lambda value: " ".join(value) if isinstance(value, tuple) else str(value),
)
def test_every_command_reading_the_file_refuses_it(
    plan_repo: Path, run_cli: CliRunnerCall, bad: str, command: tuple[str, ...]
) -> None:
    message = repeat(plan_repo, bad)
    refs, status = git(plan_repo, "show-ref"), git(plan_repo, "status", "--porcelain")
    result = run_cli("-C", plan_repo, *command)
    assert result.exit_code == 2, result.output
    assert result.output == f"trackplan: error: {message}\n"
    assert (git(plan_repo, "show-ref"), git(plan_repo, "status", "--porcelain")) == (refs, status)


@pytest.mark.parametrize("bad", list(REPEATS), ids=str)
def test_validate_reports_it_as_a_parse_error(plan_repo: Path, run_cli: CliRunnerCall, bad: str) -> None:
    message = repeat(plan_repo, bad)
    result = run_cli("-C", plan_repo, "validate", "--format", "json")
    assert result.exit_code == 1, result.output
    path, line, column, text = message.split(":", 3)
    assert [
        (f["rule"], f["file"], f["line"], f["column"], f["message"])
        for f in json.loads(result.stdout)["findings"]
        if f["rule"] == "TP101"
    ] == [("TP101", path, int(line), int(column), text.strip())]

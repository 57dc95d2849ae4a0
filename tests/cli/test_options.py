"""The shared options and vocabulary: which state each command reads by default, --color's
styles, NO_COLOR and the commands that colour, the JSON envelope of every --format json, and
options that point at the one meant."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan.cli.options import severity_style


def test_color_always_styles_each_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # always wins over NO_COLOR, as --color always says
    style = severity_style("always")
    assert style is not None
    assert style("breaking", "breaking") == "\x1b[31m\x1b[1mbreaking\x1b[0m"
    assert style("warning ", "warning") == "\x1b[33m\x1b[22mwarning \x1b[0m"
    assert style("info    ", "info") == "\x1b[36m\x1b[22minfo    \x1b[0m"


def test_color_never_and_auto_off_a_terminal_or_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert severity_style("never") is None
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert severity_style("auto") is not None
    monkeypatch.setenv("NO_COLOR", "1")
    assert severity_style("auto") is None
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert severity_style("auto") is None


def _edit_signed_up(plan_repo: Path) -> None:
    """An uncommitted edit: Signed Up renamed in its file."""
    event = plan_repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("title: Signed Up", "title: Signed Up Now"))


def test_commands_that_look_at_the_plan_being_edited_read_the_work_tree(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    """Issue 13.9: validate and diff read the work tree while show, events and check read HEAD."""
    _edit_signed_up(plan_repo)
    events = run_cli("-C", plan_repo, "events")
    assert "Signed Up Now " in events.stdout and events.stdout.endswith("5 events in the work tree\n")
    assert "Signed Up " in run_cli("-C", plan_repo, "events", "--ref", "HEAD").stdout
    assert run_cli("-C", plan_repo, "show", "Signed Up Now").exit_code == 0
    assert run_cli("-C", plan_repo, "show", "Signed Up", "--ref", "HEAD").exit_code == 0
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text('{"event": "Signed Up Now", "properties": {"signup_method": "email", "plan": "free"}}\n')
    checked = json.loads(run_cli("-C", plan_repo, "check", payloads, "--format", "json").stdout)
    assert (checked["checked"], checked["invalid"], checked["unknownEvents"]) == (1, 0, {})
    # Commands whose output is an artifact for others, or history, read a commit.
    exported = json.loads(run_cli("-C", plan_repo, "export").stdout)
    assert "Signed Up" in [e["name"] for e in exported["events"]]
    assert "Signed Up Now" not in [e["name"] for e in exported["events"]]


def test_validate_and_import_colour_their_severities(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    event = plan_repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("x-owner: Growth", "x-owner: Growht"))
    coloured = run_cli("-C", plan_repo, "validate", "--color", "always").stdout
    assert coloured.startswith("events/signed-up.yaml:11:1: \x1b[33m\x1b[22mwarning\x1b[0m TP108 ")
    assert "\x1b[" not in run_cli("-C", plan_repo, "validate", "--color", "never").stdout
    source = DATA / "import" / "good" / "avo-export.json"
    dry = run_cli("-C", plan_repo, "import", source, "--branch", "import/avo", "--dry-run", "--color", "always")
    assert dry.exit_code == 0 and "\x1b[31m\x1b[1mbreaking\x1b[0m" in dry.stdout
    plain = run_cli("-C", plan_repo, "import", source, "--branch", "import/avo", "--dry-run", "--color", "never")
    assert "\x1b[" not in plain.stdout and " breaking " in plain.stdout


def test_export_format_points_at_to(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "export", "--format", "html")
    assert result.exit_code == 2
    assert result.stderr.endswith("Error: there is no --format; did you mean --to html?\n")
    assert "--format" not in run_cli("-C", plan_repo, "export", "--help").stdout


def _envelope(run_cli: CliRunnerCall, *args: str | Path) -> dict[str, object]:
    result = run_cli(*args, "--format", "json")
    assert result.exit_code in (0, 1), result.output
    document: dict[str, object] = json.loads(result.stdout)
    return document


def test_every_format_json_prints_one_envelope(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    """Issue 13.9: some commands printed a "version": 1 object, others a bare array."""
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text('{"event": "Signed Up", "properties": {}}\n')
    app = tmp_path / "app"
    app.mkdir()
    source = DATA / "import" / "good" / "avo-export.json"
    at: tuple[str | Path, ...] = ("-C", plan_repo)
    commands: dict[str, tuple[list[str | Path], str]] = {
        "events": ([*at, "events"], "events"),
        "show": ([*at, "show", "Signed Up"], "event"),
        "log": ([*at, "log"], "commits"),
        "diff": ([*at, "diff"], "changeSets"),
        "validate": ([*at, "validate"], "findings"),
        "check": ([*at, "check", payloads], "events"),
        "import": ([*at, "import", source, "--branch", "import/avo", "--dry-run"], "result"),
        "status": ([*at, "status", "--lang", "ts", "--source", "web", app], "events"),
        "rules": (["rules"], "rules"),
        "plans list": ([*at, "plans", "list"], "trackingPlans"),
    }
    for name, (args, field) in commands.items():
        document = _envelope(run_cli, *args)
        assert list(document)[:2] == ["version", "command"], name
        assert (document["version"], document["command"]) == (1, name)
        assert field in document, (name, list(document))
        assert not isinstance(document[field], str), name


def test_a_json_error_is_the_envelope_too(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    missing = run_cli("-C", plan_repo, "import", tmp_path / "nope.json", "--format", "json")
    assert missing.exit_code == 2
    assert json.loads(missing.stdout) == {
        "version": 1,
        "command": "import",
        "message": f"{tmp_path / 'nope.json'}: cannot read: No such file or directory",
        "warnings": [],
    }


def _complete(args: list[str], incomplete: str) -> list[str]:
    """What `trackplan ARGS INCOMPLETE<TAB>` offers, through click's completion of the real CLI."""
    from click.shell_completion import ShellComplete

    from trackplan.cli.app import cli

    completion = ShellComplete(cli, {}, "trackplan", "_TRACKPLAN_COMPLETE")
    return [item.value for item in completion.get_completions(args, incomplete)]


def test_ref_arguments_and_options_complete_branches_and_tags(plan_repo: Path) -> None:
    """Issue 13.10: `trackplan diff ma<TAB>` completed nothing."""
    subprocess.run(["git", "branch", "-q", "plan/feature"], cwd=plan_repo, check=True)
    subprocess.run(["git", "tag", "v1.0"], cwd=plan_repo, check=True)
    at = ["-C", str(plan_repo)]
    assert _complete([*at, "diff"], "ma") == ["main"]
    assert _complete([*at, "diff", "main"], "plan/") == ["plan/feature"]
    assert _complete([*at, "show", "Signed Up", "--ref"], "v") == ["v1.0"]
    assert _complete([*at, "export", "--changed-since"], "") == ["main", "plan/feature", "v1.0", "HEAD", "WORKTREE"]
    assert _complete([*at, "import", "x.json", "--branch"], "plan") == ["plan/feature"]
    assert _complete([*at, "merge", "plan/feature", "--into"], "m") == ["main"]


def test_event_arguments_and_options_complete_event_names(plan_repo: Path) -> None:
    """Issue 13.10: `trackplan show <TAB>` completed nothing."""
    at = ["-C", str(plan_repo)]
    names = ["Checkout Completed", "Product Viewed", "Search Performed", "Signed Up", "Subscription Cancelled"]
    assert _complete([*at, "show"], "") == names
    assert _complete([*at, "show"], "s") == ["Search Performed", "Signed Up", "Subscription Cancelled"]
    assert _complete([*at, "log", "--event"], "check") == ["Checkout Completed"]
    assert _complete([*at, "export", "--event"], "Pro") == ["Product Viewed"]
    _edit_signed_up(plan_repo)  # names come from the state the command reads: the work tree, or --ref
    assert _complete([*at, "show"], "signed") == ["Signed Up Now"]
    assert _complete([*at, "show", "--ref", "HEAD"], "signed") == ["Signed Up"]


def test_completion_outside_a_plan_offers_nothing_and_never_fails(tmp_path: Path) -> None:
    assert _complete(["-C", str(tmp_path), "diff"], "") == []
    assert _complete(["-C", str(tmp_path), "show"], "") == []

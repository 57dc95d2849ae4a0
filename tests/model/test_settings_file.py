"""trackplan.yaml as the commands read it: a key written twice is refused by every command
that loads the settings, with one line naming the file, the line and the key, and `validate`
reports it as a parse error (TP101) at that line."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import DATA, ROOT, CliRunnerCall
from trackplan import yamlio
from trackplan.model.settings import SettingError, Settings

AVO = DATA / "import" / "good" / "avo-export.json"


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout


def repeat_a_key(root: Path, old: str, new: str) -> tuple[int, int, int]:
    """trackplan.yaml with `old` replaced by `new` (which writes a key again), committed on main;
    (line of the repeated key, its column, line of the first one)."""
    settings = root / "trackplan.yaml"
    text = settings.read_text()
    assert text.count(old) == 1
    settings.write_text(text.replace(old, new))
    git(root, "commit", "-qam", "Write a key twice")
    lines = new.splitlines()
    start = text[: text.index(old)].count("\n") + 1
    key = lines[-1].strip().lstrip("- ").split(":")[0]
    first = next(i for i, line in enumerate(lines) if line.strip().lstrip("- ").startswith(f"{key}:"))
    repeated = lines[-1]
    return start + len(lines) - 1, len(repeated) - len(repeated.lstrip(" -")) + 1, start + first


REPEATS = {
    "a top-level key": ("name: Test plan\n", "name: Test plan\nname: Another plan\n"),
    "a key of a source": ("  - name: web\n", "  - name: web\n    name: www\n"),
}


@pytest.mark.parametrize(
    "command",
    [
        ("diff",),
        ("diff", "main", "main"),
        ("events",),
        ("events", "--ref", "main"),
        ("export", "--to", "avo-json"),
        ("import", "AVO", "--branch", "plans/avo"),
        ("check", "PAYLOADS"),
        ("layout", "sharded", "--branch", "plans/sharded"),
        ("codeowners",),
    ],
    ids=" ".join,
)
@pytest.mark.parametrize("repeat", list(REPEATS), ids=str)
def test_every_command_that_loads_the_settings_names_the_repeated_key(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, command: tuple[str, ...], repeat: str
) -> None:
    line, column, first = repeat_a_key(plan_repo, *REPEATS[repeat])
    key = "name"
    payloads = tmp_path / "payloads.jsonl"
    payloads.write_text(json.dumps({"event": "Signed Up", "properties": {}}) + "\n")
    refs, status = git(plan_repo, "show-ref"), git(plan_repo, "status", "--porcelain")
    result = run_cli("-C", plan_repo, *({"PAYLOADS": str(payloads), "AVO": str(AVO)}.get(arg, arg) for arg in command))
    assert result.exit_code == 2
    assert result.output == (
        f"trackplan: error: trackplan.yaml:{line}:{column}: invalid YAML: duplicate key '{key}' (first on line {first})\n"
    )
    assert (git(plan_repo, "show-ref"), git(plan_repo, "status", "--porcelain")) == (refs, status)


@pytest.mark.parametrize("repeat", list(REPEATS), ids=str)
@pytest.mark.parametrize("ref", [None, "main"], ids=["work tree", "--ref main"])
def test_validate_reports_the_repeated_key_as_a_parse_error(
    plan_repo: Path, run_cli: CliRunnerCall, repeat: str, ref: str | None
) -> None:
    line, column, first = repeat_a_key(plan_repo, *REPEATS[repeat])
    result = run_cli("-C", plan_repo, "validate", "--format", "json", *(("--ref", ref) if ref else ()))
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["findings"] == [
        {
            "rule": "TP101",
            "name": "parse-error",
            "severity": "error",
            "file": "trackplan.yaml",
            "line": line,
            "column": column,
            "event": None,
            "message": f"invalid YAML: duplicate key 'name' (first on line {first})",
            "hint": "Fix the syntax at the position shown.",
        }
    ]


BAD_VALUES = {
    "a value of the wrong type": (
        "protected_branches: [main]\n",
        "protected_branches: 5\n",
        ("protected_branches",),
        (6, 1),
        "protected_branches must be a list of branch names, not 5",
    ),
    "a value of a source": (
        "  - name: web\n",
        "  - name: web\n    description: 5\n",
        ("sources", "0", "description"),
        (10, 5),
        "sources: web: description must be a string",
    ),
    "an entry without a name": (
        "  - name: Amplitude\n",
        "  - {id: 7}\n",
        ("destinations", "0"),
        (19, 5),
        "each of destinations needs a name: {'id': 7}",
    ),
    "a value not among the choices": (
        "vendor: com.example\n",
        "vendor: com.example\nevents_layout: nope\n",
        ("events_layout",),
        (30, 1),
        "events_layout: 'nope' is not one of flat, sharded",
    ),
}


@pytest.mark.parametrize("bad", list(BAD_VALUES), ids=str)
def test_a_refused_value_carries_its_key_path(bad: str) -> None:
    old, new, where, _, message = BAD_VALUES[bad]
    text = (ROOT / "plan-template" / "trackplan.yaml").read_text()
    assert old in text
    with pytest.raises(SettingError) as raised:
        Settings.from_json(yamlio.load(text.replace(old, new)))
    assert (raised.value.where, str(raised.value)) == (where, message)


@pytest.mark.parametrize("bad", list(BAD_VALUES), ids=str)
@pytest.mark.parametrize("refs", [(), ("main~1", "main")], ids=["work tree", "two refs"])
def test_diff_names_the_line_of_a_refused_value(
    plan_repo: Path, run_cli: CliRunnerCall, bad: str, refs: tuple[str, ...]
) -> None:
    old, new, _, (line, column), message = BAD_VALUES[bad]
    settings = plan_repo / "trackplan.yaml"
    settings.write_text(settings.read_text().replace(old, new))
    git(plan_repo, "commit", "-qam", "A bad value")
    result = run_cli("-C", plan_repo, "diff", *refs)
    assert result.exit_code == 2
    assert result.output == f"trackplan: error: trackplan.yaml:{line}:{column}: {message}\n"


COMMANDS = [
    ("events",),
    ("events", "--ref", "main"),
    ("export", "--to", "avo-json"),
    ("export", "--ref", "main", "--to", "snowplow"),
    ("import", "AVO", "--branch", "plans/avo"),
    ("layout", "sharded", "--branch", "plans/sharded"),
]
# Values only the commands using them read: (the text replaced, the bad text, line and column, message).
USED_VALUES = {
    "breaking_profile": (
        "breaking_profile: validation\n",
        "breaking_profile: strict\n",
        (32, 1),
        "breaking_profile 'strict' is not one of validation, consumer",
    ),
    "property_scope": (
        "vendor: com.example\n",
        "vendor: com.example\nproperty_scope: global\n",
        (30, 1),
        "property_scope: 'global' is not one of plan, event",
    ),
}


def command_line(command: tuple[str, ...]) -> list[str]:
    return [str(AVO) if arg == "AVO" else arg for arg in command]


def assert_refused_naming_the_line(
    root: Path, run_cli: CliRunnerCall, command: tuple[str, ...], line: int, column: int, message: str
) -> None:
    refs, status = git(root, "show-ref"), git(root, "status", "--porcelain")
    result = run_cli("-C", root, *command_line(command))
    assert result.exit_code == 2
    assert result.output == f"trackplan: error: trackplan.yaml:{line}:{column}: {message}\n"
    assert (git(root, "show-ref"), git(root, "status", "--porcelain")) == (refs, status)


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
@pytest.mark.parametrize("bad", list(BAD_VALUES), ids=str)
def test_every_command_names_the_line_of_a_refused_value(
    plan_repo: Path, run_cli: CliRunnerCall, command: tuple[str, ...], bad: str
) -> None:
    old, new, _, (line, column), message = BAD_VALUES[bad]
    settings = plan_repo / "trackplan.yaml"
    settings.write_text(settings.read_text().replace(old, new))
    git(plan_repo, "commit", "-qam", "A bad value")
    assert_refused_naming_the_line(plan_repo, run_cli, command, line, column, message)


@pytest.mark.parametrize("bad", list(USED_VALUES), ids=str)
def test_a_value_refused_where_it_is_used_names_its_line(plan_repo: Path, run_cli: CliRunnerCall, bad: str) -> None:
    old, new, (line, column), message = USED_VALUES[bad]
    settings = plan_repo / "trackplan.yaml"
    assert settings.read_text().count(old) == 1
    settings.write_text(settings.read_text().replace(old, new))
    git(plan_repo, "commit", "-qam", "A bad value")
    assert_refused_naming_the_line(
        plan_repo, run_cli, ("import", "AVO", "--branch", "plans/avo"), line, column, message
    )
    if bad == "breaking_profile":
        assert_refused_naming_the_line(plan_repo, run_cli, ("diff", "main~1", "main"), line, column, message)

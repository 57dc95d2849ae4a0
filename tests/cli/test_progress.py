"""Progress shows on a terminal's stderr, with a count and a rate, and never in `--format
json`, when stderr is no terminal, or under `CI=true`."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall, plan_with
from trackplan.cli import progress

# The CLI with progress starting at once instead of after a second, so a short check shows it.
AT_ONCE_CLI = "import sys; import trackplan.cli.progress as p; p.DELAY = 0; from trackplan.cli import main; main()"


def payload_file(folder: Path, n: int = 200_000) -> Path:
    line = json.dumps({"event": "Search Performed", "properties": {"query": "x", "result_count": 1}})
    path = folder / "payloads.jsonl"
    path.write_text((line + "\n") * n)
    return path


def run_with_terminal_stderr(
    args: list[str], env: dict[str, str], stdout: Path | None = None, script: str = AT_ONCE_CLI
) -> tuple[int, bytes]:
    """Run the CLI with stderr on a pseudo-terminal: (exit code, what the terminal got).
    `stdout`: a file that gets the standard output (else it is dropped)."""
    leader, follower = pty.openpty()
    with open(stdout or os.devnull, "wb") as out:
        process = subprocess.Popen([sys.executable, "-c", script, *args], stdout=out, stderr=follower, env=env)
    os.close(follower)
    seen = b""
    while True:
        try:
            chunk = os.read(leader, 65536)
        except OSError:  # the terminal closed with the process
            break
        if not chunk:
            break
        seen += chunk
    os.close(leader)
    return process.wait(), seen


@pytest.fixture
def no_ci() -> dict[str, str]:
    return {key: value for key, value in os.environ.items() if key != "CI"} | {"COLUMNS": "120"}


def test_a_check_shows_its_count_and_rate_on_a_terminal(plan_repo: Path, tmp_path: Path, no_ci: dict[str, str]) -> None:
    code, seen = run_with_terminal_stderr(["-C", str(plan_repo), "check", str(payload_file(tmp_path))], no_ci)
    assert code == 0
    assert b"checking" in seen and b" payloads" in seen and b"/s" in seen


@pytest.mark.parametrize(
    ("extra_args", "extra_env"), [(["--format", "json"], {}), ([], {"CI": "true"})], ids=["json", "ci"]
)
def test_no_progress_in_json_or_under_ci(
    plan_repo: Path, tmp_path: Path, no_ci: dict[str, str], extra_args: list[str], extra_env: dict[str, str]
) -> None:
    args = ["-C", str(plan_repo), "check", str(payload_file(tmp_path)), *extra_args]
    code, seen = run_with_terminal_stderr(args, no_ci | extra_env)
    assert (code, seen) == (0, b"")


def test_no_progress_when_stderr_is_no_terminal(plan_repo: Path, tmp_path: Path, no_ci: dict[str, str]) -> None:
    args = ["-C", str(plan_repo), "check", str(payload_file(tmp_path))]
    result = subprocess.run([sys.executable, "-c", AT_ONCE_CLI, *args], capture_output=True, env=no_ci, check=True)
    assert result.stderr == b""


def test_the_three_conditions(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    assert progress.shows_progress("text")
    assert not progress.shows_progress("json")
    monkeypatch.setenv("CI", "true")
    assert not progress.shows_progress("text")
    monkeypatch.delenv("CI")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    assert not progress.shows_progress("text")


def test_validate_shows_the_files_done_on_a_terminal(plan_repo: Path, no_ci: dict[str, str]) -> None:
    code, seen = run_with_terminal_stderr(["-C", str(plan_repo), "validate"], no_ci)
    assert code == 0
    assert b"validating" in seen and b" files" in seen
    assert run_with_terminal_stderr(["-C", str(plan_repo), "validate", "--format", "json"], no_ci) == (0, b"")


# -- import and export ---------------------------------------------------------------------

EVENTS = 40


@pytest.fixture
def source_plan(tmp_path: Path) -> Path:
    """A plan of its own with EVENTS generated events on main."""
    plan_with(tmp_path / "source", EVENTS)
    return tmp_path / "source"


@pytest.fixture
def avo_file(tmp_path: Path, source_plan: Path, run_cli: CliRunnerCall) -> Path:
    """An Avo JSON export of the EVENTS events of `source_plan`."""
    path = tmp_path / "avo.json"
    assert run_cli("-C", source_plan, "export", "-o", path).exit_code == 0
    return path


def test_an_import_shows_its_steps_on_a_terminal(plan_repo: Path, avo_file: Path, no_ci: dict[str, str]) -> None:
    args = ["-C", str(plan_repo), "import", str(avo_file), "--branch", "import/avo"]
    code, seen = run_with_terminal_stderr(args, no_ci)
    assert code == 0
    for step in (b"importing  40 events read", b"40 events merged", b"files committed", b"/s"):
        assert step in seen


@pytest.mark.parametrize(
    ("to", "output", "steps"),
    [
        ("itly", "out.json", [b"exporting  40 events read", b"40 events rendered"]),
        ("avo-json", "out.json", [b"exporting  40 events read", b"40 events rendered"]),
        ("snowplow", "iglu/", [b"40 events rendered", b"40 files written"]),
    ],
    ids=["itly", "avo-json", "folder"],
)
def test_a_cold_export_shows_its_steps_on_a_terminal(
    source_plan: Path, tmp_path: Path, no_ci: dict[str, str], to: str, output: str, steps: list[bytes]
) -> None:
    args = ["-C", str(source_plan), "export", "--to", to, "-o", f"{tmp_path}/{output}"]
    code, seen = run_with_terminal_stderr(args, no_ci)
    assert code == 0
    for step in [*steps, b"/s"]:
        assert step in seen


def import_args(plan: Path, avo_file: Path, *extra: str) -> list[str]:
    return ["-C", str(plan), "import", str(avo_file), "--branch", "import/avo", *extra]


@pytest.mark.parametrize(
    ("extra_args", "extra_env"), [(["--format", "json"], {}), ([], {"CI": "true"})], ids=["json", "ci"]
)
def test_no_import_progress_in_json_or_under_ci(
    plan_repo: Path, avo_file: Path, no_ci: dict[str, str], extra_args: list[str], extra_env: dict[str, str]
) -> None:
    assert run_with_terminal_stderr(import_args(plan_repo, avo_file, *extra_args), no_ci | extra_env) == (0, b"")


def test_no_export_progress_under_ci(source_plan: Path, tmp_path: Path, no_ci: dict[str, str]) -> None:
    args = ["-C", str(source_plan), "export", "--to", "itly", "-o", str(tmp_path / "out.json")]
    assert run_with_terminal_stderr(args, no_ci | {"CI": "true"}) == (0, b"")


def test_no_import_or_export_progress_when_stderr_is_no_terminal(
    plan_repo: Path, avo_file: Path, source_plan: Path, tmp_path: Path, no_ci: dict[str, str]
) -> None:
    export = ["-C", str(source_plan), "export", "--to", "snowplow", "-o", f"{tmp_path}/iglu/"]
    for args in (import_args(plan_repo, avo_file), export):
        result = subprocess.run([sys.executable, "-c", AT_ONCE_CLI, *args], capture_output=True, env=no_ci, check=True)
        assert result.stderr == b""


def test_stdout_is_the_same_with_progress_and_without(
    plan_repo: Path, avo_file: Path, source_plan: Path, tmp_path: Path, no_ci: dict[str, str]
) -> None:
    shown, plain = tmp_path / "shown.out", tmp_path / "plain.out"
    export = ["-C", str(source_plan), "export", "--to", "itly"]
    code, seen = run_with_terminal_stderr(export, no_ci, stdout=shown)
    assert (code, b"events rendered" in seen) == (0, True)
    shutil.rmtree(source_plan / ".git" / "trackplan" / "exports")  # the second export is cold too
    plain.write_bytes(
        subprocess.run([sys.executable, "-m", "trackplan", *export], capture_output=True, check=True).stdout
    )
    assert shown.read_bytes() == plain.read_bytes()

    twin = tmp_path / "twin"
    shutil.copytree(plan_repo, twin)
    code, seen = run_with_terminal_stderr(import_args(plan_repo, avo_file), no_ci, stdout=shown)
    assert (code, b"files committed" in seen) == (0, True)
    done = subprocess.run([sys.executable, "-m", "trackplan", *import_args(twin, avo_file)], capture_output=True)
    commits = [git_head(root, "import/avo")[:12].encode() for root in (plan_repo, twin)]
    assert shown.read_bytes() == done.stdout.replace(commits[1], commits[0])  # commits differ only in their dates


def git_head(root: Path, branch: str) -> str:
    return subprocess.run(["git", "rev-parse", branch], cwd=root, capture_output=True, text=True, check=True).stdout


Calls = list[tuple[int, str | None]]
CALLS: Calls = []  # what the last RecordedDisplay was told


class RecordedDisplay(progress.Display):
    """A display that records each call and shows nothing."""

    def __init__(self, label: str, unit: str) -> None:
        CALLS.clear()

    def __call__(self, done: int, counted: str | None = None) -> None:
        CALLS.append((done, counted))

    def close(self) -> None:
        pass


@pytest.fixture
def recorded(monkeypatch: pytest.MonkeyPatch) -> Calls:
    """The calls a command's core makes to its progress, as if stderr were a terminal."""
    monkeypatch.setattr(progress, "shows_progress", lambda output_format="text": output_format != "json")
    monkeypatch.setattr(progress, "Display", RecordedDisplay)
    CALLS.clear()
    return CALLS


def test_an_import_tells_each_step(plan_repo: Path, avo_file: Path, run_cli: CliRunnerCall, recorded: Calls) -> None:
    plain = run_cli(*import_args(plan_repo, avo_file, "--dry-run"))
    assert recorded == [(EVENTS, "events read"), (0, "events merged"), (EVENTS, "events merged")]
    result = run_cli(*import_args(plan_repo, avo_file))
    files = int(result.output.rsplit("; ", 1)[1].split()[0])
    assert recorded == [
        (EVENTS, "events read"),
        (0, "events merged"),
        (EVENTS, "events merged"),
        (0, "files committed"),
        (files, "files committed"),
    ]
    assert plain.exit_code == result.exit_code == 0


def test_an_export_tells_each_step(source_plan: Path, tmp_path: Path, run_cli: CliRunnerCall, recorded: Calls) -> None:
    assert run_cli("-C", source_plan, "export", "--to", "itly", "-o", tmp_path / "out.json").exit_code == 0
    assert recorded == [(EVENTS, "events read"), (0, "events rendered"), (EVENTS, "events rendered")]
    assert run_cli("-C", source_plan, "export", "-o", tmp_path / "out.json").exit_code == 0
    rendered = [(n, "events rendered") for n in range(1, EVENTS + 1)]
    assert recorded == [(EVENTS, "events read"), *rendered, (EVENTS, "events rendered")]
    # Another label is another output, made of the cached pieces: counted at the end.
    assert run_cli("-C", source_plan, "export", "-o", tmp_path / "again.json", "--ref", "HEAD~0").exit_code == 0
    assert recorded == [(EVENTS, "events read"), (EVENTS, "events rendered")]
    assert run_cli("-C", source_plan, "export", "--to", "snowplow", "-o", f"{tmp_path}/iglu/").exit_code == 0
    written = [(n, "files written") for n in range(1, EVENTS + 1)]
    assert recorded == [(EVENTS, "events read"), (0, "events rendered"), (EVENTS, "events rendered"), *written]


def test_a_warm_export_tells_nothing(
    source_plan: Path, tmp_path: Path, run_cli: CliRunnerCall, recorded: Calls
) -> None:
    export: list[str | Path] = ["-C", source_plan, "export", "--to", "itly", "-o", tmp_path / "out.json"]
    assert run_cli(*export).exit_code == 0
    assert len(recorded) == 3
    recorded.clear()
    assert run_cli(*export).exit_code == 0
    assert recorded == []


# What a process loaded, printed to stderr at its exit.
LOADED = (
    "import atexit, sys; atexit.register(lambda: print(sorted(m for m in sys.modules"
    " if m.split('.')[0] == 'rich' or m == 'trackplan.cli.progress'), file=sys.stderr));"
    " from trackplan.cli import main; main()"
)


def test_a_warm_export_and_version_load_no_progress_code(
    source_plan: Path, tmp_path: Path, no_ci: dict[str, str], run_cli: CliRunnerCall
) -> None:
    to_file = ["export", "--to", "itly", "-o", str(tmp_path / "out.json")]
    assert run_cli("-C", source_plan, *to_file).exit_code == 0
    assert run_cli("-C", source_plan, "export").exit_code == 0
    for args in (["--version"], ["-C", str(source_plan), *to_file], ["-C", str(source_plan), "export"]):
        done = subprocess.run([sys.executable, "-c", LOADED, *args], capture_output=True, env=no_ci, check=True)
        assert done.stderr == b"[]\n"
        assert run_with_terminal_stderr(args, no_ci, script=LOADED) == (0, b"[]\r\n")  # not even on a terminal

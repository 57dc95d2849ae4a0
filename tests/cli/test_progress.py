"""Progress shows on a terminal's stderr, with a count and a rate, and never in `--format
json`, when stderr is no terminal, or under `CI=true`."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest

from trackplan.cli import progress

# The CLI with progress starting at once instead of after a second, so a short check shows it.
AT_ONCE_CLI = "import sys; import trackplan.cli.progress as p; p.DELAY = 0; from trackplan.cli import main; main()"


def payload_file(folder: Path, n: int = 200_000) -> Path:
    line = json.dumps({"event": "Search Performed", "properties": {"query": "x", "result_count": 1}})
    path = folder / "payloads.jsonl"
    path.write_text((line + "\n") * n)
    return path


def run_with_terminal_stderr(args: list[str], env: dict[str, str]) -> tuple[int, bytes]:
    """Run the CLI with stderr on a pseudo-terminal: (exit code, what the terminal got)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-c", AT_ONCE_CLI, *args], stdout=subprocess.DEVNULL, stderr=follower, env=env
    )
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

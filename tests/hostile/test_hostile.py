"""Hostile inputs (tests/hostile/cases.py), each held to one rule: no traceback; an exit code
of the contract; an error is one line naming the file, field or option; no ref but the
test's own hostile/* branches, no work-tree file and no file outside the plan changes; and
each command ends within a bound."""

from __future__ import annotations

import collections
import hashlib
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner

from tests.hostile.cases import Case, all_cases, git
from trackplan.cli.app import cli
from trackplan.repo.scaffold import init_plan

CONTRACT = {0, 1, 2, 3}
BOUND_SECONDS = 60


def snapshot(repo: Path) -> tuple[str, str, dict[str, str]]:
    """Refs (but hostile/*), the work tree's status, and every file beside the plan."""
    refs = "\n".join(
        line
        for line in git(repo, "for-each-ref", "--format=%(refname) %(objectname)").splitlines()
        if not line.startswith("refs/heads/hostile/")
    )
    files = {}
    for folder, dirs, names in os.walk(repo.parent):
        dirs[:] = [d for d in dirs if d != ".git" and not (folder == str(repo.parent) and d == "out")]  # out/: -o
        for name in names:
            path = Path(folder, name)
            if not path.is_symlink() and path.is_file():
                files[str(path.relative_to(repo.parent))] = hashlib.sha1(path.read_bytes()).hexdigest()
    return refs, git(repo, "status", "--porcelain", "--ignored"), files


@contextmanager
def bounded(seconds: int) -> Iterator[None]:
    def expire(signum: int, frame: object) -> None:
        raise TimeoutError(f"no answer within {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def verdict(case: Case, args: list[str], runner: CliRunner, repo: Path) -> str | None:
    """None if the command keeps the rule, else what broke it."""
    before = snapshot(repo)
    with bounded(BOUND_SECONDS):
        result = runner.invoke(cli, ["-C", str(repo), *args], catch_exceptions=True)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"traceback: {type(result.exception).__name__}: {result.exception}"
    if result.exit_code not in CONTRACT:
        return f"exit {result.exit_code}: {result.stderr.strip()[:300]}"
    if result.exit_code >= 2:
        lines = result.stderr.splitlines()
        if lines and lines[0].startswith("Usage: "):
            lines = lines[-1:]  # click's own usage error: the usage, then one line naming the option
        if len(lines) != 1 or not any(name in lines[0] for name in case.names):
            return f"exit {result.exit_code} without one line naming {case.names}: {result.stderr[:300]!r}"
    if snapshot(repo) != before:
        return f"exit {result.exit_code} but something changed"
    return None


def plan_for(case: Case, folder: Path) -> Path:
    repo = folder / "plan"
    init_plan(repo, name="Hostile")
    for name, data in case.inputs.items():
        (folder / name).write_bytes(data)
    if case.setup is not None:
        case.setup(repo)
    return repo


def test_hostile_inputs_keep_the_contract(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner = CliRunner()
    tried: collections.Counter[str] = collections.Counter()
    failures: list[str] = []
    for number, case in enumerate(all_cases()):
        folder = tmp_path / str(number)
        folder.mkdir()
        repo = plan_for(case, folder)
        monkeypatch.chdir(repo)
        broken = [f"{args[:3]}: {why}" for args in case.runs if (why := verdict(case, args, runner, repo))]
        tried[case.kind] += 1
        if broken:
            failures.append(f"[{case.kind}] {case.name[:80]!r}: {'; '.join(broken)}")
    report = "\n".join(f"{kind}: {count} inputs" for kind, count in sorted(tried.items()))
    print(f"\nhostile inputs by class ({sum(tried.values())} in all)\n{report}\n{len(failures)} failed")
    assert failures == [], "\n".join(failures)

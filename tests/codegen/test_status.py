"""`trackplan status` on small fixture apps (tests/data/codegen/app-ts, app-python): events
implemented (with file:line), missing, and raw calls of unknown events; .gitignore rules
respected, generated files and definitions skipped."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.codegen.support import CODEGEN_DATA, git
from tests.helpers import CliRunnerCall
from trackplan.codegen import ignore


def fixture_app(name: str, tmp_path: Path) -> Path:
    """A copy of a fixture app; its ignore files are stored as `gitignore`, so that this
    repository's git does not apply them to the fixtures themselves."""
    app = tmp_path / name
    shutil.copytree(CODEGEN_DATA / name, app)
    for file in app.rglob("gitignore"):
        file.rename(file.with_name(".gitignore"))
    return app


@pytest.fixture
def ts_app(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> Path:
    app = fixture_app("app-ts", tmp_path)
    generated = run_cli(
        "-C", plan_repo, "codegen", "--lang", "ts", "--source", "web", "-o", app / "src" / "tracking.ts"
    )
    assert generated.exit_code == 0, generated.output
    return app


def status(run_cli: CliRunnerCall, app: Path, plan: Path, *args: str) -> tuple[int, str]:
    result = run_cli("-C", app, "--plan-dir", plan, "status", *args)
    return result.exit_code, result.stdout + result.stderr


def test_typescript_app(ts_app: Path, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert status(run_cli, ts_app, plan_repo, "--lang", "ts", "--source", "web") == (
        0,
        "implemented  Checkout Completed        checkoutCompleted  src/checkout.ts:5\n"
        "missing      Product Viewed            productViewed\n"
        "implemented  Search Performed          searchPerformed    src/search.ts:4\n"
        "implemented  Signed Up                 signedUp           src/signup.ts:5 (+1 more)\n"
        'unknown      "Subscription Cancelled"                     src/checkout.ts:9\n'
        'unknown      "Search Abandoned"                           src/search.ts:5\n'
        "4 events: 3 implemented, 1 missing; 2 unknown calls; 4 files scanned\n",
    )


def test_json_lists_every_call(ts_app: Path, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    code, output = status(run_cli, ts_app, plan_repo, "--lang", "ts", "--source", "web", "--format", "json")
    doc = json.loads(output)
    assert code == 0
    signed_up = next(e for e in doc["events"] if e["event"] == "Signed Up")
    assert signed_up == {
        "event": "Signed Up",
        "function": "signedUp",
        "status": "implemented",
        "calls": [
            {"path": "src/signup.ts", "line": 5, "call": "signedUp", "kind": "function"},
            {"path": "src/signup.ts", "line": 9, "call": "sign_up", "kind": "track"},
        ],
    }
    assert doc["unknown"] == [
        {"event": "Subscription Cancelled", "path": "src/checkout.ts", "line": 9},
        {"event": "Search Abandoned", "path": "src/search.ts", "line": 5},
    ]
    assert doc["summary"] == {"events": 4, "implemented": 3, "missing": 1, "unknown": 2, "files": 4}


def test_fail_on_exits_1_for_ci(ts_app: Path, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    base = ("--lang", "ts", "--source", "web")
    assert status(run_cli, ts_app, plan_repo, *base, "--fail-on", "missing")[0] == 1
    assert status(run_cli, ts_app, plan_repo, *base, "--fail-on", "unknown")[0] == 1
    # One file: three events are missing from it, but only unknown calls fail this run.
    only = status(run_cli, ts_app, plan_repo, *base, "--fail-on", "unknown", "src/signup.ts")
    assert only == (
        0,
        "missing      Checkout Completed  checkoutCompleted\n"
        "missing      Product Viewed      productViewed\n"
        "missing      Search Performed    searchPerformed\n"
        "implemented  Signed Up           signedUp           src/signup.ts:5 (+1 more)\n"
        "4 events: 1 implemented, 3 missing; 0 unknown calls; 1 files scanned\n",
    )


def test_python_app(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    app = fixture_app("app-python", tmp_path)
    assert status(run_cli, app, plan_repo, "--lang", "python", "--source", "backend", "--fail-on", "missing") == (
        1,
        "implemented  Checkout Completed      checkout_completed      app/views.py:6\n"
        "implemented  Signed Up               signed_up               app/views.py:10\n"
        "missing      Subscription Cancelled  subscription_cancelled\n"
        'unknown      "Ghost Event"                                   app/views.py:11\n'
        "3 events: 2 implemented, 1 missing; 1 unknown call; 2 files scanned\n",
    )


def test_a_path_that_does_not_exist_is_exit_2(ts_app: Path, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert status(run_cli, ts_app, plan_repo, "--lang", "ts", "nowhere") == (
        2,
        "trackplan: error: nowhere: no such file or folder\n",
    )


def test_gitignore_rules(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    files = [
        "a.log",
        "keep.log",
        "src/app.ts",
        "src/deep/x.min.js",
        "src/build/out.ts",
        "build/top.ts",
        "docs/build",
        "lib/vendor/v.ts",
        "lib/other/o.ts",
        "notes/a/b/c.md",
        "private.ts",
    ]
    for name in files:
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text("")
    git(tmp_path, "init", "-q", str(repo))
    (repo / ".gitignore").write_text("# comment\n*.log\n!keep.log\n/build/\n**/*.min.js\nlib/**/v.ts\nnotes/**\n")
    (repo / "src" / ".gitignore").write_text("build/\n")
    (repo / ".git" / "info" / "exclude").write_text("private.ts\n")
    listed = sorted(p.relative_to(repo).as_posix() for p in ignore.files(repo))
    assert listed == [".gitignore", "docs/build", "keep.log", "lib/other/o.ts", "src/.gitignore", "src/app.ts"]
    # Scanning a folder applies the .gitignore files above it, up to the repository's top.
    assert sorted(p.relative_to(repo).as_posix() for p in ignore.files(repo / "src")) == [
        "src/.gitignore",
        "src/app.ts",
    ]

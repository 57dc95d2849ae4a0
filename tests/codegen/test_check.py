"""`codegen --check`: a fresh file passes, a plan change or a hand edit fails it (exit 1), and
commits that leave the plan alone (an app beside it) keep it up to date."""

from __future__ import annotations

from pathlib import Path

from tests.codegen.support import commit_all, git
from tests.helpers import CliRunnerCall


def codegen(run_cli: CliRunnerCall, repo: Path, *args: str) -> tuple[int, str]:
    result = run_cli("-C", repo, "codegen", "--lang", "ts", "--source", "web", *args)
    return result.exit_code, result.stdout + result.stderr


def test_a_fresh_file_passes_and_a_plan_change_fails(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts")[0] == 0
    old = git(plan_repo, "rev-parse", "HEAD")
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts", "--check") == (
        0,
        f"tracking.ts is up to date with the plan at HEAD (commit {old[:12]})\n",
    )
    event = plan_repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("enum: [email, google, apple]", "enum: [email, google, apple, sso]"))
    new = commit_all(plan_repo, "Sign-up by SSO")
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts", "--check") == (
        1,
        f"tracking.ts was generated from commit {old[:12]}; the plan at HEAD is at commit {new[:12]}: "
        "run `trackplan codegen --lang ts --source web -o tracking.ts`\n",
    )
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts")[0] == 0
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts", "--check")[0] == 0
    signup_method = next(line for line in (plan_repo / "tracking.ts").open() if "readonly signup_method" in line)
    assert '"sso"' in signup_method


def test_a_hand_edit_or_other_options_fail(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    codegen(run_cli, plan_repo, "-o", "tracking.ts")
    commit = git(plan_repo, "rev-parse", "HEAD")[:12]
    file = plan_repo / "tracking.ts"
    file.write_text(file.read_text().replace("readonly coupon?: string;", "readonly coupon?: any;"))
    differs = (
        f"tracking.ts differs from what commit {commit} generates (edited, or generated with other options or "
        "another trackplan version): run `trackplan codegen --lang ts --source web -o tracking.ts`\n"
    )
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts", "--check") == (1, differs)
    codegen(run_cli, plan_repo, "-o", "tracking.ts")
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts", "--check", "--validate", "none")[0] == 1


def test_a_missing_file_fails_and_check_needs_a_file(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert codegen(run_cli, plan_repo, "-o", "src/tracking.ts", "--check") == (
        1,
        "src/tracking.ts does not exist: run `trackplan codegen --lang ts --source web -o src/tracking.ts` to write it\n",
    )
    assert codegen(run_cli, plan_repo, "--check") == (
        2,
        "trackplan: error: --check needs -o FILE: the generated file to compare\n",
    )


def test_commits_to_the_app_beside_the_plan_keep_the_file_up_to_date(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    app = tmp_path / "app"
    (app / "src").mkdir(parents=True)
    (app / "src" / "main.ts").write_text("export {};\n")
    git(tmp_path, "init", "-q", "-b", "main", str(app))
    commit_all(app, "App")
    assert run_cli("init", app / "plan").exit_code == 0
    plan_commit = git(app, "rev-parse", "HEAD")
    assert codegen(run_cli, app / "plan", "-o", "../src/tracking.ts")[0] == 0
    (app / "src" / "main.ts").write_text("import { signedUp } from './tracking';\n")
    commit_all(app, "Track sign-ups")
    assert codegen(run_cli, app / "plan", "-o", "../src/tracking.ts", "--check") == (
        0,
        f"../src/tracking.ts is up to date with the plan at HEAD (commit {plan_commit[:12]})\n",
    )
    assert f"Commit:   {plan_commit}" in (app / "src" / "tracking.ts").read_text()
    (app / "plan" / "identify.yaml").write_text(
        (app / "plan" / "identify.yaml").read_text() + "additionalProperties: false\n"
    )
    commit_all(app, "Close the traits")
    assert codegen(run_cli, app / "plan", "-o", "../src/tracking.ts", "--check")[0] == 1


def test_a_shallow_clone_is_told_to_fetch_the_history(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    plan_commit = git(plan_repo, "rev-parse", "HEAD")
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts")[0] == 0
    commit_all(plan_repo, "Track")  # a commit of the generated file: not a change to the plan
    assert codegen(run_cli, plan_repo, "-o", "tracking.ts", "--check")[0] == 0
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{plan_repo}", str(clone))
    head = git(clone, "rev-parse", "HEAD")
    assert codegen(run_cli, clone, "-o", "tracking.ts", "--check") == (
        1,
        f"tracking.ts was generated from commit {plan_commit[:12]} (not in this clone: fetch the history, "
        f"as with fetch-depth: 0); the plan at HEAD is at commit {head[:12]}: "
        "run `trackplan codegen --lang ts --source web -o tracking.ts`\n",
    )

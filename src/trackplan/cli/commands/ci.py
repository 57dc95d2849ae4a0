"""trackplan ci: the one command a pull request runs."""

from __future__ import annotations

import json
import os
import subprocess
from datetime import UTC, datetime
from typing import TYPE_CHECKING

import click

from trackplan.cli.commands.diff import fails
from trackplan.cli.context import AppContext, pass_context

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace


@click.command("ci")
@click.option("--base", default=None, help="Base ref (default: the PR base from the GitHub environment).")
@click.option("--fail-on", type=click.Choice(["breaking", "warning", "never"]), default="breaking", show_default=True)
@click.option(
    "--comment/--no-comment",
    default=True,
    show_default=True,
    help="Create or update one sticky PR comment (needs GITHUB_TOKEN or --token).",
)
@click.option("--token", envvar="GITHUB_TOKEN", default=None, help="GitHub token (default: $GITHUB_TOKEN).")
@pass_context
def command(ctx: AppContext, base: str | None, fail_on: str, comment: bool, token: str | None) -> None:
    """Validate the plan, diff it against the PR base, annotate, summarise and comment.

    Reads GITHUB_EVENT_PATH, GITHUB_REPOSITORY, GITHUB_STEP_SUMMARY, GITHUB_OUTPUT and
    GITHUB_API_URL when they are set; outside Actions pass --base. Writes the outputs
    breaking-count, warning-count and changed-events.

    \b
    Examples:
      trackplan ci                       # in a pull_request workflow
      trackplan ci --base origin/main --no-comment
    """
    from trackplan.ci.github import GitHub, pull_request_from_env, write_outputs
    from trackplan.diffing import run as reviewing
    from trackplan.errors import InputError, RefError
    from trackplan.report import ReportContext, render

    ws = ctx.workspace()
    pr = pull_request_from_env()
    base_ref = base or (pr.base_sha if pr else None) or (f"origin/{pr.base_ref}" if pr and pr.base_ref else None)
    if base_ref is None:
        raise InputError("no base to compare with: pass --base REF (outside a pull_request workflow)")
    try:
        base_commit = ws.store.resolve(base_ref)
    except RefError:
        base_commit = _fetch_base(ws, base_ref)
    validation_failed = _validate(ws)
    merge_base = ws.store.merge_base(base_commit, ws.store.resolve("HEAD")) or base_commit
    result = reviewing.diff_refs(ws, merge_base, "HEAD")
    workflow = os.environ.get("GITHUB_WORKFLOW", "trackplan")
    job = os.environ.get("GITHUB_JOB", "review")
    server, repo, run_id = (os.environ.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    context = ReportContext(
        base_label=f"{pr.base_ref}@{base_commit[:7]}" if pr and pr.base_ref else base_ref,
        head_label=ws.store.resolve("HEAD")[:7],
        source_text=lambda path: _text(ws, path),
        marker=f"trackplan:{workflow}:{job}",
        run_url=f"{server}/{repo}/actions/runs/{run_id}" if server and repo and run_id else None,
        updated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        extra={"path_prefix": f"{ws.prefix}/" if ws.prefix else ""},
    )
    click.echo(render(result, "github", context), nl=False)
    counts = result.counts()
    write_outputs(
        {
            "breaking-count": str(counts["breaking"]),
            "warning-count": str(counts["warning"]),
            "changed-events": json.dumps(result.changed_events),
        }
    )
    if comment and pr is not None:
        if pr.from_fork:
            click.echo("Pull request from a fork: the token is read-only, so no comment is posted.")
        elif not token:
            click.echo("No GITHUB_TOKEN: the review comment is skipped (the job summary has the report).")
        else:
            action, comment_id = GitHub(token).upsert_comment(pr, context.marker, render(result, "markdown", context))
            click.echo(f"Review comment {action} (id {comment_id}).")
    if validation_failed or fails(counts, fail_on):
        click.get_current_context().exit(1)


def _text(ws: Workspace, path: str) -> str | None:
    try:
        return ws.read_text("HEAD", path)
    except Exception:
        return None


def _fetch_base(ws: Workspace, base_ref: str) -> str:
    """The base is missing from a shallow clone: fetch just that commit, or say how."""
    from trackplan.errors import RefError

    target = base_ref.removeprefix("origin/")
    command = ["git", "fetch", "--no-tags", "--depth=1", "origin", target]
    fetched = subprocess.run(
        command,
        cwd=ws.root,
        capture_output=True,
        text=True,
        check=False,
        stdin=subprocess.DEVNULL,
        env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for credentials in CI
    )
    for candidate in (base_ref, "FETCH_HEAD"):
        try:
            return ws.store.resolve(candidate)
        except RefError:
            continue
    raise RefError(
        f"the base {base_ref!r} is not in this clone (shallow checkout?) and fetching it failed "
        f"({fetched.stderr.strip().splitlines()[-1] if fetched.stderr.strip() else 'no remote'}); run "
        f"`{' '.join(command)}` or check out with fetch-depth: 0"
    )


def _validate(ws: Workspace) -> bool:
    """Lint the plan at HEAD and print annotations; True when it found errors."""
    from trackplan.linting.engine import lint_ref

    report = lint_ref(ws, "HEAD")
    prefix = f"{ws.prefix}/" if ws.prefix else ""
    for finding in report.findings[:50]:
        click.echo(finding.annotation(prefix))
    return report.has_errors

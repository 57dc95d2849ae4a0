"""trackplan ci: the one command a pull request runs."""

from __future__ import annotations

import os

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import fail_on_option, non_empty


@click.command("ci")
@click.option(
    "--base",
    default=None,
    help="Base ref (default: the PR base from the GitHub environment).",
    callback=non_empty,
)
@fail_on_option("change", default="breaking", explained=False)
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
    from trackplan.ci.run import CiRequest, run_ci

    request = CiRequest(base, fail_on, comment, token)
    outcome = run_ci(ctx.workspace(), request, os.environ, lambda text: click.echo(text, nl=False))
    if outcome.failed:
        click.get_current_context().exit(1)

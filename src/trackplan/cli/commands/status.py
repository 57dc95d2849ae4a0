"""trackplan status: which of the plan's events an app calls, which it misses, and calls of
events the plan does not know."""

from __future__ import annotations

from pathlib import Path

import click

from trackplan.cli.context import AppContext, echo_document, pass_context
from trackplan.cli.options import format_option, lang_option, ref_option, source_option, tracking_plan_option
from trackplan.codegen import STATUS_FAIL_ON


@click.command("status")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@lang_option("The language of the app's code.")
@source_option()
@tracking_plan_option()
@ref_option()
@format_option("text", "json")
@click.option(
    "--fail-on",
    type=click.Choice(STATUS_FAIL_ON),
    multiple=True,
    help="Exit 1 when an event is missing, or when a call names an unknown event (repeatable).",
)
@pass_context
def command(
    ctx: AppContext,
    paths: tuple[Path, ...],
    lang: str,
    source: str | None,
    tracking_plan: str | None,
    ref: str,
    output_format: str,
    fail_on: tuple[str, ...],
) -> None:
    """Scan PATHS (default: the current folder), skipping what .gitignore ignores, for calls
    of the functions `trackplan codegen` generates and for raw track("Event Name") calls.
    Each event is implemented (with file:line) or missing; raw calls of events the selection
    does not hold are unknown.

    \b
    Examples:
      trackplan status --lang ts --source web src/
      trackplan status --lang python --source backend app/ --format json
      trackplan status --lang ts --source web --fail-on missing     # in CI
    """
    from trackplan.codegen.status import StatusRequest, render_text, scan

    report = scan(ctx.workspace(), StatusRequest(lang, paths, ref, source, tracking_plan), ctx.cwd)
    if output_format == "json":
        echo_document(**report.to_json())
    else:
        click.echo(render_text(report), nl=False)
    if report.fails(fail_on):
        click.get_current_context().exit(1)

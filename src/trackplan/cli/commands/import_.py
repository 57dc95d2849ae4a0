"""trackplan import: an external plan becomes one reviewable commit on a plan branch."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

import click

from trackplan.cli.context import AppContext, echo_document, pass_context
from trackplan.cli.options import branch_option, color_option, complete_refs, format_option, non_empty, severity_style
from trackplan.formats import IMPORT_FORMATS as PLAN_FORMATS
from trackplan.importing.merge import METHODS
from trackplan.report import plural

if TYPE_CHECKING:
    from trackplan.importing.run import ImportOutcome
    from trackplan.report.context import Style

FORMATS = ("auto", *PLAN_FORMATS)


@click.command("import")
@click.argument("file")
@click.option(
    "--from",
    "fmt",
    type=click.Choice(FORMATS),
    default="auto",
    show_default=True,
    help="Input format.",
)
@click.option(
    "--method",
    type=click.Choice(METHODS),
    default="addOnly",
    show_default=True,
    help="How to merge.",
)
@click.option(
    "--source",
    default=None,
    help="itly source-specific import: link the file's events to SOURCE.",
    callback=non_empty,
)
@branch_option()
@click.option(
    "--base",
    default=None,
    help="Where a new --branch starts (default: the plan's main branch).",
    callback=non_empty,
    shell_complete=complete_refs,
)
@click.option("--message", "-m", default=None, help="Commit summary line.", callback=non_empty)
@click.option("--dry-run", is_flag=True, help="Show what would change; write nothing.")
@click.option("--skip-invalid", is_flag=True, help="A folder: import the readable files, warn for each one skipped.")
@click.option(
    "--max-bytes",
    type=int,
    default=32 * 1024 * 1024,
    show_default=True,
    help="Refuse larger inputs.",
)
@format_option("text", "json", help=None, json_errors=True)
@color_option()
@pass_context
def command(
    ctx: AppContext,
    file: str,
    fmt: str,
    method: str,
    source: str | None,
    branch: str | None,
    base: str | None,
    message: str | None,
    dry_run: bool,
    skip_invalid: bool,
    max_bytes: int,
    output_format: str,
    color: str,
) -> None:
    """Import FILE (or - for stdin) into a plan branch as one commit.

    Formats are detected from the content: Avo CSV layouts, Avo JSON export, standard JSON
    Schema, itly, Ampli, Segment, RudderStack (rudder-cli), Snowplow/Iglu (file or folder),
    snowplow-cli data structures and data products, and trackplan bundles. Methods
    follow Avo's Import API; `sync` is itly's account-wide import. Protected branches are
    refused: import into a branch and open a pull request.

    \b
    Examples:
      trackplan import avo-export.json --branch import/avo --method addAndUpdate
      trackplan import plan.csv --branch import/sheet --dry-run
      trackplan import web-events.json --from itly --source web --branch itly/web
      cat plan.json | trackplan import - --branch import/stdin --format json
    """
    from trackplan.cli.progress import progress_for
    from trackplan.formats import read_input
    from trackplan.importing.run import ImportRequest, run_import

    data, name = read_input(file, sys.stdin.buffer, max_bytes)
    request = ImportRequest(data, name, fmt, method, source, branch, base, message, dry_run, skip_invalid)
    with progress_for("importing", "events read", output_format) as progress:
        outcome = run_import(ctx.workspace(), request, progress)
    result = outcome.result
    if output_format == "json":
        if dry_run:
            text = "Dry run: nothing was written"
        else:
            text = "Import completed" if outcome.commit else "Import completed: no changes"
        echo_document(message=text, result=result.counts(), warnings=result.warnings)
        return
    for warning in result.warnings:
        click.echo(f"warning: {warning}", err=True)
    _echo_summary(outcome, click.format_filename(name), method, dry_run, severity_style(color))


def _echo_summary(outcome: ImportOutcome, name: str, method: str, dry_run: bool, style: Style | None) -> None:
    counts = ", ".join(f"{k} {v}" for k, v in outcome.result.counts().items())
    if dry_run:
        from trackplan.report.context import ReportContext
        from trackplan.report.diff import render

        click.echo(f"Dry run for branch {outcome.branch!r} ({outcome.format}, {method}): {counts}")
        for path in outcome.changed_paths:
            click.echo(f"  would write {path}")
        if not outcome.changed_paths:
            click.echo("No changes.")
        else:
            labels = ReportContext(outcome.diff.base, f"{outcome.diff.head} (after import)", style=style)
            click.echo(render(outcome.diff, "text", labels), nl=False, color=style is not None)
    elif outcome.commit is None:
        click.echo(f"No changes: the plan on {outcome.branch!r} already matches {name}; nothing committed.")
    else:
        click.echo(f"Imported {name} into {outcome.branch!r} as {outcome.commit[:12]} ({outcome.format}, {method})")
        click.echo(f"  {counts}; {plural(len(outcome.changed_paths), 'file')} changed")

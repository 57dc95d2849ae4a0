"""trackplan log: the plan's history with a change summary per commit."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, echo_document, pass_context
from trackplan.cli.options import complete_events, format_option, non_empty, ref_option


@click.command("log")
@ref_option(help="Where the history starts.")
@click.option(
    "--event",
    default=None,
    help="Only commits that touch this event, followed through renames.",
    callback=non_empty,
    shell_complete=complete_events,
)
@click.option("--before", default=None, help="Only commits at or before this ISO-8601 time.", callback=non_empty)
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N entries.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N entries.")
@click.option("--order", type=click.Choice(["asc", "desc"]), default="desc", show_default=True)
@format_option("text", "json", help=None)
@pass_context
def command(
    ctx: AppContext,
    ref: str,
    event: str | None,
    before: str | None,
    limit: int | None,
    offset: int,
    order: str,
    output_format: str,
) -> None:
    """Show the plan's history: each commit that changed the plan, with the events it
    added, updated and removed.

    \b
    Examples:
      trackplan log --limit 10
      trackplan log --event "Checkout Completed" --format json
      trackplan log --before 2026-01-01T00:00:00Z --order asc
    """
    from trackplan.diffing.history import LogRequest, history

    entries = history(ctx.workspace(), LogRequest(ref, event, before, limit, offset, order))
    if output_format == "json":
        echo_document(commits=[e.to_json() for e in entries])
        return
    for entry in entries:
        data = entry.to_json()
        click.echo(f"{entry.commit[:12]} {data['date']} {entry.summary}")
        for old, new in entry.renamed:
            click.echo(f"    > {old} -> {new}")
        for label, names in (("+", entry.added), ("~", entry.updated), ("-", entry.removed)):
            for name in names:
                click.echo(f"    {label} {name}")
        for path in entry.other_files:
            click.echo(f"    * {path}")

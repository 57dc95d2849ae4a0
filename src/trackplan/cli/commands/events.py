"""trackplan events: list the plan's events."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, echo_json, pass_context
from trackplan.cli.options import format_option, ref_option
from trackplan.report import plural


@click.command("events")
@ref_option()
@format_option("text", "json")
@pass_context
def command(ctx: AppContext, ref: str, output_format: str) -> None:
    """List events with their sources, tags and owner.

    \b
    Examples:
      trackplan events
      trackplan events --ref main~3 --format json
    """
    from trackplan.repo.browse import event_rows

    rows = event_rows(ctx.workspace(), ref)
    if output_format == "json":
        echo_json(rows)
        return
    if not rows:
        click.echo("No events.")
        return
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        sources = ",".join(row["sources"]) or "-"
        tags = ",".join(row["tags"]) or "-"
        click.echo(f"{row['name']:<{width}}  sources={sources}  tags={tags}  owner={row['owner'] or '-'}")
    click.echo(f"{plural(len(rows), 'event')} at {ref}")

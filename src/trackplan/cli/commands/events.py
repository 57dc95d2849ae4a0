"""trackplan events: list the plan's events."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, echo_document, pass_context, read_ref
from trackplan.cli.options import format_option, worktree_ref_option
from trackplan.report import plural


@click.command("events")
@worktree_ref_option()
@format_option("text", "json")
@pass_context
def command(ctx: AppContext, ref: str | None, output_format: str) -> None:
    """List events with their sources, tags and owner.

    \b
    Examples:
      trackplan events
      trackplan events --ref main~3 --format json
    """
    from trackplan.repo.browse import event_rows

    ws = ctx.workspace()
    rows = event_rows(ws, read_ref(ws, ref))
    if output_format == "json":
        echo_document(events=rows)
        return
    if not rows:
        click.echo("No events.")
        return
    width = max(len(r["name"]) for r in rows)
    for row in rows:
        sources = ",".join(row["sources"]) or "-"
        tags = ",".join(row["tags"]) or "-"
        click.echo(f"{row['name']:<{width}}  sources={sources}  tags={tags}  owner={row['owner'] or '-'}")
    click.echo(f"{plural(len(rows), 'event')} {'in the work tree' if ref is None else f'at {ref}'}")

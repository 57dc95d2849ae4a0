"""trackplan show: print one event."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, echo_document, pass_context, read_ref
from trackplan.cli.options import complete_events, format_option, worktree_ref_option


@click.command("show")
@click.argument("event", shell_complete=complete_events)
@worktree_ref_option()
@format_option("yaml", "json")
@pass_context
def command(ctx: AppContext, event: str, ref: str | None, output_format: str) -> None:
    """Print one event: the file as stored (yaml) or the event document (json).

    EVENT is the event name (any case, when only one event matches) or its file path; an
    unknown name is an error that suggests the closest names.

    \b
    Examples:
      trackplan show "Checkout Completed"
      trackplan show "Checkout Completed" --ref v1.0 --format json | jq .event.properties
    """
    from trackplan.repo.browse import find_event

    ws = ctx.workspace()
    path, text = find_event(ws, read_ref(ws, ref), event)
    if output_format == "json":
        from trackplan.repo.reading import parse_document

        echo_document(path=path, event=parse_document(text.encode(), path))
    else:
        click.echo(text, nl=False)

"""trackplan show: print one event."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, echo_json, pass_context
from trackplan.cli.options import format_option, ref_option


@click.command("show")
@click.argument("event")
@ref_option()
@format_option("yaml", "json")
@pass_context
def command(ctx: AppContext, event: str, ref: str, output_format: str) -> None:
    """Print one event: the file as stored (yaml) or the event document (json).

    EVENT is the event name (any case, when only one event matches) or its file path; an
    unknown name is an error that suggests the closest names.

    \b
    Examples:
      trackplan show "Checkout Completed"
      trackplan show "Checkout Completed" --ref v1.0 --format json | jq .properties
    """
    from trackplan.repo.browse import find_event

    path, text = find_event(ctx.workspace(), ref, event)
    if output_format == "json":
        from trackplan.repo.reading import parse_document

        echo_json(parse_document(text.encode(), path))
    else:
        click.echo(text, nl=False)

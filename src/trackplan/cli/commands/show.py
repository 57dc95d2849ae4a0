"""trackplan show: print one event."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, echo_json, pass_context
from trackplan.cli.options import format_option, ref_option
from trackplan.errors import InputError


@click.command("show")
@click.argument("event")
@ref_option()
@format_option("yaml", "json")
@pass_context
def command(ctx: AppContext, event: str, ref: str, output_format: str) -> None:
    """Print one event: the file as stored (yaml) or the event document (json).

    EVENT is the event name or its file path.

    \b
    Examples:
      trackplan show "Checkout Completed"
      trackplan show "Checkout Completed" --ref v1.0 --format json | jq .properties
    """
    workspace = ctx.workspace()
    loaded = workspace.load(ref)
    # Only the index is needed: the event's file is found by name or path, never parsing others.
    path = loaded.event_paths.get(event)
    if path is None:
        # A file path, or a file name wherever the layout keeps it.
        path = next((p for p in loaded.event_paths.values() if event in (p, p.rsplit("/", 1)[-1])), None)
    if path is None:
        known = ", ".join(sorted(loaded.event_paths)[:20])
        raise InputError(f"no event {event!r} at {ref}; known events: {known}")
    text = workspace.read_text(ref, path)
    if output_format == "json":
        from trackplan.repo.reading import parse_document

        echo_json(parse_document(text.encode(), path))
    else:
        click.echo(text, nl=False)

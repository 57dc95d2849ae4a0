"""trackplan layout: switch the events folder between the flat and the sharded layout."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import branch_option, events_layout_argument


@click.command("layout")
@events_layout_argument()
@branch_option()
@pass_context
def command(ctx: AppContext, events_layout: str, branch: str | None) -> None:
    """Move every event file to the EVENTS_LAYOUT layout, as one commit.

    flat keeps events/<slug>.yaml. sharded keeps events/<xx>/<slug>.yaml, spread over 256
    folders by a hash of the file name: with thousands of events, commits and diffs then
    cost what the change costs, and GitHub can list every folder (it truncates listings
    at 1,000 files). Files move unchanged, so git shows renames and history follows.

    \b
    Examples:
      trackplan layout sharded --branch plan/sharded
      trackplan layout flat
    """
    from trackplan.repo.relayout import relayout

    result = relayout(ctx.workspace(), events_layout, branch)
    if result.commit is None:
        click.echo(f"The plan on {result.branch!r} already uses the {events_layout} layout; nothing to commit.")
    else:
        click.echo(
            f"Moved {result.moved} event files on {result.branch!r} to the {events_layout} layout "
            f"(commit {result.commit[:12]})"
        )

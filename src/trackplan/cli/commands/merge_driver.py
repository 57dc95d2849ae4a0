"""trackplan merge-driver: git's merge driver for plan files (`merge.trackplan.driver`)."""

from __future__ import annotations

from pathlib import Path

import click

from trackplan.cli.context import AppContext, pass_context


@click.command("merge-driver")
@click.argument("base", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("ours", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("theirs", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.argument("marker_size", type=click.IntRange(min=1))
@click.argument("path")
@pass_context
def command(ctx: AppContext, base: Path, ours: Path, theirs: Path, marker_size: int, path: str) -> None:
    """Merge one plan file as git's merge driver: BASE, OURS (rewritten with the result) and
    THEIRS are git's %O %A %B, MARKER_SIZE its %L and PATH its %P.

    Properties merge key by key; required, enum, tags, sources, stakeholders and categories
    as ordered sets; x-version is recomputed. Conflict markers surround only the
    conflicting keys, with one line per conflict on stderr, and the exit status is 1. A file
    that does not parse goes to `git merge-file`, with its exit status. Set it up with
    `trackplan setup-merge-driver`.

    \b
    Examples (git runs it; by hand, the same arguments):
      git config merge.trackplan.driver "trackplan merge-driver %O %A %B %L %P"
      trackplan merge-driver base.yaml ours.yaml theirs.yaml 7 events/checkout-completed.yaml
    """
    from trackplan.merging.run import run_driver

    outcome = run_driver(ctx.cwd, (base, ours, theirs), marker_size, path)
    for line in outcome.summaries:
        click.echo(f"trackplan: conflict: {line}" if outcome.status else f"trackplan: {line}", err=True)
    click.get_current_context().exit(outcome.status)

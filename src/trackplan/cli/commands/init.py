"""trackplan init: a new plan repository from the bundled template."""

from __future__ import annotations

from pathlib import Path

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import events_layout_option, non_empty


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option("--name", default=None, help="The plan's name (default: the folder name).", callback=non_empty)
@click.option("--empty", is_flag=True, help="Start with no example events and no identify traits.")
@events_layout_option()
@pass_context
def command(ctx: AppContext, directory: Path, name: str | None, empty: bool, events_layout: str) -> None:
    """Create a plan: git init plus a first commit, or a plan folder in an existing repo.

    \b
    Examples:
      trackplan init my-plan --name "Acme tracking plan"
      trackplan init analytics/plan      # inside an app repository
      trackplan init big-plan --layout sharded
    """
    from trackplan.repo.scaffold import init_plan

    target = (ctx.cwd / directory).resolve()
    result = init_plan(target, name=name, with_examples=not empty, events_layout=events_layout)
    click.echo(f"Created plan {result.name!r} in {result.root} (commit {result.commit[:12]})")

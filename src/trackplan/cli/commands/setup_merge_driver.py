"""trackplan setup-merge-driver: route plan files to trackplan's merge driver in this clone."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context


@click.command("setup-merge-driver")
@pass_context
def command(ctx: AppContext) -> None:
    """Write the plan's .gitattributes lines (merge=trackplan for every plan file) and declare
    the driver in this clone's git config (.git/config), so `git merge`, `git rebase` and
    `git cherry-pick` merge plan files semantically. `trackplan init` does this for new plans;
    every other clone runs it once (git config is not versioned).

    \b
    Examples:
      trackplan setup-merge-driver && git add .gitattributes && git commit -m "Merge plan files with trackplan"
    """
    from trackplan.repo.merge import ATTRIBUTES_FILE, set_up_driver

    ws = ctx.workspace()
    changed = set_up_driver(ws)
    where = ws.repo_path(ATTRIBUTES_FILE)
    click.echo(f"{where}: {'updated; commit it' if changed else 'already routes plan files to the driver'}")
    click.echo("git config merge.trackplan.driver: set")

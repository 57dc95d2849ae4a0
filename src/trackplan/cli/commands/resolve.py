"""trackplan resolve: merge the conflicted plan files of a merge in progress."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context


@click.command("resolve")
@pass_context
def command(ctx: AppContext) -> None:
    """Resolve the plan files a `git merge` (or rebase, cherry-pick) left conflicted, with the
    merge driver's logic, from git's index stages: each file merged cleanly is written and
    staged. The conflicts left are listed, and the exit status is then 1.

    \b
    Examples:
      git merge plan/checkout-v2 && trackplan resolve && git commit --no-edit
    """
    from trackplan.merging.run import resolve

    outcome = resolve(ctx.workspace())
    for path in outcome.resolved:
        click.echo(f"resolved {path}")
    for line in outcome.unresolved:
        click.echo(f"trackplan: conflict: {line}", err=True)
    if outcome.unresolved:
        click.get_current_context().exit(1)

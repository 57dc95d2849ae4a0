"""trackplan merge: merge one branch into another as a merge commit, without a checkout."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import complete_refs


@click.command("merge")
@click.argument("source", shell_complete=complete_refs)
@click.option(
    "--into", "target", required=True, help="The branch that takes the merge commit.", shell_complete=complete_refs
)
@click.option("--message", "-m", default=None, help="The merge commit's message.")
@click.option("--allow-protected", is_flag=True, help="Merge into a protected branch (protected_branches).")
@pass_context
def command(ctx: AppContext, source: str, target: str, message: str | None, allow_protected: bool) -> None:
    """Merge SOURCE (any ref) into the branch TARGET through git's tree merge, plan files
    merged as the merge driver merges them: what a bot, CI or a server runs, since merge
    buttons never run merge drivers. Works in a bare repository.

    Conflicts refuse the merge (exit 3) with the list of them, and nothing is written. A
    protected target takes a merge only with --allow-protected.

    \b
    Examples:
      trackplan merge plan/checkout-v2 --into plan/release
      trackplan merge plan/release --into main --allow-protected -m "Release 12"
    """
    from trackplan.merging.run import MergeConflictError, merge_refs

    try:
        outcome = merge_refs(ctx.workspace(), source, target, message, allow_protected)
    except MergeConflictError as exc:
        for line in exc.conflicts:
            click.echo(f"trackplan: conflict: {line}", err=True)
        raise
    if outcome.commit is None:
        click.echo(f"{source} is already merged into {target!r}; nothing to commit.")
        return
    for path in outcome.resolved:
        click.echo(f"merged {path}")
    click.echo(f"Merged {source} into {target!r} (commit {outcome.commit[:12]})")

"""trackplan codeowners: the plan's owners as a managed block of .github/CODEOWNERS."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import ref_option


@click.command("codeowners")
@ref_option()
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 when .github/CODEOWNERS differs from what would be written."
)
@pass_context
def command(ctx: AppContext, ref: str, check: bool) -> None:
    """Write who reviews each event and tracking-plan file into .github/CODEOWNERS: the
    event's owning domain (`domains: [{name, github}]` in trackplan.yaml) and the owners of
    every tracking plan that references it. The block is replaced in place and kept last,
    since GitHub takes the last matching line; commit the file as you would codegen's.

    \b
    Examples:
      trackplan codeowners
      trackplan codeowners --check     # in CI (trackplan ci checks it too)
    """
    from trackplan.codeowners.run import check as check_file
    from trackplan.codeowners.run import codeowners_path, write

    workspace = ctx.workspace()
    if check:
        target = codeowners_path(workspace)
        outcome = check_file(workspace, ref, target.read_text(encoding="utf-8") if target.is_file() else None)
    else:
        outcome = write(workspace, ref)
    for note in outcome.ownership.notes:
        click.echo(f"trackplan: note: {note}", err=True)
    click.echo(outcome.message)
    if not outcome.up_to_date:
        click.get_current_context().exit(1)

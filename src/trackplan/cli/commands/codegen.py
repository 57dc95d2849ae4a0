"""trackplan codegen: typed tracking code (TypeScript or Python) from the plan at any ref."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import lang_option, ref_option, source_option, tracking_plan_option
from trackplan.codegen import VALIDATE_MODES


@click.command("codegen")
@lang_option("The language to generate.")
@source_option()
@tracking_plan_option()
@ref_option()
@click.option("-o", "--output", default="-", show_default=True, help="File to write (- for stdout).")
@click.option(
    "--validate",
    type=click.Choice(VALIDATE_MODES),
    default="dev",
    show_default=True,
    help="Inline checks: none; dev (run unless setup() turns them off); always.",
)
@click.option(
    "--check", is_flag=True, help="Write nothing; exit 1 when the -o file differs from what would be written."
)
@pass_context
def command(
    ctx: AppContext,
    lang: str,
    source: str | None,
    tracking_plan: str | None,
    ref: str,
    output: str,
    validate: str,
    check: bool,
) -> None:
    """Generate typed tracking calls for the events of a source (or a tracking plan, or all):
    one file, with a function per event, typed identify and group, and a Transport
    interface to plug any analytics SDK into. The file's header names the plan, the ref and
    the last commit that changed the plan; --check compares a file with it, for CI.

    \b
    Examples:
      trackplan codegen --lang ts --source web -o src/tracking.ts
      trackplan codegen --lang python --source backend -o app/tracking.py --validate always
      trackplan codegen --lang ts --plan Checkout --ref v2.0 -o src/checkout-tracking.ts
      trackplan codegen --lang ts --source web -o src/tracking.ts --check     # in CI
    """
    from trackplan.codegen.run import CodegenRequest, check_file, generate, write
    from trackplan.errors import InputError

    if check and output == "-":
        raise InputError("--check needs -o FILE: the generated file to compare")
    workspace = ctx.workspace()
    generated = generate(workspace, CodegenRequest(lang, ref, source, tracking_plan, validate))
    for note in generated.notes:
        click.echo(f"trackplan: note: {note}", err=True)
    if check:
        outcome = check_file(workspace, ctx.cwd / output, output, generated)
        click.echo(outcome.message)
        if not outcome.up_to_date:
            click.get_current_context().exit(1)
    elif output == "-":
        click.echo(generated.text, nl=False)
    else:
        write(ctx.cwd / output, generated)
        click.echo(f"wrote {output}: {generated.events} events", err=True)

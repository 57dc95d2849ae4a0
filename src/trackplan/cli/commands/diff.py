"""trackplan diff: what changed between two refs, with breaking changes called out."""

from __future__ import annotations

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import color_option, complete_refs, fail_on_option, format_option, non_empty, severity_style
from trackplan.repo.refs import WORKTREE

# report.diff.FORMATS, spelled out: importing every renderer would slow the start of each command.
FORMATS = ("text", "json", "markdown", "github", "sarif")


@click.command("diff")
@click.argument("base", required=False, callback=non_empty, shell_complete=complete_refs)
@click.argument("head", required=False, callback=non_empty, shell_complete=complete_refs)
@format_option(*FORMATS, help=None)
@fail_on_option("change", default="never")
@click.option(
    "--profile",
    type=click.Choice(["validation", "consumer"]),
    default=None,
    help="Breaking-change profile (default: breaking_profile in trackplan.yaml).",
)
@click.option("--fix-versions", is_flag=True, help="Write the expected x-version into work-tree files.")
@color_option()
@pass_context
def command(
    ctx: AppContext,
    base: str | None,
    head: str | None,
    output_format: str,
    fail_on: str,
    profile: str | None,
    fix_versions: bool,
    color: str,
) -> None:
    """Show the plan changes from BASE to HEAD as add / update / remove change sets.

    BASE defaults to the merge base of the plan's main branch and HEAD; HEAD defaults to the
    work tree. `BASE..HEAD` and `BASE...HEAD` work as in git.

    \b
    Examples:
      trackplan diff                          # this branch's changes, uncommitted ones included
      trackplan diff main feature --format markdown
      trackplan diff v1.0...HEAD --fail-on breaking
      trackplan diff --fix-versions           # set the SchemaVer bumps the changes need
    """
    from trackplan.ci.github import append_step_summary
    from trackplan.ci.review import changes_fail, source_text_at
    from trackplan.diffing import run as diffing
    from trackplan.report.context import ReportContext
    from trackplan.report.diff import render, step_summary

    ws = ctx.workspace()
    span = diffing.parse_range(ws, base, head)
    result = diffing.diff_refs(ws, span.base, span.head, profile)
    context = ReportContext(
        base_label=_label(span.base_label),
        head_label=_label(span.head),
        source_text=source_text_at(ws, span.head),
        style=severity_style(color),
        path_prefix=ws.path_prefix,
    )
    click.echo(render(result, output_format, context), nl=False, color=context.style is not None)
    if output_format == "github":
        append_step_summary(step_summary(result, context))
    if fix_versions:
        for line in diffing.fix_versions(ws, result):
            click.echo(f"fixed {line}", err=True)
    if changes_fail(result.counts(), fail_on):
        click.get_current_context().exit(1)


def _label(ref: str) -> str:
    if ref == WORKTREE:
        return "work tree"
    return ref[:12] if len(ref) == 40 else ref

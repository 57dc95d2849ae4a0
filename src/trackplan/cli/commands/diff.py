"""trackplan diff: what changed between two refs, with breaking changes called out."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import color_option, complete_refs, fail_on_option, format_option, non_empty, severity_style
from trackplan.cli.quick_commits import ref_label

if TYPE_CHECKING:
    from trackplan.diffing.ranges import Range
    from trackplan.diffing.records import DiffResult
    from trackplan.repo.workspace import Workspace
    from trackplan.report.context import SourceText

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
    from trackplan.ci.review import changes_fail
    from trackplan.report.context import ReportContext
    from trackplan.report.diff import render, step_summary

    diffed = _diff(ctx, base, head, profile, fix_versions)
    result = diffed.result
    context = ReportContext(
        base_label=ref_label(diffed.span.base_label),
        head_label=ref_label(diffed.span.head),
        source_text=diffed.source_text,
        style=severity_style(color),
        path_prefix=diffed.path_prefix,
    )
    click.echo(render(result, output_format, context), nl=False, color=context.style is not None)
    if output_format == "github":
        from trackplan.ci.github import append_step_summary

        append_step_summary(step_summary(result, context))
    if fix_versions and diffed.ws is not None:
        from trackplan.diffing.run import fix_versions as fix

        for line in fix(diffed.ws, result):
            click.echo(f"fixed {line}", err=True)
    if changes_fail(result.counts(), fail_on):
        click.get_current_context().exit(1)


@dataclass(frozen=True)
class _Diffed:
    result: DiffResult
    span: Range
    path_prefix: str
    source_text: SourceText
    ws: Workspace | None  # None when none was opened: nothing differs, or no --fix-versions with two commits


def _diff(ctx: AppContext, base: str | None, head: str | None, profile: str | None, fix_versions: bool) -> _Diffed:
    """A default diff of a work tree git shows unchanged is empty, and is answered without
    reading the plan; a default diff of a changed one reads only the paths git lists. A diff
    of two commits is answered without pygit2 when git can name them."""
    if base is not None and not fix_versions:  # fixing writes into the work tree: a Workspace's
        from trackplan.diffing.commits import diff_commits

        quick = diff_commits(ctx.cwd, ctx.plan_dir, base, head, profile)
        if quick is not None:
            return _Diffed(quick.result, quick.span, quick.path_prefix, quick.source_text, None)
    from trackplan.diffing.ranges import parse_range, worktree_state
    from trackplan.diffing.records import DiffResult

    state = worktree_state(ctx.cwd, ctx.plan_dir, profile) if base is None and head is None else None
    if state is not None and state.unchanged:
        empty = DiffResult([], [], state.span.base, state.span.head)
        return _Diffed(empty, state.span, state.path_prefix, lambda path: None, None)
    from trackplan.ci.review import source_text_at
    from trackplan.diffing.run import diff_refs

    ws = ctx.workspace()
    span = parse_range(ws, base, head)
    listed = state.listed if state is not None and state.span == span else None
    result = diff_refs(ws, span.base, span.head, profile, listed)
    return _Diffed(result, span, ws.path_prefix, source_text_at(ws, span.head), ws)

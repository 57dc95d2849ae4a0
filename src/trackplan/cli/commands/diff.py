"""trackplan diff: what changed between two refs, with breaking changes called out."""

from __future__ import annotations

import os
import sys

import click

from trackplan.cli.context import AppContext, pass_context

FORMATS = ("text", "json", "markdown", "github", "sarif")


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def fails(counts: dict[str, int], fail_on: str) -> bool:
    if fail_on == "breaking":
        return counts["breaking"] > 0
    if fail_on == "warning":
        return counts["breaking"] + counts["warning"] > 0
    return False


@click.command("diff")
@click.argument("base", required=False)
@click.argument("head", required=False)
@click.option("--format", "output_format", type=click.Choice(FORMATS), default="text", show_default=True)
@click.option(
    "--fail-on",
    type=click.Choice(["breaking", "warning", "never"]),
    default="never",
    show_default=True,
    help="Exit 1 when a change of this severity (or worse) is found.",
)
@click.option(
    "--profile",
    type=click.Choice(["validation", "consumer"]),
    default=None,
    help="Breaking-change profile (default: breaking_profile in trackplan.yaml).",
)
@click.option("--fix-versions", is_flag=True, help="Write the expected x-version into work-tree files.")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True)
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
    from trackplan.diffing import run as reviewing
    from trackplan.report import ReportContext, render

    ws = ctx.workspace()
    span = reviewing.parse_range(ws, base, head)
    result = reviewing.diff_refs(ws, span.base, span.head, profile)

    def source_text(path: str) -> str | None:
        try:
            return ws.read_text(span.head, path)
        except Exception:
            return None

    context = ReportContext(
        base_label=_label(ws, span.base),
        head_label=_label(ws, span.head),
        source_text=source_text,
        color=use_color(color),
        extra={"path_prefix": f"{ws.prefix}/" if ws.prefix else ""},
    )
    click.echo(render(result, output_format, context), nl=False, color=context.color)
    if fix_versions:
        for line in reviewing.fix_versions(ws, result):
            click.echo(f"fixed {line}", err=True)
    if fails(result.counts(), fail_on):
        ctx_exit = click.get_current_context()
        ctx_exit.exit(1)


def _label(ws: object, ref: str) -> str:
    from trackplan.repo.refs import WORKTREE

    if ref == WORKTREE:
        return "work tree"
    return ref[:12] if len(ref) == 40 else ref

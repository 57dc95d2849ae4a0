"""trackplan validate: lint the plan."""

from __future__ import annotations

import os
from pathlib import Path

import click

from trackplan.cli.context import AppContext, pass_context


@click.command("validate")
@click.argument("paths", nargs=-1)
@click.option("--ref", default=None, help="Lint a commit instead of the work tree.")
@click.option("--worktree", is_flag=True, help="Lint the work tree (the default when there is one).")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json", "github", "sarif"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Exit 1 when a finding of this severity (or worse) is found.",
)
@pass_context
def command(
    ctx: AppContext, paths: tuple[str, ...], ref: str | None, worktree: bool, output_format: str, fail_on: str
) -> None:
    """Lint the plan: JSON Schema validity, names, x- keys, sources, owners, versions,
    refs, enums, drift between events. Findings carry file:line:col, rule and a hint.

    PATHS limit the findings to some files (as pre-commit passes them); the whole plan is
    still read, so cross-file rules see every event. Rules are listed in docs/rules.md and
    configured under `lint:` in trackplan.yaml.

    \b
    Examples:
      trackplan validate
      trackplan validate --ref main --format json
      trackplan validate events/signed-up.yaml --fail-on warning
    """
    from trackplan.linting.engine import lint_ref
    from trackplan.repo.refs import WORKTREE
    from trackplan.report.lint import render

    ws = ctx.workspace()
    target = ref if ref and not worktree else (WORKTREE if ws.store.workdir else "HEAD")
    only = None
    if paths:
        only = set()
        for given in paths:
            absolute = (ctx.cwd / given).resolve()
            try:
                only.add(Path(os.path.relpath(absolute, ws.root)).as_posix())
            except ValueError:
                continue
    report = lint_ref(ws, target, only)
    click.echo(render(report, output_format, f"{ws.prefix}/" if ws.prefix else ""), nl=False)
    counts = report.counts()
    if counts["error"] or (fail_on == "warning" and counts["warning"]):
        click.get_current_context().exit(1)

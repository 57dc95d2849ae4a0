"""trackplan validate: lint the plan."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trackplan.cli.context import AppContext, pass_context, read_ref
from trackplan.cli.options import color_option, fail_on_option, format_option, severity_style, worktree_ref_option

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace


@click.command("validate")
@click.argument("paths", nargs=-1)
@worktree_ref_option(help="Lint a commit instead of the work tree.")
@click.option("--worktree", is_flag=True, help="Lint the work tree (the default when there is one).")
@format_option("text", "json", "github", "sarif", help=None)
@fail_on_option("finding", default="error")
@color_option()
@pass_context
def command(
    ctx: AppContext,
    paths: tuple[str, ...],
    ref: str | None,
    worktree: bool,
    output_format: str,
    fail_on: str,
    color: str,
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
    from trackplan.ci.github import append_step_summary
    from trackplan.ci.review import findings_fail
    from trackplan.cli.progress import progress_for
    from trackplan.linting.run import lint_ref
    from trackplan.repo.merge import driver_warning
    from trackplan.report.lint import render, step_summary

    ws = ctx.workspace()
    if ws.store.workdir and (warning := driver_warning(ws)):
        click.echo(f"trackplan: warning: {warning}", err=True)
    target = read_ref(ws, None if worktree else ref)
    with progress_for("validating", "files", output_format) as progress:
        report = lint_ref(ws, target, _plan_paths(ws, ctx.cwd, paths) if paths else None, progress)
    style = severity_style(color)
    click.echo(render(report, output_format, ws.path_prefix, style), nl=False, color=style is not None)
    if output_format == "github":
        append_step_summary(step_summary(report, ws.path_prefix))
    if findings_fail(report.counts(), fail_on):
        click.get_current_context().exit(1)


def _plan_paths(ws: Workspace, cwd: Path, given: tuple[str, ...]) -> set[str]:
    """PATHS as paths in the plan. A file that is no plan file is left out, as pre-commit passes
    every YAML and JSON file; one that does not exist is kept, and linting it is an error."""
    from trackplan.repo.paths import is_plan_file
    from trackplan.trackingplans.layout import is_tracking_plan_file

    found = set()
    for path in given:
        named = cwd / path
        files = sorted(f for f in named.rglob("*") if f.is_file()) if named.is_dir() else [named]
        for file in files:  # a folder stands for the plan files in it
            try:
                in_plan = Path(os.path.relpath(file.resolve(), ws.root)).as_posix()
            except ValueError:  # on another drive than the plan
                continue
            if is_plan_file(in_plan) or is_tracking_plan_file(in_plan) or not file.exists():
                found.add(in_plan)
    return found

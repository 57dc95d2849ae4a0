"""The command line: parse options, call the core, render, exit. Nothing else lives here.

One top-level handler turns the project's errors into a one-line message and the exit code
the design contract gives (2 invalid input, 3 refused by a guard); --debug shows the
traceback instead.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from trackplan import __version__
from trackplan.cli.context import AppContext
from trackplan.errors import TrackplanError


class TrackplanGroup(click.Group):
    """Runs commands under one error handler."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackplanError as exc:
            app = ctx.find_object(AppContext)
            if app is not None and app.debug:
                raise
            click.echo(f"trackplan: error: {exc}", err=True)
            ctx.exit(exc.exit_code)


@click.group(cls=TrackplanGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="trackplan")
@click.option(
    "-C",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Run as if started in DIR (as in git).",
)
@click.option(
    "--plan-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="The plan folder (holding trackplan.yaml); found by walking up by default.",
)
@click.option("--debug", is_flag=True, help="Show tracebacks for errors.")
@click.pass_context
def cli(ctx: click.Context, directory: Path | None, plan_dir: Path | None, debug: bool) -> None:
    """Keep an analytics tracking plan as code in git.

    One YAML JSON Schema file per event; plan branches are git branches.
    """
    cwd = (directory or Path.cwd()).resolve()
    if directory is not None and not cwd.is_dir():
        raise click.BadParameter(f"{directory}: no such folder", param_hint="-C")
    ctx.obj = AppContext(cwd=cwd, plan_dir=plan_dir, debug=debug)


def _register() -> None:
    from trackplan.cli.commands import (
        check,
        ci,
        diff,
        events,
        export,
        import_,
        init,
        layout,
        log,
        rules,
        show,
        validate,
    )

    for module in (init, events, show, import_, export, diff, log, validate, check, ci, rules, layout):
        cli.add_command(module.command)


_register()


def main() -> None:
    from trackplan.repo import parallel

    parallel.enable()  # the CLI's entry points are guarded, so workers may be spawned
    cli(prog_name="trackplan")


if __name__ == "__main__":  # pragma: no cover
    main()

"""The click group and its one error handler: parse options, call the core, render, exit.

One top-level handler turns the project's errors into a one-line message (or the JSON
document a command's --format json promises) and the exit code the design contract gives
(2 invalid input, 3 refused by a guard). Any other exception is a bug: one line says so and
the exit code is INTERNAL_ERROR. --debug shows the traceback instead. Click's own exits,
aborts and usage errors pass through; Ctrl-C exits with INTERRUPTED. Commands load from
`trackplan.cli.COMMANDS` on first use (click's lazy group).
"""

from __future__ import annotations

import sys
from importlib import import_module
from pathlib import Path
from typing import Any, NoReturn

import click

from trackplan import __version__
from trackplan.cli import COMMANDS
from trackplan.cli.context import AppContext
from trackplan.errors import INTERNAL_ERROR, INTERRUPTED, TrackplanError
from trackplan.report.envelope import render


class TrackplanGroup(click.Group):
    """Loads commands from `COMMANDS` on first use (click's lazy group) and runs them under the
    one error handler."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command = getattr(import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{target} is not a click command")
        return command

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        if not args:  # as git does: the help, and success
            click.echo(ctx.get_help())
            ctx.exit(0)
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except TrackplanError as exc:
            if _debugging(ctx):
                raise
            _fail(ctx, exc)
        except KeyboardInterrupt:
            click.echo(f"\ntrackplan: interrupted; {_what_landed(ctx)}", err=True)
            ctx.exit(INTERRUPTED)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort, BrokenPipeError):
            raise  # click reports these itself, as it always has
        except Exception as exc:
            if _debugging(ctx):
                raise
            _crash(ctx, exc)


def _debugging(ctx: click.Context) -> bool:
    app = ctx.find_object(AppContext)
    return app is not None and app.debug


def _fail(ctx: click.Context, exc: TrackplanError) -> NoReturn:
    app = ctx.find_object(AppContext)
    if app is not None and app.error_format == "json":
        click.echo(render(app.command, message=str(exc), warnings=[]), nl=False)
    else:
        click.echo(f"trackplan: error: {one_line(str(exc))}", err=True)
    ctx.exit(exc.exit_code)


def one_line(text: str) -> str:
    """A message as one line of UTF-8, whatever a name in it holds (an event name may hold a
    newline, a file name bytes that are not UTF-8)."""
    return text.replace("\r", "\\r").replace("\n", "\\n").encode("utf-8", "backslashreplace").decode()


def _what_landed(ctx: click.Context) -> str:
    """Whether this command moved a branch before it was interrupted (the git layer is loaded
    only if something was written)."""
    store = sys.modules.get("trackplan.repo.git.store")
    started = ctx.find_object(AppContext)
    landed = [c for c in getattr(store, "LANDED", ()) if started is not None and c.time >= started.started]
    if not landed:
        return "nothing was written"
    last = landed[-1]
    text = f"branch {last.branch!r} had already moved to {last.commit[:12]}: that commit landed"
    return text + (f"; the work tree did not follow: run `{last.repair}`" if last.repair else "")


def _crash(ctx: click.Context, exc: Exception) -> NoReturn:
    detail = " ".join(str(exc).splitlines())
    click.echo(
        f"trackplan: internal error: {type(exc).__name__}{': ' if detail else ''}{detail} "
        "(this is a bug; run again with --debug for the traceback and report it)",
        err=True,
    )
    ctx.exit(INTERNAL_ERROR)


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

"""The options commands share, declared once so every command speaks one vocabulary: --ref
(a commit by default, or the work tree for the commands that look at the plan being edited),
--format, --fail-on, --color, --branch, the events layout, and codegen's and status's --lang,
--source and --plan, serve's and accounts' --state-dir, options a command does not have that
point at the one it has (`export --format` at --to), and the shell completion of refs and
event names.

A help text a command has always shown differently is passed in; None keeps an option
without one.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from trackplan.cli.context import AppContext, command_name, read_ref
from trackplan.errors import InputError, TrackplanError
from trackplan.repo.refs import WORKTREE

# The values of a few options' choices are imported by the option that offers them: each
# command module loads only what its own options need.
if TYPE_CHECKING:
    from click.shell_completion import CompletionItem

    from trackplan.repo.workspace import Workspace
    from trackplan.report.context import Style

Decorator = Callable[[Any], Any]

REF_HELP = f"Git ref to read (branch, tag, sha, HEAD~2); {WORKTREE} reads uncommitted files."
WORKTREE_REF_HELP = "Git ref to read (branch, tag, sha, HEAD~2) instead of the work tree."
FORMAT_HELP = "Output format."
COLOURS = {"breaking": "red", "error": "red", "warning": "yellow", "info": "cyan"}


def non_empty(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    """Refuse an empty value (`--branch ''`): it names nothing, and must not fall back to a default."""
    values = value if isinstance(value, tuple) else (value,)
    if "" in values:
        name = max(param.opts, key=len) if isinstance(param, click.Option) else param.human_readable_name
        raise InputError(f"{name}: the value is empty; leave the option out to use its default")
    return value


def complete_refs(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of a ref: the branches, tags and remote branches that start so."""
    from click.shell_completion import CompletionItem

    ws = _completion_workspace(ctx)
    names = [*ws.store.ref_names(), "HEAD", WORKTREE] if ws is not None else []
    return [CompletionItem(name) for name in names if name.startswith(incomplete)]


def complete_events(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[CompletionItem]:
    """Shell completion of an event name, at the ref given on the line (else the work tree),
    any case."""
    from click.shell_completion import CompletionItem

    ws = _completion_workspace(ctx)
    if ws is None:
        return []
    try:
        names = ws.load(read_ref(ws, ctx.params.get("ref"))).event_paths
    except TrackplanError:
        return []
    wanted = incomplete.casefold()
    return [CompletionItem(_as_typed(name)) for name in names if name.casefold().startswith(wanted)]


COMPLETE_VAR = "_TRACKPLAN_COMPLETE"  # click's variable for the program `trackplan`: the shell asking
# What bash would read as more than the word itself; `\w` keeps letters of every script plain.
_SHELL_SPECIAL = re.compile(r"([^\w@%+=:,./-])")


def _as_typed(value: str) -> str:
    """A completion as the shell inserts it. bash puts a reply on the line as it is, so a
    space would split an event name: each special character is escaped with a backslash, as
    bash's own file name completion writes it, and each backslash doubled, since click's bash
    script reads the reply with `read`, which takes one level of them. zsh's compadd and fish
    quote what they insert themselves, so they get the value as it is."""
    if os.environ.get(COMPLETE_VAR) != "bash_complete":
        return value
    return _SHELL_SPECIAL.sub(r"\\\1", value).replace("\\", "\\\\")


def _completion_workspace(ctx: click.Context) -> Workspace | None:
    """The plan the command line names (-C, --plan-dir), or None: a completion never fails."""
    from trackplan.repo.workspace import Workspace

    given = ctx.find_root().params
    try:
        return Workspace((given.get("directory") or Path.cwd()).resolve(), given.get("plan_dir"))
    except TrackplanError:
        return None


def ref_option(default: str | None = "HEAD", help: str = REF_HELP) -> Decorator:
    return click.option(
        "--ref", default=default, show_default=True, help=help, callback=non_empty, shell_complete=complete_refs
    )


def worktree_ref_option(help: str = WORKTREE_REF_HELP) -> Decorator:
    """`--ref` for a command that reads the plan being edited: the work tree when it is left out
    (HEAD where there is none); `read_ref` in cli/context.py resolves it."""
    return click.option(
        "--ref",
        default=None,
        show_default="the work tree, uncommitted edits included",
        help=help,
        callback=non_empty,
        shell_complete=complete_refs,
    )


def format_option(
    *choices: str, default: str | None = None, help: str | None = FORMAT_HELP, json_errors: bool = False
) -> Decorator:
    """`--format`. With `json_errors`, the command's errors are a JSON document when it is json."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help=help,
        callback=_errors_follow_format if json_errors else None,
    )


def _errors_follow_format(ctx: click.Context, param: click.Parameter, value: str) -> str:
    app = ctx.find_object(AppContext)
    if app is not None:
        app.error_format, app.command = value, command_name(ctx)
    return value


def fail_on_option(subject: Literal["change", "finding"], default: str, explained: bool = True) -> Decorator:
    """`--fail-on`: the severity, or worse, of a diff's changes or of a lint's findings that exits 1."""
    from trackplan.ci.review import CHANGE_LEVELS, FINDING_LEVELS

    return click.option(
        "--fail-on",
        type=click.Choice(CHANGE_LEVELS if subject == "change" else FINDING_LEVELS),
        default=default,
        show_default=True,
        help=f"Exit 1 when a {subject} of this severity (or worse) is found." if explained else None,
    )


def color_option() -> Decorator:
    """`--color` for every command that colours severities (see `severity_style`)."""
    return click.option(
        "--color",
        type=click.Choice(["auto", "always", "never"]),
        default="auto",
        show_default=True,
        help="Colour severities: on a terminal (auto, unless NO_COLOR is set), always or never.",
    )


def severity_style(color: str) -> Style | None:
    """The `style` for renderers under `--color` (None for plain text): auto colours a terminal
    unless NO_COLOR is set."""
    if color == "never" or (color == "auto" and (os.environ.get("NO_COLOR") or not sys.stdout.isatty())):
        return None
    return lambda label, severity: click.style(label, fg=COLOURS[severity], bold=severity in ("breaking", "error"))


def pointer_option(missing: str, meant: str) -> Decorator:
    """An option the command does not have but people reach for (`export --format`): given, it is
    a usage error naming the option meant; it is not listed in --help."""

    def refuse(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
        if value is not None:
            raise click.UsageError(f"there is no {missing}; did you mean {meant} {value}?", ctx)

    return click.option(missing, hidden=True, expose_value=False, callback=refuse)


def branch_option() -> Decorator:
    return click.option(
        "--branch",
        default=None,
        help="Plan branch to write (default: the checked-out branch).",
        callback=non_empty,
        shell_complete=complete_refs,
    )


def lang_option(help: str) -> Decorator:
    from trackplan.codegen import LANGUAGE_NAMES

    return click.option("--lang", type=click.Choice(LANGUAGE_NAMES), required=True, help=help)


def source_option() -> Decorator:
    return click.option("--source", default=None, help="Only events sent from SOURCE (x-sources).")


def tracking_plan_option() -> Decorator:
    return click.option(
        "--plan",
        "tracking_plan",
        default=None,
        metavar="NAME",
        help="Only the events of the tracking plan NAME (tracking-plans/<slug>.yaml).",
    )


def state_dir_option() -> Decorator:
    return click.option(
        "--state-dir",
        type=click.Path(file_okay=False, path_type=Path),
        default=None,
        envvar="TRACKPLAN_STATE_DIR",
        help="Server state (accounts, idempotency keys), outside every repository [default: $XDG_STATE_HOME/trackplan]",
    )


def _events_layouts() -> click.Choice[str]:
    from trackplan.model.settings import EVENTS_LAYOUTS

    return click.Choice(EVENTS_LAYOUTS)


def events_layout_option() -> Decorator:
    return click.option(
        "--layout",
        "events_layout",
        type=_events_layouts(),
        default="flat",
        show_default=True,
        help="events/<slug>.yaml, or events/<xx>/<slug>.yaml over 256 folders for plans of thousands of events.",
    )


def events_layout_argument() -> Decorator:
    return click.argument("events_layout", type=_events_layouts())

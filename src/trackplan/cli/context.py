"""What commands share: the invocation context and helpers for output."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from trackplan.report.envelope import render

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace


@dataclass
class AppContext:
    cwd: Path
    plan_dir: Path | None
    debug: bool
    error_format: str = "text"  # json when the command promised a JSON document, errors included
    command: str = ""  # the command that promised it, named in the error document
    started: float = field(default_factory=time.monotonic)  # commits since then are this command's

    def workspace(self) -> Workspace:
        from trackplan.repo.workspace import Workspace

        return Workspace(self.cwd, self.plan_dir)


pass_context = click.make_pass_decorator(AppContext)


def echo_document(**fields: Any) -> None:
    """Print the `--format json` envelope (report/envelope.py) of the running command."""
    click.echo(render(command_name(click.get_current_context()), **fields), nl=False)


def read_ref(ws: Workspace, ref: str | None) -> str:
    """What a command with `worktree_ref_option` reads: the ref given, else the work tree, else
    (in a repository without one) HEAD."""
    from trackplan.repo.refs import WORKTREE

    return ref if ref is not None else WORKTREE if ws.store.workdir else "HEAD"


def command_name(ctx: click.Context | None) -> str:
    """The command of a context as the user typed it below `trackplan`: `validate`, `plans list`."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(names)

"""What commands share: the invocation context and helpers for output."""

from __future__ import annotations

import json
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
    started: float = field(default_factory=time.monotonic)  # commits since then are this command's

    def workspace(self) -> Workspace:
        from trackplan.repo.workspace import Workspace

        return Workspace(self.cwd, self.plan_dir)


pass_context = click.make_pass_decorator(AppContext)


def echo_json(value: Any) -> None:
    click.echo(json.dumps(value, indent=2, ensure_ascii=False))


def echo_document(**fields: Any) -> None:
    """Print the `--format json` envelope (report/envelope.py) of the running command."""
    click.echo(render(command_name(), **fields), nl=False)


def command_name() -> str:
    """The running command as the user typed it below `trackplan`: `validate`, `plans list`."""
    names: list[str] = []
    ctx: click.Context | None = click.get_current_context()
    while ctx is not None and ctx.parent is not None:
        names.insert(0, ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(names)

"""Options shared by commands, so every command speaks one vocabulary."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import click

from trackplan.repo.refs import WORKTREE


def ref_option(default: str = "HEAD") -> Callable[[Any], Any]:
    return click.option(
        "--ref",
        default=default,
        show_default=True,
        help=f"Git ref to read (branch, tag, sha, HEAD~2); {WORKTREE} reads uncommitted files.",
    )


def format_option(*choices: str, default: str | None = None) -> Callable[[Any], Any]:
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(choices),
        default=default or choices[0],
        show_default=True,
        help="Output format.",
    )

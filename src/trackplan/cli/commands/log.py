"""trackplan log: the plan's history with a change summary per commit. A log is kept as a file by
commit, plan folder and options, so the same log again is a copy of it that opens no repository."""

from __future__ import annotations

import codecs
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trackplan.cli.context import AppContext, command_name, pass_context
from trackplan.cli.options import complete_events, format_option, non_empty, ref_option
from trackplan.errors import TrackplanError
from trackplan.report.envelope import render

if TYPE_CHECKING:
    from trackplan.diffing.history import HistoryEntry
    from trackplan.exporting.outputs import KeptOutputs


@click.command("log")
@ref_option(help="Where the history starts.")
@click.option(
    "--event",
    default=None,
    help="Only commits that touch this event, followed through renames.",
    callback=non_empty,
    shell_complete=complete_events,
)
@click.option("--before", default=None, help="Only commits at or before this ISO-8601 time.", callback=non_empty)
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most N entries.")
@click.option("--offset", type=click.IntRange(min=0), default=0, help="Skip the first N entries.")
@click.option("--order", type=click.Choice(["asc", "desc"]), default="desc", show_default=True)
@format_option("text", "json", help=None)
@pass_context
def command(
    ctx: AppContext,
    ref: str,
    event: str | None,
    before: str | None,
    limit: int | None,
    offset: int,
    order: str,
    output_format: str,
) -> None:
    """Show the plan's history: each commit that changed the plan, with the events it
    added, updated and removed.

    \b
    Examples:
      trackplan log --limit 10
      trackplan log --event "Checkout Completed" --format json
      trackplan log --before 2026-01-01T00:00:00Z --order asc
    """
    # A kept log holds what click.echo writes to a UTF-8 stdout; other encodings keep none.
    utf8 = codecs.lookup(sys.stdout.encoding).name == "utf-8" and hasattr(sys.stdout, "buffer")
    options = [event, before, limit, offset, order, output_format, sys.stdout.errors]
    if utf8 and _copy_kept_log(ctx, ref, options):
        return
    from trackplan.diffing.history import LogRequest, history

    ws = ctx.workspace()
    entries = history(ws, LogRequest(ref, event, before, limit, offset, order))
    if output_format == "json":
        text = render(command_name(click.get_current_context()), commits=[e.to_json() for e in entries])
    else:
        text = "".join(_lines(entries))
    click.echo(text, nl=False)
    if utf8 and "\x1b" not in text:  # click.echo strips escape sequences on a stdout that is no terminal
        key = _log_key(ws.root, ws.store.resolve(ref), options)
        _kept_logs(ws.store.git_dir).write(key, text.encode("utf-8", sys.stdout.errors or "strict"))


def _copy_kept_log(ctx: AppContext, ref: str, options: list[object]) -> bool:
    """Copy the log kept for `ref` and `options` to stdout, found without opening the
    repository (no pygit2, no cache, no commit read): True if there was one. A ref that
    `revisions.folder_at` does not read is left to `history`, which raises any error."""
    from trackplan.exporting.outputs import copy_file
    from trackplan.repo.git.revisions import folder_at
    from trackplan.repo.workspace import plan_root

    try:
        root = plan_root(ctx.cwd, ctx.plan_dir)
        at = folder_at(root, ref)
    except TrackplanError:
        return False
    file = _kept_logs(at.git_dir).file(_log_key(root, at.commit, options)) if at is not None else None
    return file is not None and copy_file(file, sys.stdout.buffer)


def _kept_logs(git_dir: Path) -> KeptOutputs:
    from trackplan.exporting.outputs import KeptOutputs

    return KeptOutputs(git_dir / "trackplan" / "logs")


def _log_key(root: Path, commit: str, options: list[object]) -> str:
    """The name of a kept log: the commit names the whole history walked, the plan's folder
    which files in it are the plan (the ref's name reaches the output only through them),
    and `options` the rest; the digest of the code is part of every key."""
    from trackplan.exporting.outputs import output_key

    return output_key(commit, [str(root), *options])


def _lines(entries: list[HistoryEntry]) -> Iterator[str]:
    for entry in entries:
        yield f"{entry.commit[:12]} {entry.to_json()['date']} {entry.summary}\n"
        for old, new in entry.renamed:
            yield f"    > {old} -> {new}\n"
        for label, names in (("+", entry.added), ("~", entry.updated), ("-", entry.removed)):
            for name in names:
                yield f"    {label} {name}\n"
        for path in entry.other_files:
            yield f"    * {path}\n"

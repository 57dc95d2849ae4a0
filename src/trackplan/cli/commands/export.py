"""trackplan export: render any ref (or the work tree) in a downstream format."""

from __future__ import annotations

import sys
from contextlib import ExitStack
from pathlib import Path
from typing import TYPE_CHECKING

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import complete_events, complete_refs, non_empty, pointer_option, ref_option
from trackplan.formats import EXPORT_FORMATS, FORMATS
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:
    from trackplan.cli.progress import Display


@click.command("export")
@ref_option(help="Git ref to export (branch, tag, sha, HEAD~2).")
@click.option("--worktree", is_flag=True, help="Export the work tree, uncommitted edits included.")
@click.option("--to", "to", type=click.Choice(EXPORT_FORMATS), default="avo-json", show_default=True, help="Format.")
@pointer_option("--format", "--to")
@click.option("--source", "sources", multiple=True, help="Only events sent from SOURCE.", callback=non_empty)
@click.option("--tag", "tags", multiple=True, help="Only events tagged TAG.", callback=non_empty)
@click.option(
    "--event",
    "events",
    multiple=True,
    help="Only the event NAME (repeatable).",
    callback=non_empty,
    shell_complete=complete_events,
)
@click.option(
    "--changed-since",
    default=None,
    metavar="REF",
    help="Only events changed since REF.",
    callback=non_empty,
    shell_complete=complete_refs,
)
@click.option(
    "--vendor",
    default=None,
    help="Iglu vendor for snowplow/ndjson (default: trackplan.yaml).",
    callback=non_empty,
)
@click.option(
    "-o",
    "--output",
    default=None,
    help="File to write (- for stdout); DIR/ for the formats that write folders: rudderstack, snowplow, "
    "snowplow-dp, snowplow-ds.",
    callback=non_empty,
)
@click.option("--gzip", "compress", is_flag=True, help="Compress the output (deterministic gzip).")
@click.option("--all-versions", is_flag=True, help="snowplow -o DIR: every version imported, not only the newest.")
@pass_context
def command(
    ctx: AppContext,
    ref: str,
    worktree: bool,
    to: str,
    sources: tuple[str, ...],
    tags: tuple[str, ...],
    events: tuple[str, ...],
    changed_since: str | None,
    vendor: str | None,
    output: str | None,
    compress: bool,
    all_versions: bool,
) -> None:
    """Export the plan at a ref. Filters (--source, --tag, --event) combine with AND.

    \b
    Examples:
      trackplan export --to avo-json -o plan.json
      trackplan export --ref v2.0 --to itly --source web
      trackplan export --to snowplow --vendor com.acme -o iglu/      # Iglu folder layout
      trackplan export --to snowplow --all-versions -o iglu/       # every version imported
      trackplan export --changed-since main --to avo-json          # what this branch changes
      trackplan export --to html -o plan.html
    """
    from trackplan.exporting.run import ExportRequest, copy_kept_output, render, write_output

    request = ExportRequest(
        ref=WORKTREE if worktree else ref,
        to=to,
        sources=sources,
        tags=tags,
        events=events,
        changed_since=changed_since,
        vendor=vendor,
        all_versions=all_versions,
    )
    writes_folder = FORMATS[to].write_folder is not None
    folder = (
        writes_folder
        and output not in (None, "-")
        and (FORMATS[to].tracking_plans or output.endswith("/") or Path(output).is_dir())
    )
    if all_versions and not folder:
        raise click.UsageError("--all-versions writes an Iglu folder: use it with --to snowplow -o DIR/")
    if not writes_folder and output is not None and output.endswith("/"):
        raise click.UsageError(f"-o {output}: --to {to} writes one file; name the file")
    if not folder and copy_kept_output(ctx.cwd, ctx.plan_dir, request, output, sys.stdout.buffer, compress):
        return
    workspace = ctx.workspace()
    removed: list[str] = []
    with ExitStack() as shown:
        progress = _ColdProgress(shown)
        rendered = render(workspace, request, folder=folder, progress=progress)
        for note in rendered.notes:
            click.echo(note, err=True)
        if rendered.files:
            removed = write_output(workspace, rendered, output, compress, sys.stdout.buffer, progress)
    if removed:
        listed = ", ".join(removed[:5]) + (f" and {len(removed) - 5} more" if len(removed) > 5 else "")
        click.echo(
            f"removed {len(removed)} file(s) the last export to {output} wrote and this one does not: {listed}",
            err=True,
        )
    if not rendered.files:  # written once the display is gone, which a terminal's stdout would garble
        write_output(workspace, rendered, output, compress, sys.stdout.buffer)


class _ColdProgress:
    """The progress of an export, set up on its first count: a warm export (a copy of a kept
    output) counts nothing, so it loads neither cli/progress.py nor rich."""

    def __init__(self, shown: ExitStack) -> None:
        self.shown = shown
        self.asked = False
        self.display: Display | None = None

    def __call__(self, done: int, counted: str) -> None:
        if not self.asked:
            from trackplan.cli.progress import progress_for

            self.asked = True
            self.display = self.shown.enter_context(progress_for("exporting", "events read"))
        if self.display is not None:
            self.display(done, counted)

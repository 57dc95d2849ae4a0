"""`trackplan diff A B` of two commits, answered before click loads (`trackplan.cli.main`), as
an empty default diff is (quick.py).

Once a diff of two commits needs no pygit2 (`diffing.commits`), click and the group are half
of what its process imports. The diff here is `diffing.commits.diff_commits` and the report
`report.diff.render`, as on the click path (`cli/commands/diff.py`); only reading the
arguments and printing are done without click.

Only argument lists whose meaning is plain are taken: BASE and HEAD, or one range, and
`--format` (text, json, markdown, sarif), `--fail-on`, `--profile` and `--color`, each at
most once, as `--name value` or `--name=value`, with one of their choices, `--color` giving
no colour (never; auto without a terminal or with NO_COLOR). Anything else returns None
before anything is printed, and the click path runs: another option or argument, a value
starting with `-`, click's completion variable, a diff `diff_commits` leaves to pygit2, any
error (the click path meets it again and reports it as it does), a report holding an escape
character (click.echo strips escape sequences when it prints no colour) or text stdout
cannot encode, or a stdout not in UTF-8.
"""

from __future__ import annotations

import codecs
import os
import sys

from trackplan.cli.quick import COMPLETION, read_arguments, write_report
from trackplan.errors import INTERRUPTED
from trackplan.repo.refs import WORKTREE

OPTIONS = {
    "--format": ("text", "json", "markdown", "sarif"),
    "--fail-on": ("breaking", "warning", "never"),
    "--profile": ("validation", "consumer"),
    "--color": ("auto", "always", "never"),
}
"""The options of `diff` taken here and the values taken: their click choices, but github
(whose job summary may fail after the report is out) for --format."""
DEFAULTS = {"--format": "text", "--fail-on": "never", "--profile": None, "--color": "auto"}


def commits_diff(args: list[str]) -> int | None:
    """The exit code of `trackplan diff ARGS` once its report is printed; None (nothing
    printed) when it is not answered here."""
    parsed = taken(args)
    if parsed is None or COMPLETION in os.environ or not _colourless(parsed[1]["--color"]):
        return None
    refs, options = parsed
    try:
        answer = _report(refs, options)
    except KeyboardInterrupt:  # as the click group says it (app.py): a diff writes nothing
        print("\ntrackplan: interrupted; nothing was written", file=sys.stderr)
        return INTERRUPTED
    except Exception:  # the click path meets it again, and reports it as it does
        return None
    if answer is None:
        return None
    report, fails = answer
    return write_report(report) or int(fails)


def taken(args: list[str]) -> tuple[list[str], dict[str, str | None]] | None:
    """(BASE and HEAD, the options) of `diff ARGS` when it is a command line answered here."""
    read = read_arguments(args, OPTIONS)
    if read is None or len(read[0]) not in (1, 2) or not all(read[0]):
        return None
    return read[0], {**DEFAULTS, **read[1]}


def _colourless(color: str | None) -> bool:
    """Whether `--color` gives plain text (`cli.options.severity_style` gives no style)."""
    return color == "never" or (color == "auto" and bool(os.environ.get("NO_COLOR") or not sys.stdout.isatty()))


def _report(refs: list[str], options: dict[str, str | None]) -> tuple[str, bool] | None:
    """The report to print and whether the diff fails at --fail-on; None when the diff is
    left to the click path."""
    from pathlib import Path

    from trackplan.ci.review import changes_fail
    from trackplan.diffing.commits import diff_commits
    from trackplan.report.context import ReportContext
    from trackplan.report.diff import render

    base, head = refs[0], refs[1] if len(refs) == 2 else None
    quick = diff_commits(Path.cwd().resolve(), None, base, head, options["--profile"])
    if quick is None:
        return None
    context = ReportContext(
        base_label=ref_label(quick.span.base_label),
        head_label=ref_label(quick.span.head),
        source_text=quick.source_text,
        path_prefix=quick.path_prefix,
    )
    report = render(quick.result, str(options["--format"]), context)
    if "\x1b" in report or not _printable(report):
        return None
    return report, changes_fail(quick.result.counts(), str(options["--fail-on"]))


def _printable(report: str) -> bool:
    """Whether click.echo would write `report` to stdout as it is, and could."""
    encoding = getattr(sys.stdout, "encoding", None)
    if not encoding or codecs.lookup(encoding).name != "utf-8":
        return False
    try:
        report.encode(encoding, sys.stdout.errors or "strict")
    except UnicodeEncodeError:
        return False
    return True


def ref_label(ref: str) -> str:
    """A side of a diff as reports name it: the work tree in words, a commit id shortened (a
    name of 40 characters is not one)."""
    if ref == WORKTREE:
        return "work tree"
    return ref[:12] if len(ref) == 40 and all(c in HEX for c in ref) else ref


HEX = frozenset("0123456789abcdef")

"""`trackplan diff` of a work tree that git shows unchanged, answered before click loads, as
`trackplan --version` is (`trackplan.cli.main`).

A default diff on a clean work tree is the common case before a commit or in a hook, and its
answer is one `git status` plus a line. The full path loads click, the settings model, YAML
and sqlite before it asks git, and a Python process with those costs several times what git
takes. Here git is asked what the full diff asks (`diffing.clean`); the plan's main branch,
and that its settings raise no error, come from the memo of the trackplan.yaml the full read
last accepted (`repo.settings_memo`); and the empty report is printed as the text renderer
prints it (a test compares both paths byte for byte).

Only argument lists whose answer is the full path's are taken: `diff` with any of
`--format text`, `--fail-on`, `--color` and `--profile`, each once, as `--name value` or
`--name=value`, none of which changes an empty text report or its exit code. Anything else
returns None and the click path runs, errors included: another argument, click's completion
variable, no plan folder, a memo that does not hold this trackplan.yaml, git unable to
answer, a tracking-plans folder, a path git lists that may be a plan file, text that is not
ASCII (click may encode it otherwise).
"""

from __future__ import annotations

import os
import sys

from trackplan.diffing import clean
from trackplan.repo import plan_folder, settings_memo

OPTIONS = {
    "--format": ("text",),
    "--fail-on": ("breaking", "warning", "never"),
    "--color": ("auto", "always", "never"),
    "--profile": ("validation", "consumer"),
}
"""The options of `diff` taken here, with the values taken (their click choices, but --format's)."""
COMPLETION = "_TRACKPLAN_COMPLETE"
"""Set, click completes the command line instead of running it."""


def empty_diff(args: list[str]) -> int | None:
    """The exit code of `trackplan diff ARGS` once its empty report is printed; None (nothing
    printed) when it is not known to be empty or the arguments are not taken here."""
    if not taken(args) or COMPLETION in os.environ:
        return None
    try:
        root = plan_folder.nearest(os.getcwd())
    except OSError:  # the working folder is gone: the click path says so
        return None
    report = _report(root) if root is not None else None
    return write_report(report) if report is not None else None


def _report(root: str) -> str | None:
    """The text report of an empty default diff of the plan in `root`, if it is empty."""
    base = clean.default_base(root, lambda checkout: settings_memo.recall(checkout.git_dir, root))
    if base is None:
        return None
    if not clean.unchanged(root, base):
        clean.hand_over(root, base)  # the full diff reads the paths git listed, without asking again
        return None
    label = f"{base.main_branch} (merge base {base.commit[:12]})"
    if not label.isascii():
        return None
    return f"{label} -> work tree: 0 events changed, 0 breaking, 0 warnings, 0 info\nNo changes.\n"


def taken(args: list[str]) -> bool:
    """Whether `diff ARGS` is a command line answered here (see OPTIONS)."""
    read = read_arguments(args, OPTIONS)
    return read is not None and not read[0]


def read_arguments(args: list[str], options: dict[str, tuple[str, ...]]) -> tuple[list[str], dict[str, str]] | None:
    """(the arguments, {option: value}) of `diff ARGS` when each option is one of `options`,
    given once, as `--name value` or `--name=value`, with one of its values; else None."""
    arguments: list[str] = []
    given: dict[str, str] = {}
    rest = iter(args)
    for arg in rest:
        if not arg.startswith("-"):
            arguments.append(arg)
            continue
        name, equals, value = arg.partition("=")
        if not equals:
            value = next(rest, "")
        if name not in options or name in given or value not in options[name]:
            return None
        given[name] = value
    return arguments, given


def write_report(report: str) -> int:
    """Print as click.echo does, and exit as click does when the reader has gone (1, silently)."""
    try:
        sys.stdout.write(report)
        sys.stdout.flush()
    except BrokenPipeError:
        sys.stdout = open(os.devnull, "w")  # noqa: SIM115 - the interpreter flushes it at exit
        return 1
    return 0

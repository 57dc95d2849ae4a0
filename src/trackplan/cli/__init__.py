"""The command line: the table of commands and `main`, the `trackplan` script's entry point.

Nothing here loads click: `main` answers `trackplan --version` itself, as `git --version`
does, in the time the interpreter takes to start, and an empty default `diff` of an
unchanged work tree in about one `git status` more (quick.py); anything else goes to the
click group in app.py, which imports a command's module only when it runs (or --help lists it).
"""

from __future__ import annotations

import sys

# Every command, as "module:attribute", imported only when it runs (or --help lists it), so the
# start-up of one command loads no other. Register a new command with one line here.
COMMANDS = {
    "init": "trackplan.cli.commands.init:command",
    "events": "trackplan.cli.commands.events:command",
    "show": "trackplan.cli.commands.show:command",
    "import": "trackplan.cli.commands.import_:command",
    "export": "trackplan.cli.commands.export:command",
    "diff": "trackplan.cli.commands.diff:command",
    "log": "trackplan.cli.commands.log:command",
    "validate": "trackplan.cli.commands.validate:command",
    "check": "trackplan.cli.commands.check:command",
    "ci": "trackplan.cli.commands.ci:command",
    "rules": "trackplan.cli.commands.rules:command",
    "layout": "trackplan.cli.commands.layout:command",
    "codegen": "trackplan.cli.commands.codegen:command",
    "status": "trackplan.cli.commands.status:command",
    "merge-driver": "trackplan.cli.commands.merge_driver:command",
    "setup-merge-driver": "trackplan.cli.commands.setup_merge_driver:command",
    "resolve": "trackplan.cli.commands.resolve:command",
    "merge": "trackplan.cli.commands.merge:command",
    "serve": "trackplan.cli.commands.serve:command",
    "accounts": "trackplan.cli.commands.accounts:command",
    "publish": "trackplan.cli.commands.publish:command",
    "subscriptions": "trackplan.cli.commands.subscriptions:command",
    "digest": "trackplan.cli.commands.digest:command",
    "plans": "trackplan.cli.commands.plans:command",
    "codeowners": "trackplan.cli.commands.codeowners:command",
}


def main() -> None:
    if sys.argv[1:] == ["--version"]:  # the same line click's version option prints
        from trackplan import __version__

        print(f"trackplan, version {__version__}")
        return
    if sys.argv[1:2] == ["diff"]:  # an empty default diff, answered from git alone (quick.py)
        from trackplan.cli.quick import empty_diff

        code = empty_diff(sys.argv[2:])
        if code is not None:
            sys.exit(code)
        from trackplan.cli.quick_commits import commits_diff  # a diff of two commits (quick_commits.py)

        code = commits_diff(sys.argv[2:])
        if code is not None:
            sys.exit(code)
    from trackplan.cli.app import cli
    from trackplan.repo import parallel

    parallel.enable()  # the CLI's entry points are guarded, so workers may be spawned
    cli(prog_name="trackplan")

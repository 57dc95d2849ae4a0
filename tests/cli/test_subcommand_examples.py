"""The Examples section of each subcommand's --help of `accounts`, `plans` and `subscriptions`,
run as written, in order, against a real plan repository and state folder."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import click
import pytest

from tests.helpers import CliRunnerCall
from tests.notifying.support import add_tracking_plans, commit_at, smtp_server
from trackplan.cli.app import cli
from trackplan.notifying.mail import SMTP_URL_ENV
from trackplan.notifying.subscribing import PUBLIC_URL_ENV

# Each group's subcommands in an order whose examples build on one another.
ORDER = {
    "accounts": ["add", "list", "rotate", "remove"],
    "plans": ["create", "update", "add-spec", "status", "list", "show", "history", "delete"],
    "subscriptions": ["add", "list", "remove"],
}


def examples(run_cli: CliRunnerCall, group: str, name: str) -> list[list[str]]:
    """The example command lines of `trackplan GROUP NAME --help`, as arguments after `trackplan`."""
    shown = run_cli(group, name, "--help").output
    section = shown.split("Examples:\n", 1)[1].split("\n\n", 1)[0] if "Examples:\n" in shown else ""
    lines = [line.strip() for line in section.splitlines()]
    return [shlex.split(line)[1:] for line in lines if line.startswith("trackplan ")]


@pytest.mark.parametrize("group", list(ORDER))
def test_every_subcommand_has_examples_that_work_as_written(
    group: str, plan_repo: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    command = cli.get_command(click.Context(cli), group)
    assert isinstance(command, click.Group)
    assert sorted(command.commands) == sorted(ORDER[group])
    if group == "subscriptions":  # a subscription is to a tracking plan on main
        add_tracking_plans(plan_repo)
        commit_at(plan_repo, "Add tracking plans", "2025-12-30T09:00:00Z")
    monkeypatch.chdir(plan_repo)
    monkeypatch.setenv(PUBLIC_URL_ENV, "https://plans.example.com")
    with smtp_server() as (inbox, url):
        monkeypatch.setenv(SMTP_URL_ENV, url)
        for name in ORDER[group]:
            lines = examples(run_cli, group, name)
            assert lines, f"trackplan {group} {name} --help has no examples"
            for args in lines:
                if "SUBSCRIPTION_ID" in args:
                    listed = run_cli("subscriptions", "list").output
                    args = [listed.split("\t", 1)[0] if arg == "SUBSCRIPTION_ID" else arg for arg in args]
                result = run_cli(*args)
                assert result.exit_code == 0, f"trackplan {shlex.join(args)}:\n{result.output}"
    if group == "subscriptions":
        assert [m["To"] for m in inbox.messages] == ["ana@example.com", "ops@example.com"]
        assert re.fullmatch(
            r"\S+\tplan \S+\tops@example.com\tpending\tnotifications off\n", run_cli(group, "list").output
        )

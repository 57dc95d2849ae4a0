"""trackplan accounts: the service accounts `trackplan serve` accepts (add, list, rotate, remove)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import click

from trackplan.cli.options import state_dir_option

if TYPE_CHECKING:
    from trackplan.serving.accounts import AccountStore, Issued


def _store(state_dir: Path | None) -> AccountStore:
    from trackplan.serving.accounts import AccountStore
    from trackplan.serving.config import check_state_dir, default_state_dir

    store = AccountStore(check_state_dir(state_dir or default_state_dir()))
    store.ensure_private()
    return store


def _echo_secret(issued: Issued) -> None:
    click.echo(f"account {issued.account.name}: secret (shown once, store it now):")
    click.echo(f"  {issued.secret}")
    click.echo(f"  Authorization: {issued.authorization}")


@click.group("accounts")
def command() -> None:
    """Service accounts for `trackplan serve`, kept in the state folder as scrypt hashes.

    \b
    Examples:
      trackplan accounts add ci-import --scope import --email data@example.com
      trackplan accounts list
      trackplan accounts rotate ci-import
      trackplan accounts remove ci-import
    """


@command.command("add")
@click.argument("name")
@click.option("--workspace", default="*", show_default=True, help="The workspace id it may use (* for all).")
@click.option("--scope", default="import,export", show_default=True, help="Comma-separated: import, export.")
@click.option("--email", default=None, help="Who the account's subscriptions notify when they name no recipient.")
@state_dir_option()
def add(name: str, workspace: str, scope: str, email: str | None, state_dir: Path | None) -> None:
    """Add an account NAME; prints its secret once.

    \b
    Examples:
      trackplan accounts add ci-import --scope import --email data@example.com
      trackplan accounts add docs-site --scope export --workspace acme
    """
    from trackplan.serving.accounts import parse_scopes

    _echo_secret(_store(state_dir).add(name, workspace, parse_scopes(scope), email))


@command.command("list")
@state_dir_option()
def list_(state_dir: Path | None) -> None:
    """The accounts, their workspace and scopes (never a secret).

    \b
    Examples:
      trackplan accounts list
      trackplan accounts list --state-dir ~/.local/state/trackplan
    """
    accounts = _store(state_dir).accounts()
    for account in sorted(accounts.values(), key=lambda a: a.name):
        email = f"\temail {account.email}" if account.email else ""
        click.echo(f"{account.name}\tworkspace {account.workspace}\tscope {','.join(account.scopes)}{email}")
    if not accounts:
        click.echo("No service accounts; add one with `trackplan accounts add NAME`.")


@command.command("rotate")
@click.argument("name")
@state_dir_option()
def rotate(name: str, state_dir: Path | None) -> None:
    """Give NAME a new secret (the old one stops working); prints it once.

    \b
    Examples:
      trackplan accounts rotate ci-import
    """
    _echo_secret(_store(state_dir).rotate(name))


@command.command("remove")
@click.argument("name")
@state_dir_option()
def remove(name: str, state_dir: Path | None) -> None:
    """Remove the account NAME.

    \b
    Examples:
      trackplan accounts remove docs-site
    """
    _store(state_dir).remove(name)
    click.echo(f"account {name} removed")

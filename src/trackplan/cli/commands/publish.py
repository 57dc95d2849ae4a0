"""trackplan publish: post the plan to the webhooks trackplan.yaml's `publishing:` names."""

from __future__ import annotations

from pathlib import Path

import click

from trackplan.cli.context import AppContext, pass_context
from trackplan.cli.options import ref_option, state_dir_option

RECORDS = ("state", "git-note")


@click.command("publish")
@click.option("--integration", "integrations", multiple=True, help="Only this integration id (repeatable).")
@click.option(
    "--method",
    type=click.Choice(["manual", "branch-merge"]),
    default="manual",
    show_default=True,
    help="Avo's publishMethod: a press of publish, or a branch merged.",
)
@ref_option(default="main", help="The commit to publish (`main`: the plan's main branch).")
@click.option(
    "--record",
    type=click.Choice(RECORDS),
    default="state",
    show_default=True,
    help="Where deliveries are recorded: the state folder, or git notes on the commit (CI).",
)
@state_dir_option()
@pass_context
def command(
    ctx: AppContext, integrations: tuple[str, ...], method: str, ref: str, record: str, state_dir: Path | None
) -> None:
    """Post the plan at REF to each webhook integration, signed, once per commit.

    Exits 1 when a delivery failed after its retries; a commit an integration already received
    is not sent again.

    \b
    Examples:
      WAREHOUSE_HOOK_SECRET=... trackplan publish
      trackplan publish --integration warehouse --method branch-merge --record git-note
    """
    from trackplan.publishing.ledger import Ledger, NoteLedger, StateLedger
    from trackplan.publishing.run import PublishRequest, publish
    from trackplan.serving.config import check_state_dir, default_state_dir

    ws = ctx.workspace()
    ledger: Ledger
    if record == "git-note":
        ledger = NoteLedger(ws.store)
    else:
        ledger = StateLedger(check_state_dir(state_dir or default_state_dir()))
    outcomes = publish(ws, PublishRequest(ref, method, integrations), ledger)
    if not outcomes:
        click.echo("Nothing to publish: trackplan.yaml has no publishing: integrations.")
    for outcome in outcomes:
        name, commit = outcome.integration.id, outcome.commit[:12]
        if outcome.state == "skipped":
            click.echo(f"{name}: {commit} was already delivered (delivery {outcome.delivery_id}); nothing sent")
        else:
            tries = f"{outcome.attempts} attempt{'s' if outcome.attempts != 1 else ''}"
            verb = "delivered" if outcome.state == "sent" else "FAILED"
            click.echo(
                f"{name}: {verb} {commit} to {outcome.integration.url} "
                f"({outcome.answer}, {tries}, delivery {outcome.delivery_id})"
            )
    if any(o.state == "failed" for o in outcomes):
        click.get_current_context().exit(1)

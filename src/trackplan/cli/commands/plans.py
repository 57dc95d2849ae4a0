"""trackplan plans: tracking plans (Snowplow's data products), one file each in tracking-plans/."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from trackplan.cli.context import AppContext, echo_document, pass_context, read_ref
from trackplan.cli.options import Decorator, branch_option, format_option, non_empty
from trackplan.repo.refs import WORKTREE

STATUSES = ("draft", "published", "deprecated")
F = TypeVar("F", bound=Callable[..., Any])


def read_branch_option(commit: bool = False) -> Decorator:
    """`--branch` of a read: the work tree when it is left out (uncommitted edits included), or
    HEAD for a command that reads `commit`s."""
    return click.option(
        "--branch",
        default="HEAD" if commit else None,
        show_default="HEAD" if commit else "the work tree, uncommitted edits included",
        callback=non_empty,
        help="Plan branch to read (any ref works: a tag, a sha, HEAD~2).",
    )


def json_format() -> Decorator:
    return format_option("text", "json", json_errors=True)


def plan_options(func: F) -> F:
    for option in reversed(
        (
            click.option("--description", default=None, help="What the plan is for."),
            click.option("--access-instructions", default=None, help="Where and how its data can be read."),
            click.option("--domain", default=None, help="One of trackplan.yaml's domains."),
            click.option("--owner", default=None, help="The owning team or person."),
            click.option("--source", "sources", multiple=True, help="A source application (repeatable)."),
        )
    ):
        func = option(func)
    return func


@click.group("plans")
def command() -> None:
    """Tracking plans: named, owned groups of event specifications (tracking-plans/<slug>.yaml).

    Every write is one commit on --branch (a protected branch is refused, exit 3).

    \b
    Examples:
      trackplan plans create Checkout --domain Payments --owner payments@example.com --branch plans/checkout
      trackplan plans add-spec Checkout --event "Checkout Completed" --trigger "Order confirmed" --app-id shop-web \
        --branch plans/checkout
      trackplan plans status Checkout published --branch plans/checkout
      trackplan plans history Checkout --branch plans/checkout --limit 5 --order asc
    """


@command.command("list")
@read_branch_option()
@json_format()
@pass_context
def list_plans(ctx: AppContext, branch: str | None, output_format: str) -> None:
    """List the tracking plans.

    \b
    Examples:
      trackplan plans list
      trackplan plans list --branch plans/checkout --format json
    """
    from trackplan.trackingplans.files import read_tracking_plans
    from trackplan.trackingplans.text import list_lines, plan_json

    ws = ctx.workspace()
    ref = read_ref(ws, branch)
    files = read_tracking_plans(ws, ref)
    if output_format == "json":
        echo_document(trackingPlans=[plan_json(f) for f in files])
    else:
        click.echo("\n".join(list_lines(files, "in the work tree" if ref == WORKTREE else f"at {ref}")))


@command.command("show")
@click.argument("name")
@read_branch_option()
@json_format()
@pass_context
def show(ctx: AppContext, name: str, branch: str | None, output_format: str) -> None:
    """Show the tracking plan NAME (its name in any case, or its id).

    Each narrowing's compatibility with its event's schema is shown: compatible, undecidable
    or incompatible.

    \b
    Examples:
      trackplan plans show Checkout --branch plans/checkout
      trackplan plans show checkout --branch plans/checkout --format json
    """
    from trackplan.trackingplans.compatibility import narrowing_verdicts
    from trackplan.trackingplans.files import find_tracking_plan
    from trackplan.trackingplans.references import referenced_event
    from trackplan.trackingplans.text import compatibility_json, plan_json, show_lines

    ws = ctx.workspace()
    ref = read_ref(ws, branch)
    found = find_tracking_plan(ws, ref, name)
    loaded = ws.load(ref)
    verdicts = narrowing_verdicts(found.plan, lambda reference: referenced_event(loaded, reference))
    if output_format == "json":
        echo_document(trackingPlan=plan_json(found), compatibility=compatibility_json(verdicts))
    else:
        click.echo("\n".join(show_lines(found, verdicts)))


def _written(outcome: Any, output_format: str, done: str) -> None:
    from trackplan.trackingplans.text import commit_json, commit_line

    if output_format == "json":
        echo_document(**commit_json(outcome))
    else:
        click.echo(commit_line(outcome, done))


@command.command("create")
@click.argument("name")
@plan_options
@branch_option()
@json_format()
@pass_context
def create(
    ctx: AppContext,
    name: str,
    description: str | None,
    access_instructions: str | None,
    domain: str | None,
    owner: str | None,
    sources: tuple[str, ...],
    branch: str | None,
    output_format: str,
) -> None:
    """Create the tracking plan NAME, as a draft.

    \b
    Examples:
      trackplan plans create Checkout --domain Payments --owner payments@example.com --branch plans/checkout
      trackplan plans create Discovery --source web --source ios --branch plans/checkout
    """
    from trackplan.trackingplans.crud import PlanFields, create_plan

    fields = PlanFields(None, description, access_instructions, domain, owner, None, sources or None)
    _written(create_plan(ctx.workspace(), name, fields, branch), output_format, "Created")


@command.command("update")
@click.argument("name")
@click.option("--name", "new_name", default=None, help="Rename the plan (its file moves; history follows its id).")
@plan_options
@branch_option()
@json_format()
@pass_context
def update(
    ctx: AppContext,
    name: str,
    new_name: str | None,
    description: str | None,
    access_instructions: str | None,
    domain: str | None,
    owner: str | None,
    sources: tuple[str, ...],
    branch: str | None,
    output_format: str,
) -> None:
    """Change the tracking plan NAME: only the options given.

    \b
    Examples:
      trackplan plans update Checkout --description "From cart to payment" --branch plans/checkout
      trackplan plans update Discovery --name Browsing --branch plans/checkout
    """
    from trackplan.trackingplans.crud import PlanFields, update_plan

    fields = PlanFields(new_name, description, access_instructions, domain, owner, None, sources or None)
    if not fields.changed():
        raise click.UsageError("give at least one option to change")
    _written(update_plan(ctx.workspace(), name, fields, branch), output_format, "Updated")


@command.command("status")
@click.argument("name")
@click.argument("status", type=click.Choice(STATUSES))
@click.option("--spec", default=None, help="Set the status of this event specification (its name or id) instead.")
@branch_option()
@json_format()
@pass_context
def status(ctx: AppContext, name: str, status: str, spec: str | None, branch: str | None, output_format: str) -> None:
    """Set the status of the tracking plan NAME, or of one of its specifications: draft, published or deprecated.

    \b
    Examples:
      trackplan plans status Checkout published --spec "Checkout Completed" --branch plans/checkout
      trackplan plans status Checkout published --branch plans/checkout
    """
    from trackplan.trackingplans.crud import PlanFields, set_specification_status, update_plan

    ws = ctx.workspace()
    if spec is None:
        outcome = update_plan(ws, name, PlanFields(status=status), branch)
    else:
        outcome = set_specification_status(ws, name, spec, status, branch)
    _written(outcome, output_format, "Updated")


@command.command("delete")
@click.argument("name")
@branch_option()
@json_format()
@pass_context
def delete(ctx: AppContext, name: str, branch: str | None, output_format: str) -> None:
    """Delete the tracking plan NAME (its file; git keeps its history).

    \b
    Examples:
      trackplan plans delete Browsing --branch plans/checkout
    """
    from trackplan.trackingplans.crud import delete_plan

    _written(delete_plan(ctx.workspace(), name, branch), output_format, "Deleted")


@command.command("add-spec")
@click.argument("name")
@click.option("--event", required=True, help="The event: its name in the plan, or an Iglu URI.")
@click.option("--spec-name", default=None, help="The specification's name [default: the event's].")
@click.option("--description", default="", help="What the specification is for.")
@click.option("--trigger", default=None, metavar="TEXT", help="When the event is sent.")
@click.option(
    "--app-id", "app_ids", multiple=True, metavar="ID", help="An app id the trigger is sent from (repeatable)."
)
@branch_option()
@json_format()
@pass_context
def add_spec(
    ctx: AppContext,
    name: str,
    event: str,
    spec_name: str | None,
    description: str,
    trigger: str | None,
    app_ids: tuple[str, ...],
    branch: str | None,
    output_format: str,
) -> None:
    """Add an event specification of EVENT to the tracking plan NAME, as a draft.

    \b
    Examples:
      trackplan plans add-spec Checkout --event "Checkout Completed" --trigger "Order confirmed" --branch plans/checkout
      trackplan plans add-spec Checkout --event "Signed Up" --trigger "Signed up" --app-id web --branch plans/checkout
    """
    from trackplan.trackingplans.crud import SpecificationFields, add_specification

    spec = SpecificationFields(event, spec_name, description, trigger, app_ids)
    _written(add_specification(ctx.workspace(), name, spec, branch), output_format, "Updated")


@command.command("history")
@click.argument("name")
@read_branch_option(commit=True)
@click.option("--before", default=None, metavar="ISO-8601", help="Only commits at or before this time.")
@click.option("--limit", type=click.IntRange(min=0), default=None, help="At most this many records.")
@click.option("--offset", type=click.IntRange(min=0), default=0, show_default=True, help="Skip the first N records.")
@click.option("--order", type=click.Choice(["desc", "asc"]), default="desc", show_default=True)
@click.option("--include-events", is_flag=True, help="Add the changes to the events its specifications name.")
@json_format()
@pass_context
def history(
    ctx: AppContext,
    name: str,
    branch: str,
    before: str | None,
    limit: int | None,
    offset: int,
    order: str,
    include_events: bool,
    output_format: str,
) -> None:
    """The commits that changed the tracking plan NAME, newest first, followed across renames.

    NAME is the plan's name or id; a deleted plan's history is found by its id.

    \b
    Examples:
      trackplan plans history Checkout --branch plans/checkout
      trackplan plans history Checkout --branch plans/checkout --limit 5 --order asc --format json
    """
    from trackplan.trackingplans.history import HistoryQuery, plan_history, resolve_plan
    from trackplan.trackingplans.text import history_lines

    ws = ctx.workspace()
    plan_id, plan_name = resolve_plan(ws, branch, name)
    records = plan_history(ws, branch, plan_id, HistoryQuery(before, limit, offset, order, include_events))
    if output_format == "json":
        echo_document(trackingPlan={"id": str(plan_id), "name": plan_name}, history=[r.to_json() for r in records])
    else:
        click.echo("\n".join(history_lines(plan_name, records)))

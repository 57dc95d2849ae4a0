"""trackplan check: validate real event payloads against the plan (analytics QA)."""

from __future__ import annotations

import sys

import click

from trackplan.cli.context import AppContext, echo_document, pass_context, read_ref
from trackplan.cli.options import format_option, worktree_ref_option


@click.command("check")
@click.argument("payloads")
@worktree_ref_option(help="Plan version to check against, instead of the work tree.")
@format_option("text", "json", help=None)
@click.option("--max-invalid", default=None, metavar="N|P%", help="Exit 1 when more payloads than this are invalid.")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Check a random sample of N payloads.")
@click.option(
    "--ignore-payload-commit",
    is_flag=True,
    help="Check every payload against --ref, even one naming its commit in context.trackingPlan.commit.",
)
@click.option(
    "--no-formats",
    is_flag=True,
    help="Do not assert `format` keywords (email, date-time, uri, ...); they are asserted by default.",
)
@pass_context
def command(
    ctx: AppContext,
    payloads: str,
    ref: str | None,
    output_format: str,
    max_invalid: str | None,
    sample: int | None,
    ignore_payload_commit: bool,
    no_formats: bool,
) -> None:
    """Check PAYLOADS (JSONL or a JSON array; - for stdin) against the plan at a ref.

    Shapes are detected per payload: Segment track/identify/group, Amplitude
    (event_type, event_properties, user_properties), Snowplow self-describing events
    (schema, data) and plain {event, properties}. Malformed lines are counted, never fatal.
    A payload naming the commit its generated code came from (context.trackingPlan.commit)
    is checked against the plan at that commit; one this repository lacks counts as invalid.

    \b
    Examples:
      trackplan check events.jsonl
      kafkacat -C -t events -e | trackplan check - --max-invalid 0.5%
      trackplan check sample.json --ref v2.0 --format json
    """
    from trackplan.checking.run import CheckRequest, check_ref
    from trackplan.checking.text import render_text
    from trackplan.cli.progress import progress_for

    ws = ctx.workspace()
    plan_ref = read_ref(ws, ref)
    request = CheckRequest(payloads, plan_ref, sample, max_invalid, ignore_payload_commit, formats=not no_formats)
    with progress_for("checking", "payloads", output_format) as progress:
        outcome = check_ref(ws, request, sys.stdin.buffer, progress)
    if output_format == "json":
        echo_document(**outcome.summary)
    else:
        click.echo(render_text(outcome.summary), nl=False)
    if outcome.failed:
        click.get_current_context().exit(1)

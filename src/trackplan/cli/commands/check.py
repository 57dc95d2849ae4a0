"""trackplan check: validate real event payloads against the plan (analytics QA)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from trackplan.cli.context import AppContext, echo_json, pass_context


@click.command("check")
@click.argument("payloads")
@click.option("--ref", default="HEAD", show_default=True, help="Plan version to check against.")
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--max-invalid", default=None, metavar="N|P%", help="Exit 1 when more payloads than this are invalid.")
@click.option("--sample", type=click.IntRange(min=1), default=None, help="Check a random sample of N payloads.")
@pass_context
def command(
    ctx: AppContext, payloads: str, ref: str, output_format: str, max_invalid: str | None, sample: int | None
) -> None:
    """Check PAYLOADS (JSONL or a JSON array; - for stdin) against the plan at a ref.

    Shapes are detected per payload: Segment track/identify/group, Amplitude
    (event_type, event_properties, user_properties), Snowplow self-describing events
    (schema, data) and plain {event, properties}. Malformed lines are counted, never fatal.

    \b
    Examples:
      trackplan check events.jsonl
      kafkacat -C -t events -e | trackplan check - --max-invalid 0.5%
      trackplan check sample.json --ref v2.0 --format json
    """
    from trackplan.checking.checker import Checker, parse_max_invalid
    from trackplan.checking.run import run_checks
    from trackplan.errors import InputError

    limit = parse_max_invalid(max_invalid)
    checker = Checker(ctx.workspace().load(ref).plan)
    if payloads == "-":
        report = run_checks(checker, sys.stdin.buffer, sample)
    else:
        path = Path(payloads)
        if not path.is_file():
            raise InputError(f"{payloads}: no such file")
        with path.open("rb") as stream:
            report = run_checks(checker, stream, sample)
    if output_format == "json":
        echo_json(report.to_json(checker))
    else:
        doc = report.to_json(checker)
        for name, stats in doc["events"].items():
            click.echo(f"{name}: {stats['seen']} seen, {stats['valid']} valid, {stats['invalid']} invalid")
            for error in stats["topErrors"]:
                click.echo(f"    {error['count']}× {error['path']}: {error['message']}")
            if stats["neverSent"]:
                click.echo(f"    never sent: {', '.join(stats['neverSent'])}")
        for name, count in doc["unknownEvents"].items():
            click.echo(f"unknown event {name}: {count}")
        for item in doc["malformedLines"]:
            click.echo(f"malformed line {item['line']}: {item['error']}")
        click.echo(f"{report.checked} checked, {report.invalid} invalid, {report.malformed_count} malformed")
    if limit is not None:
        threshold, share = limit
        allowed = threshold * report.checked if share else threshold
        if report.invalid > allowed:
            click.get_current_context().exit(1)

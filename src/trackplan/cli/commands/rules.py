"""trackplan rules: the lint and breaking-change rule catalogues."""

from __future__ import annotations

from typing import TYPE_CHECKING

import click

from trackplan.cli.context import echo_document
from trackplan.cli.options import format_option

if TYPE_CHECKING:
    from trackplan.catalogue import Rule


@click.command("rules")
@click.option("--markdown", is_flag=True, help="Print docs/rules.md (the lint catalogue with examples).")
@format_option("text", "json")
def command(markdown: bool, output_format: str) -> None:
    """List the rules `validate` and `diff` apply.

    \b
    Examples:
      trackplan rules
      trackplan rules --format json | jq '.rules[] | select(.verb == "diff") | .id'
      trackplan rules --markdown > docs/rules.md
    """
    from trackplan.catalogue import all_rules
    from trackplan.linting.rules import rules_markdown

    if markdown:
        click.echo(rules_markdown(), nl=False)
    elif output_format == "json":
        echo_document(rules=[rule.to_json() for rule in all_rules()])
    else:
        click.echo(_text(all_rules()), nl=False)


def _text(rules: tuple[Rule, ...]) -> str:
    lines = ["validate (lint):"]
    lines.extend(
        f"  {rule.id}  {rule.severity():<8} {rule.name}: {rule.summary}" for rule in rules if rule.verb == "validate"
    )
    lines.append("\ndiff (breaking changes; severity under validation / consumer profiles):")
    lines.extend(
        f"  {rule.id}  {rule.severity('validation'):<8} / {rule.severity('consumer'):<8} {rule.name}: {rule.summary}"
        for rule in rules
        if rule.verb == "diff"
    )
    return "\n".join(lines) + "\n"

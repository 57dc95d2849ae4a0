"""trackplan rules: the lint and breaking-change rule catalogues."""

from __future__ import annotations

import click


@click.command("rules")
@click.option("--markdown", is_flag=True, help="Print docs/rules.md (the lint catalogue with examples).")
def command(markdown: bool) -> None:
    """List the rules `validate` and `diff` apply.

    \b
    Examples:
      trackplan rules
      trackplan rules --markdown > docs/rules.md
    """
    from trackplan.diffing import rules
    from trackplan.linting import rules as lint_rules

    if markdown:
        click.echo(lint_rules.rules_markdown(), nl=False)
        return
    click.echo("validate (lint):")
    for rule in lint_rules.CATALOGUE:
        click.echo(f"  {rule.id}  {rule.severity:<8} {rule.name}: {rule.summary}")
    click.echo("\ndiff (breaking changes; severity under validation / consumer profiles):")
    for change_rule in rules.RULES.values():
        severities = f"{change_rule.validation:<8} / {change_rule.consumer:<8}"
        click.echo(f"  {change_rule.id}  {severities} {change_rule.name}: {change_rule.summary}")

"""The lint rule catalogue. Each rule's `valid` and `invalid` examples are event files that
the rule accepts and flags; they are the rule's tests and appear in docs/rules.md."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class LintRule:
    id: str
    name: str
    severity: str  # error | warning | info
    summary: str
    hint: str
    valid: str
    invalid: str
    # Plan files the examples need beside the event (path -> text), e.g. identify.yaml.
    extra_files: tuple[tuple[str, str], ...] = ()


EXAMPLE_SETTINGS = """name: Example
sources: [web, ios]
domains: [Growth]
naming: {events: Title Case, properties: snake_case}
"""

GOOD = """title: Order Completed
description: Sent when an order is placed.
type: object
x-version: 1-0-0
x-status: live
x-sources: [web]
x-owner: Growth
properties:
  order_id:
    type: string
    description: The order.
required: [order_id]
"""


def _bad(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new)


CATALOGUE = (
    LintRule(
        "TP101",
        "parse-error",
        "error",
        "The file must be valid YAML (or JSON).",
        "Fix the syntax at the position shown.",
        GOOD,
        "title: [unclosed\n",
    ),
    LintRule(
        "TP102",
        "invalid-json-schema",
        "error",
        "The event must be a valid JSON Schema (draft 2020-12).",
        "Use JSON Schema keywords with the right value types.",
        GOOD,
        _bad("    type: string\n    description: The order.", "    type: text\n    description: The order."),
    ),
    LintRule(
        "TP103",
        "title-missing",
        "error",
        "Every event needs a non-empty `title`: the event name.",
        "Add `title: Event Name`.",
        GOOD,
        _bad("title: Order Completed\n", ""),
    ),
    LintRule(
        "TP104",
        "title-duplicate",
        "error",
        "Event names are unique in the plan.",
        "Rename one of the events, or merge them.",
        GOOD,
        GOOD,
        (("events/order-completed-copy.yaml", GOOD),),
    ),
    LintRule(
        "TP105",
        "file-name-mismatch",
        "warning",
        "The file name is the slug of the title.",
        "Rename the file to the slug shown (git mv keeps history).",
        GOOD,
        _bad("title: Order Completed", "title: Order Placed"),
    ),
    LintRule(
        "TP106",
        "unknown-x-key",
        "warning",
        "Only known `x-` keys are used.",
        "Check the spelling against docs/format.md.",
        GOOD,
        _bad("x-status: live\n", "x-status: live\nx-owners: Growth\n"),
    ),
    LintRule(
        "TP107",
        "unknown-source",
        "error",
        "Every source in `x-sources` is declared in trackplan.yaml.",
        "Declare the source under `sources:` or fix the name.",
        GOOD,
        _bad("x-sources: [web]", "x-sources: [web, tv]"),
    ),
    LintRule(
        "TP108",
        "unknown-domain",
        "warning",
        "Owner and stakeholders are domains declared in trackplan.yaml.",
        "Declare the domain under `domains:` or fix the name.",
        GOOD,
        _bad("x-owner: Growth", "x-owner: Growht"),
    ),
    LintRule(
        "TP109",
        "invalid-status",
        "error",
        "`x-status` is draft, live or deprecated.",
        "Use one of the allowed values.",
        GOOD,
        _bad("x-status: live", "x-status: shipped"),
    ),
    LintRule(
        "TP110",
        "invalid-version",
        "error",
        "`x-version` is SchemaVer: MODEL-REVISION-ADDITION.",
        "Write it like 1-0-0.",
        GOOD,
        _bad("x-version: 1-0-0", "x-version: 1.0.0"),
    ),
    LintRule(
        "TP111",
        "unresolved-ref",
        "error",
        "Every `$ref` resolves.",
        "Point the ref at a definition in the same file, or inline the schema.",
        GOOD,
        _bad(
            "    type: string\n    description: The order.",
            "    $ref: '#/$defs/missing'\n    description: The order.",
        ),
    ),
    LintRule(
        "TP112",
        "circular-ref",
        "error",
        "`$ref`s do not form a cycle.",
        "Break the cycle by inlining one definition.",
        GOOD,
        GOOD + "$defs:\n  a: {$ref: '#/$defs/b'}\n  b: {$ref: '#/$defs/a'}\n",
    ),
    LintRule(
        "TP113",
        "event-name-convention",
        "warning",
        "Event names follow `naming.events` in trackplan.yaml.",
        "Rename the event to match the convention.",
        GOOD,
        _bad("title: Order Completed", "title: order_completed").replace("description: Sent", "description: Sent"),
    ),
    LintRule(
        "TP114",
        "property-name-convention",
        "warning",
        "Property names follow `naming.properties`.",
        "Rename the property to match the convention.",
        GOOD,
        _bad("  order_id:\n", "  orderId:\n").replace("required: [order_id]", "required: [orderId]"),
    ),
    LintRule(
        "TP115",
        "description-missing",
        "warning",
        "Events have descriptions (properties too, if `lint.descriptions.properties`).",
        "Add a `description` that says when the event is sent.",
        GOOD,
        _bad("description: Sent when an order is placed.\n", ""),
    ),
    LintRule(
        "TP116",
        "property-drift",
        "warning",
        "A property name means one thing: the same type in every event.",
        "Align the type (or rename one of the properties).",
        GOOD,
        GOOD,
        (
            (
                "events/order-shipped.yaml",
                GOOD.replace("Order Completed", "Order Shipped").replace(
                    "type: string\n    description: The order.", "type: integer\n    description: The order."
                ),
            ),
        ),
    ),
    LintRule(
        "TP117",
        "case-collision",
        "error",
        "Event names do not collide when case is ignored.",
        "Use one spelling for the event.",
        GOOD,
        GOOD,
        (
            (
                "events/order-completed-x.yaml",
                GOOD.replace("title: Order Completed", "title: ORDER COMPLETED"),
            ),
        ),
    ),
    LintRule(
        "TP118",
        "ambiguous-scalar",
        "warning",
        "No unquoted scalars that YAML 1.1 and 1.2 read differently (yes, no, on, off, 0777, 1:20).",
        "Quote the value: 'yes'.",
        GOOD,
        _bad("    description: The order.", "    description: The order.\n    enum: [yes, no]"),
    ),
    LintRule(
        "TP119",
        "enum-duplicate",
        "error",
        "Enum values are unique.",
        "Remove the repeated value.",
        GOOD,
        _bad("    description: The order.", "    description: The order.\n    enum: [a, b, a]"),
    ),
    LintRule(
        "TP120",
        "enum-empty",
        "error",
        "An enum is never empty: nothing would be valid.",
        "List the allowed values, or remove `enum`.",
        GOOD,
        _bad("    description: The order.", "    description: The order.\n    enum: []"),
    ),
    LintRule(
        "TP121",
        "required-unknown",
        "error",
        "Every name in `required` is a property.",
        "Add the property or remove the name from `required`.",
        GOOD,
        _bad("required: [order_id]", "required: [order_id, total]"),
    ),
    LintRule(
        "TP122",
        "value-type-mismatch",
        "error",
        "`const` and `enum` values fit the declared type.",
        "Fix the value or the type.",
        GOOD,
        _bad("    description: The order.", "    description: The order.\n    enum: [1, 2]"),
    ),
    LintRule(
        "TP123",
        "invalid-pattern",
        "error",
        "`pattern` is a valid regular expression.",
        "Fix the regular expression.",
        GOOD,
        _bad("    description: The order.", "    description: The order.\n    pattern: '^(ord_'"),
    ),
    LintRule(
        "TP124",
        "user-property-mismatch",
        "warning",
        "User properties (`x-send-as: UserProperty`) are traits in identify.yaml, with the same type.",
        "Add the trait to identify.yaml or align its type.",
        GOOD,
        _bad("    description: The order.", "    description: The order.\n    x-send-as: UserProperty"),
        (
            (
                "identify.yaml",
                "title: Identify Properties\ntype: object\nproperties:\n  plan: {type: string}\n",
            ),
        ),
    ),
    LintRule(
        "TP125",
        "unused-suppression",
        "warning",
        "Every suppression in trackplan.yaml still suppresses something.",
        "Remove the suppression.",
        GOOD,
        GOOD,
        (
            (
                "trackplan.yaml",
                EXAMPLE_SETTINGS
                + "lint:\n  suppress:\n    - {rule: TP113, event: Order Completed, reason: legacy name}\n",
            ),
        ),
    ),
    LintRule(
        "TP126",
        "suppression-without-reason",
        "error",
        "Suppressions say why.",
        "Add `reason:` to the suppression.",
        GOOD,
        GOOD,
        (
            (
                "trackplan.yaml",
                EXAMPLE_SETTINGS + "lint:\n  suppress:\n    - {rule: TP105, file: events/order-completed.yaml}\n",
            ),
        ),
    ),
    LintRule(
        "TP127",
        "event-file-placement",
        "warning",
        "In a plan with `events_layout: sharded`, each event file is in its folder: events/<xx>/<name>.yaml.",
        "Run `trackplan layout sharded` on a branch: it moves every misplaced file.",
        GOOD,
        GOOD,
        (("trackplan.yaml", EXAMPLE_SETTINGS + "events_layout: sharded\n"),),
    ),
    LintRule(
        "TP128",
        "large-flat-events-folder",
        "info",
        "A flat events/ folder stays under `lint.flat_events_max` files (default 1,000, what GitHub lists).",
        "Run `trackplan layout sharded` on a branch: commits and diffs then cost what the change costs.",
        GOOD,
        GOOD,
        (
            ("trackplan.yaml", EXAMPLE_SETTINGS + "lint: {flat_events_max: 1}\n"),
            ("events/order-shipped.yaml", GOOD.replace("Order Completed", "Order Shipped")),
        ),
    ),
)
RULES = {rule.id: rule for rule in CATALOGUE}


def example_files(rule: LintRule, valid: bool) -> dict[str, bytes]:
    """The plan folder of one example: settings, the event, and the rule's extra files."""
    files = {
        "trackplan.yaml": EXAMPLE_SETTINGS,
        "events/order-completed.yaml": rule.valid if valid else rule.invalid,
    }
    if not valid:
        files.update(dict(rule.extra_files))
    return {path: text.encode() for path, text in files.items()}


def rules_markdown() -> str:
    """docs/rules.md, generated from the catalogue (a test fails when the file is stale)."""
    out = [
        "# Lint rules",
        "",
        "Generated from `src/trackplan/lint_rules.py` by `trackplan rules --markdown`; do not edit by hand.",
        "Each rule's examples are its tests. Configure rules in trackplan.yaml:",
        "",
        "```yaml",
        "lint:",
        "  rules: {TP115: off, TP113: error}      # off, error, warning or info",
        "  descriptions: {events: true, properties: false}",
        "  suppress:",
        "    - {rule: TP116, event: Checkout Completed, reason: legacy type kept for old apps}",
        "    - {rule: TP105, file: events/old-name.yaml, reason: renamed later}",
        "naming: {events: Title Case, properties: snake_case}   # or camelCase, PascalCase, kebab-case, a regex",
        "```",
        "",
        "The examples below use these settings:",
        "",
        "```yaml",
        EXAMPLE_SETTINGS.rstrip(),
        "```",
        "",
        "| Rule | Name | Default | What it checks |",
        "|---|---|---|---|",
        *(f"| [{r.id}](#{r.id.lower()}) | {r.name} | {r.severity} | {r.summary} |" for r in CATALOGUE),
        "",
    ]
    for rule in CATALOGUE:
        out += [
            f"## {rule.id}",
            "",
            f"**{rule.name}** · default **{rule.severity}**",
            "",
            rule.summary,
            "",
            f"Fix: {rule.hint}",
            "",
            "Valid:",
            "",
            "```yaml",
            rule.valid.rstrip(),
            "```",
            "",
            "Invalid:",
            "",
            "```yaml",
            rule.invalid.rstrip(),
            "```",
            "",
        ]
        for path, text in rule.extra_files:
            out += [f"with `{path}`:", "", "```yaml", text.rstrip(), "```", ""]
    return "\n".join(out)

"""The lint rule catalogue (TP1xx). Each rule's two examples are the event file it accepts and
the plan files it flags; they are the rule's tests and appear in docs/rules.md."""

from __future__ import annotations

from trackplan.catalogue import Example, Rule, edit
from trackplan.linting.tracking_plan_rules import TRACKING_PLAN_RULES

EVENT_FILE = "events/order-completed.yaml"
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
    return edit(GOOD, (old, new))


def _examples(valid: str, invalid: str, extra_files: tuple[tuple[str, str], ...] = ()) -> tuple[Example, ...]:
    """The event file the rule accepts, and the one it flags in a plan that also holds
    `extra_files` (path, text), such as identify.yaml or a second event."""
    return (
        Example(fires=False, after=((EVENT_FILE, valid),)),
        Example(fires=True, after=((EVENT_FILE, invalid), *extra_files)),
    )


CATALOGUE = (
    Rule(
        "TP101",
        "parse-error",
        "validate",
        "The file must be valid YAML (or JSON).",
        {"default": "error"},
        "Fix the syntax at the position shown.",
        _examples(GOOD, "title: [unclosed\n"),
    ),
    Rule(
        "TP102",
        "invalid-json-schema",
        "validate",
        "The event must be a valid JSON Schema (draft 2020-12).",
        {"default": "error"},
        "Use JSON Schema keywords with the right value types.",
        _examples(
            GOOD, _bad("    type: string\n    description: The order.", "    type: text\n    description: The order.")
        ),
    ),
    Rule(
        "TP103",
        "title-missing",
        "validate",
        "Every event needs a non-empty `title`: the event name.",
        {"default": "error"},
        "Add `title: Event Name`.",
        _examples(GOOD, _bad("title: Order Completed\n", "")),
    ),
    Rule(
        "TP104",
        "title-duplicate",
        "validate",
        "Event names are unique in the plan.",
        {"default": "error"},
        "Rename one of the events, or merge them.",
        _examples(GOOD, GOOD, (("events/order-completed-copy.yaml", GOOD),)),
    ),
    Rule(
        "TP105",
        "file-name-mismatch",
        "validate",
        "The file name is the slug of the title.",
        {"default": "warning"},
        "Rename the file to the slug shown (git mv keeps history).",
        _examples(GOOD, _bad("title: Order Completed", "title: Order Placed")),
    ),
    Rule(
        "TP106",
        "unknown-x-key",
        "validate",
        "Only known `x-` keys are used.",
        {"default": "warning"},
        "Check the spelling against docs/format.md.",
        _examples(GOOD, _bad("x-status: live\n", "x-status: live\nx-owners: Growth\n")),
    ),
    Rule(
        "TP107",
        "unknown-source",
        "validate",
        "Every source in `x-sources` is declared in trackplan.yaml.",
        {"default": "error"},
        "Declare the source under `sources:` or fix the name.",
        _examples(GOOD, _bad("x-sources: [web]", "x-sources: [web, tv]")),
    ),
    Rule(
        "TP108",
        "unknown-domain",
        "validate",
        "Owner and stakeholders are domains declared in trackplan.yaml.",
        {"default": "warning"},
        "Declare the domain under `domains:` or fix the name.",
        _examples(GOOD, _bad("x-owner: Growth", "x-owner: Growht")),
    ),
    Rule(
        "TP109",
        "invalid-status",
        "validate",
        "`x-status` is draft, live or deprecated.",
        {"default": "error"},
        "Use one of the allowed values.",
        _examples(GOOD, _bad("x-status: live", "x-status: shipped")),
    ),
    Rule(
        "TP110",
        "invalid-version",
        "validate",
        "`x-version` is SchemaVer: MODEL-REVISION-ADDITION.",
        {"default": "error"},
        "Write it like 1-0-0.",
        _examples(GOOD, _bad("x-version: 1-0-0", "x-version: 1.0.0")),
    ),
    Rule(
        "TP111",
        "unresolved-ref",
        "validate",
        "Every `$ref` resolves.",
        {"default": "error"},
        "Point the ref at a definition in the same file, or inline the schema.",
        _examples(
            GOOD,
            _bad(
                "    type: string\n    description: The order.",
                "    $ref: '#/$defs/missing'\n    description: The order.",
            ),
        ),
    ),
    Rule(
        "TP112",
        "circular-ref",
        "validate",
        "`$ref`s do not form a cycle.",
        {"default": "error"},
        "Break the cycle by inlining one definition.",
        _examples(GOOD, GOOD + "$defs:\n  a: {$ref: '#/$defs/b'}\n  b: {$ref: '#/$defs/a'}\n"),
    ),
    Rule(
        "TP113",
        "event-name-convention",
        "validate",
        "Event names follow `naming.events` in trackplan.yaml.",
        {"default": "warning"},
        "Rename the event to match the convention.",
        _examples(GOOD, _bad("title: Order Completed", "title: order_completed")),
    ),
    Rule(
        "TP114",
        "property-name-convention",
        "validate",
        "Property names follow `naming.properties`.",
        {"default": "warning"},
        "Rename the property to match the convention.",
        _examples(GOOD, _bad("  order_id:\n", "  orderId:\n").replace("required: [order_id]", "required: [orderId]")),
    ),
    Rule(
        "TP115",
        "description-missing",
        "validate",
        "Events have descriptions (properties too, if `lint.descriptions.properties`).",
        {"default": "warning"},
        "Add a `description` that says when the event is sent.",
        _examples(GOOD, _bad("description: Sent when an order is placed.\n", "")),
    ),
    Rule(
        "TP116",
        "property-drift",
        "validate",
        "A property name means one thing: the same type in every event.",
        {"default": "warning"},
        "Align the type (or rename one of the properties).",
        _examples(
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
    ),
    Rule(
        "TP117",
        "case-collision",
        "validate",
        "Event names do not collide when case is ignored.",
        {"default": "error"},
        "Use one spelling for the event.",
        _examples(
            GOOD,
            GOOD,
            (
                (
                    "events/order-completed-x.yaml",
                    GOOD.replace("title: Order Completed", "title: ORDER COMPLETED"),
                ),
            ),
        ),
    ),
    Rule(
        "TP118",
        "ambiguous-scalar",
        "validate",
        "No unquoted scalars that YAML 1.1 and 1.2 read differently (yes, no, on, off, 0777, 1:20).",
        {"default": "warning"},
        "Quote the value: 'yes'.",
        _examples(GOOD, _bad("    description: The order.", "    description: The order.\n    enum: [yes, no]")),
    ),
    Rule(
        "TP119",
        "enum-duplicate",
        "validate",
        "Enum values are unique.",
        {"default": "error"},
        "Remove the repeated value.",
        _examples(GOOD, _bad("    description: The order.", "    description: The order.\n    enum: [a, b, a]")),
    ),
    Rule(
        "TP120",
        "enum-empty",
        "validate",
        "An enum is never empty: nothing would be valid.",
        {"default": "error"},
        "List the allowed values, or remove `enum`.",
        _examples(GOOD, _bad("    description: The order.", "    description: The order.\n    enum: []")),
    ),
    Rule(
        "TP121",
        "required-unknown",
        "validate",
        "Every name in `required` is a property.",
        {"default": "error"},
        "Add the property or remove the name from `required`.",
        _examples(GOOD, _bad("required: [order_id]", "required: [order_id, total]")),
    ),
    Rule(
        "TP122",
        "value-type-mismatch",
        "validate",
        "`const` and `enum` values fit the declared type.",
        {"default": "error"},
        "Fix the value or the type.",
        _examples(GOOD, _bad("    description: The order.", "    description: The order.\n    enum: [1, 2]")),
    ),
    Rule(
        "TP123",
        "invalid-pattern",
        "validate",
        "`pattern` is a valid regular expression.",
        {"default": "error"},
        "Fix the regular expression.",
        _examples(GOOD, _bad("    description: The order.", "    description: The order.\n    pattern: '^(ord_'")),
    ),
    Rule(
        "TP124",
        "user-property-mismatch",
        "validate",
        "User properties (`x-send-as: UserProperty`) are traits in identify.yaml, with the same type.",
        {"default": "warning"},
        "Add the trait to identify.yaml or align its type.",
        _examples(
            GOOD,
            _bad("    description: The order.", "    description: The order.\n    x-send-as: UserProperty"),
            (
                (
                    "identify.yaml",
                    "title: Identify Properties\ntype: object\nproperties:\n  plan: {type: string}\n",
                ),
            ),
        ),
    ),
    Rule(
        "TP125",
        "unused-suppression",
        "validate",
        "Every suppression in trackplan.yaml still suppresses something.",
        {"default": "warning"},
        "Remove the suppression.",
        _examples(
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
    ),
    Rule(
        "TP126",
        "suppression-without-reason",
        "validate",
        "Suppressions say why.",
        {"default": "error"},
        "Add `reason:` to the suppression.",
        _examples(
            GOOD,
            GOOD,
            (
                (
                    "trackplan.yaml",
                    EXAMPLE_SETTINGS + "lint:\n  suppress:\n    - {rule: TP105, file: events/order-completed.yaml}\n",
                ),
            ),
        ),
    ),
    Rule(
        "TP127",
        "event-file-placement",
        "validate",
        "In a plan with `events_layout: sharded`, each event file is in its folder: events/<xx>/<name>.yaml.",
        {"default": "warning"},
        "Run `trackplan layout sharded` on a branch: it moves every misplaced file.",
        _examples(GOOD, GOOD, (("trackplan.yaml", EXAMPLE_SETTINGS + "events_layout: sharded\n"),)),
    ),
    Rule(
        "TP128",
        "large-flat-events-folder",
        "validate",
        "A flat events/ folder stays under `lint.flat_events_max` files (default 1,000, what GitHub lists).",
        {"default": "info"},
        "Run `trackplan layout sharded` on a branch: commits and diffs then cost what the change costs.",
        _examples(
            GOOD,
            GOOD,
            (
                ("trackplan.yaml", EXAMPLE_SETTINGS + "lint: {flat_events_max: 1}\n"),
                ("events/order-shipped.yaml", GOOD.replace("Order Completed", "Order Shipped")),
            ),
        ),
    ),
    Rule(
        "TP129",
        "invalid-settings",
        "validate",
        "Each key of trackplan.yaml has its type: `main_branch` a string, `protected_branches` a list of "
        "branch names, `sources`, `destinations` and `domains` lists of names.",
        {"default": "error"},
        "Write the value in the form docs/format.md shows.",
        _examples(GOOD, GOOD, (("trackplan.yaml", EXAMPLE_SETTINGS + "main_branch: 5\n"),)),
    ),
    Rule(
        "TP130",
        "unreadable-event",
        "validate",
        "Each key trackplan reads from an event file has its type, such as `x-name-mapping` a list.",
        {"default": "error"},
        "Write the value in the form docs/format.md shows.",
        _examples(GOOD, GOOD + "x-name-mapping: 5\n"),
    ),
    Rule(
        "TP131",
        "unknown-setting",
        "validate",
        "Every key of trackplan.yaml is one trackplan reads: a misspelt key is otherwise ignored.",
        {"default": "warning"},
        "Fix the spelling or remove the key.",
        _examples(GOOD, GOOD, (("trackplan.yaml", EXAMPLE_SETTINGS + "breaking_profle: consumer\n"),)),
    ),
    Rule(
        "TP132",
        "invalid-setting-value",
        "validate",
        "A setting with a fixed set of values holds one of them: `breaking_profile`, `events_layout`, "
        "`property_scope`, the rules and levels of `lint.rules` and `breaking_severity`, and `naming` "
        "(a convention or a regular expression).",
        {"default": "error"},
        "Use one of the values listed.",
        _examples(GOOD, GOOD, (("trackplan.yaml", EXAMPLE_SETTINGS + "breaking_profile: validaton\n"),)),
    ),
    *TRACKING_PLAN_RULES,
)
RULES = {rule.id: rule for rule in CATALOGUE}


def example_files(example: Example) -> dict[str, bytes]:
    """The plan folder of one example: the example settings, then the example's own files."""
    files = {"trackplan.yaml": EXAMPLE_SETTINGS, **dict(example.after)}
    return {path: text.encode() for path, text in files.items()}


def rules_markdown() -> str:
    """docs/rules.md, generated from the catalogue (a test fails when the file is stale)."""
    out = [*_preamble(), "| Rule | Name | Default | What it checks |", "|---|---|---|---|"]
    out += [f"| [{r.id}](#{r.id.lower()}) | {r.name} | {r.severity()} | {r.summary} |" for r in CATALOGUE]
    out.append("")
    for rule in CATALOGUE:
        out += _section(rule)
    return "\n".join(out)


def _preamble() -> list[str]:
    return [
        "# Lint rules",
        "",
        "Generated from `src/trackplan/linting/rules.py` by `trackplan rules --markdown`; do not edit by hand.",
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
    ]


def _section(rule: Rule) -> list[str]:
    """A rule's heading, summary, fix, its two event files, then the flagged plan's other files."""
    accepted, flagged = (dict(example.after) for example in rule.examples)
    out = [f"## {rule.id}", "", f"**{rule.name}** · default **{rule.severity()}**", "", rule.summary, ""]
    out += [f"Fix: {rule.hint}", ""]
    out += ["Valid:", "", "```yaml", accepted[EVENT_FILE].rstrip(), "```", ""]
    out += ["Invalid:", "", "```yaml", flagged.pop(EVENT_FILE).rstrip(), "```", ""]
    for path, text in flagged.items():
        out += [f"with `{path}`:", "", "```yaml", text.rstrip(), "```", ""]
    return out

"""The change rules of `diff` (TP0xx): what each means, its severity per profile, and its
examples, plans before and after that the rule fires or stays silent on. The examples are
the rules' tests and appear in the rule table of docs/diff.md, generated here.

Profiles: `validation` (Snowplow's SchemaVer meaning: data valid at BASE fails at HEAD) and
`consumer` (changes that break downstream queries). Severities can be overridden per rule
in trackplan.yaml under `breaking_severity: {RULE: breaking|warning|info}`.
"""

from __future__ import annotations

import difflib

from trackplan.catalogue import Example, Rule, edit
from trackplan.diffing.profiles import PROFILES
from trackplan.diffing.tracking_plan_rules import TRACKING_PLAN_RULES

# The plan files of the examples: most edit one event file, ORDER, or a variant of it.
EVENT_FILE = "events/order-completed.yaml"
SETTINGS = "name: Example\nsources: [web, ios]\n"
ORDER = """title: Order Completed
description: Sent when an order is placed.
type: object
x-id: evt_order_completed
x-sources: [web]
properties:
  order_id:
    type: string
    pattern: ^ord_[0-9]+$
  amount:
    type: number
    minimum: 0
  currency:
    type: string
    const: EUR
  channel:
    type: string
    enum: [web, app, store]
  placed_at:
    type: string
    format: date-time
  coupon:
    type: string
required: [order_id, amount]
"""
CLOSE = ("required: [order_id, amount]\n", "required: [order_id, amount]\nadditionalProperties: false\n")
CLOSED = edit(ORDER, CLOSE)
VERSIONED = edit(ORDER, ("x-sources: [web]\n", "x-sources: [web]\nx-version: 1-0-0\n"))
DISCOUNT_BRANCHES = "      - {type: number, minimum: 0}\n      - {type: string, pattern: '^[0-9]+%$'}\n"
DISCOUNT = edit(ORDER, ("  coupon:\n", "  discount:\n    anyOf:\n" + DISCOUNT_BRANCHES + "  coupon:\n"))
WITH_AMOUNT_ID = edit(ORDER, ("  amount:\n", "  amount:\n    x-id: prp_amount\n"))
TWO_SOURCES = edit(ORDER, ("x-sources: [web]", "x-sources: [web, ios]"))
IDENTIFY = """title: Identify Properties
type: object
properties:
  email:
    type: string
    format: email
"""
PLACED = "events/order-placed.yaml"
GIFT_WRAP = ("  coupon:\n", "  gift_wrap:\n    type: boolean\n  coupon:\n")
NO_COUPON = ("  coupon:\n    type: string\n", "")
NO_STORE = ("enum: [web, app, store]", "enum: [web, app]")
KIOSK = ("enum: [web, app, store]", "enum: [web, app, store, kiosk]")
RENAMED = ("title: Order Completed", "title: Order Placed")
NO_ID = ("x-id: evt_order_completed\n", "")


def _edited(fires: bool, *edits: tuple[str, str], base: str = ORDER) -> Example:
    """The event file `base` before and after the edits."""
    return Example(fires=fires, before=((EVENT_FILE, base),), after=((EVENT_FILE, edit(base, *edits)),))


def _settings(fires: bool, after: str) -> Example:
    return Example(fires=fires, before=(("trackplan.yaml", SETTINGS),), after=(("trackplan.yaml", after),))


def _rule(rule_id: str, name: str, validation: str, consumer: str, summary: str, *examples: Example) -> Rule:
    return Rule(rule_id, name, "diff", summary, {"validation": validation, "consumer": consumer}, examples=examples)


RULES = {
    rule.id: rule
    for rule in (
        _rule(
            "TP001",
            "event-added",
            "info",
            "info",
            "A new event.",
            Example(
                fires=True,
                before=(("trackplan.yaml", SETTINGS),),
                after=(("trackplan.yaml", SETTINGS), (EVENT_FILE, ORDER)),
            ),
            Example(fires=False, before=((EVENT_FILE, ORDER),), after=(("events/orders/order-completed.yaml", ORDER),)),
        ),
        _rule(
            "TP002",
            "event-removed",
            "breaking",
            "breaking",
            "An event was removed: its payloads no longer validate and its data stops.",
            Example(fires=True, before=((EVENT_FILE, ORDER),), after=()),
            Example(fires=False, before=((EVENT_FILE, ORDER),), after=((PLACED, edit(ORDER, RENAMED)),)),
        ),
        _rule(
            "TP003",
            "event-renamed",
            "breaking",
            "breaking",
            "An event (same x-id) got a new name: payloads under the old name fail and queries lose it.",
            Example(fires=True, before=((EVENT_FILE, ORDER),), after=((PLACED, edit(ORDER, RENAMED)),)),
            Example(fires=False, before=((EVENT_FILE, ORDER),), after=((PLACED, edit(ORDER, RENAMED, NO_ID)),)),
        ),
        _rule("TP010", "property-added", "info", "info", "A new optional property.", _edited(True, GIFT_WRAP)),
        _rule(
            "TP011",
            "required-property-added",
            "breaking",
            "info",
            "A new required property: payloads without it fail.",
            _edited(True, GIFT_WRAP, ("required: [order_id, amount]", "required: [order_id, amount, gift_wrap]")),
            _edited(False, GIFT_WRAP),
        ),
        _rule(
            "TP012",
            "property-removed",
            "info",
            "breaking",
            "A property was removed from an open schema: old payloads still validate, queries on it break.",
            _edited(True, NO_COUPON),
            _edited(False, NO_COUPON, ("properties:\n", "properties:\n  coupon:\n    type: string\n")),
        ),
        _rule(
            "TP013",
            "property-removed-closed",
            "breaking",
            "breaking",
            "A property was removed from a closed schema (no additionalProperties): payloads with it fail.",
            _edited(True, NO_COUPON, base=CLOSED),
            _edited(False, NO_COUPON),
        ),
        _rule(
            "TP014",
            "property-renamed",
            "breaking",
            "breaking",
            "A property (same x-id) got a new name.",
            _edited(
                True,
                ("  amount:\n", "  total:\n"),
                ("required: [order_id, amount]", "required: [order_id, total]"),
                base=WITH_AMOUNT_ID,
            ),
            _edited(
                False, ("  amount:\n", "  total:\n"), ("required: [order_id, amount]", "required: [order_id, total]")
            ),
        ),
        _rule(
            "TP020",
            "type-narrowed",
            "breaking",
            "breaking",
            "The type accepts fewer values than before.",
            _edited(True, ("    type: number\n", "    type: integer\n")),
            _edited(False, ("    type: number\n", "    type: [number, 'null']\n")),
        ),
        _rule(
            "TP021",
            "type-widened",
            "info",
            "breaking",
            "The type accepts more values: old data still valid, consumers see new types.",
            _edited(True, ("    type: number\n", "    type: [number, 'null']\n")),
            _edited(False, ("    type: number\n", "    type: integer\n")),
        ),
        _rule(
            "TP022",
            "enum-value-removed",
            "breaking",
            "warning",
            "An allowed value was removed.",
            _edited(True, NO_STORE),
            _edited(False, ("enum: [web, app, store]", "enum: [store, web, app]")),
        ),
        _rule("TP023", "enum-value-added", "info", "info", "An allowed value was added.", _edited(True, KIOSK)),
        _rule(
            "TP024",
            "enum-added",
            "breaking",
            "info",
            "A property that took any value now takes a fixed list.",
            _edited(
                True, ("  coupon:\n    type: string\n", "  coupon:\n    type: string\n    enum: [SPRING, SUMMER]\n")
            ),
            _edited(False, KIOSK),
        ),
        _rule(
            "TP025",
            "enum-removed",
            "info",
            "info",
            "A fixed list of values was lifted.",
            _edited(True, ("    enum: [web, app, store]\n", "")),
        ),
        _rule(
            "TP026",
            "made-required",
            "breaking",
            "info",
            "An optional property became required.",
            _edited(True, ("required: [order_id, amount]", "required: [order_id, amount, coupon]")),
            _edited(False, ("required: [order_id, amount]", "required: [amount, order_id]")),
        ),
        _rule(
            "TP027",
            "made-optional",
            "warning",
            "breaking",
            "A required property became optional: consumers may now see it missing.",
            _edited(True, ("required: [order_id, amount]", "required: [order_id]")),
        ),
        _rule(
            "TP028",
            "pattern-tightened",
            "breaking",
            "info",
            "A pattern was added or changed: values that matched may not match.",
            _edited(True, ("pattern: ^ord_[0-9]+$", "pattern: ^ord_[0-9]{10}$")),
            _edited(False, ("pattern: ^ord_[0-9]+$", "pattern: '^ord_[0-9]+$'")),
        ),
        _rule(
            "TP029",
            "pattern-removed",
            "info",
            "info",
            "A pattern was removed.",
            _edited(True, ("    pattern: ^ord_[0-9]+$\n", "")),
            _edited(False, ("pattern: ^ord_[0-9]+$", "pattern: ^ord_[0-9]{10}$")),
        ),
        _rule(
            "TP030",
            "const-tightened",
            "breaking",
            "info",
            "A pinned value (const) was added or changed.",
            _edited(True, ("const: EUR", "const: GBP")),
        ),
        _rule(
            "TP031",
            "const-removed",
            "info",
            "info",
            "A pinned value (const) was removed.",
            _edited(True, ("    const: EUR\n", "")),
        ),
        _rule(
            "TP032",
            "bound-tightened",
            "breaking",
            "info",
            "A minimum was raised or a maximum lowered (or newly set).",
            _edited(True, ("    minimum: 0\n", "    minimum: 0\n    maximum: 10000\n")),
            _edited(False, ("    minimum: 0\n", "    minimum: -100\n")),
        ),
        _rule(
            "TP033",
            "bound-loosened",
            "info",
            "info",
            "A minimum was lowered or a maximum raised (or removed).",
            _edited(True, ("    minimum: 0\n", "")),
            _edited(False, ("    minimum: 0\n", "    minimum: 1\n")),
        ),
        _rule(
            "TP034",
            "format-tightened",
            "breaking",
            "info",
            "A format was added or changed.",
            _edited(True, ("format: date-time", "format: date")),
        ),
        _rule(
            "TP035",
            "format-removed",
            "info",
            "info",
            "A format was removed.",
            _edited(True, ("    format: date-time\n", "")),
        ),
        _rule(
            "TP036",
            "additional-properties-closed",
            "breaking",
            "info",
            "additionalProperties false was set: unknown properties now fail.",
            _edited(True, CLOSE),
            _edited(
                False, ("required: [order_id, amount]\n", "required: [order_id, amount]\nadditionalProperties: true\n")
            ),
        ),
        _rule(
            "TP037",
            "additional-properties-opened",
            "info",
            "info",
            "additionalProperties false was lifted.",
            _edited(True, ("additionalProperties: false\n", ""), base=CLOSED),
        ),
        _rule(
            "TP038",
            "composition-changed",
            "warning",
            "warning",
            "anyOf/oneOf/allOf branches changed in a way that cannot be proven compatible.",
            _edited(True, ("{type: number, minimum: 0}", "{type: number, minimum: 0, maximum: 100}"), base=DISCOUNT),
            _edited(
                False,
                (DISCOUNT_BRANCHES, "".join(reversed(DISCOUNT_BRANCHES.splitlines(keepends=True)))),
                base=DISCOUNT,
            ),
        ),
        _rule(
            "TP040",
            "metadata-changed",
            "info",
            "info",
            "Description, tags, owner, categories, status or name mapping changed.",
            _edited(True, ("Sent when an order is placed.", "Sent when the payment is authorised.")),
            _edited(False, ("type: object\n", "type: object  # read by the revenue report\n")),
        ),
        _rule(
            "TP041",
            "source-removed",
            "warning",
            "warning",
            "An event is no longer sent from a source.",
            _edited(True, ("x-sources: [web, ios]", "x-sources: [web]"), base=TWO_SOURCES),
            _edited(False, ("x-sources: [web, ios]", "x-sources: [ios, web]"), base=TWO_SOURCES),
        ),
        _rule(
            "TP042",
            "source-added",
            "info",
            "info",
            "An event is now sent from another source.",
            _edited(True, ("x-sources: [web]", "x-sources: [web, ios]")),
        ),
        _rule(
            "TP050",
            "traits-changed",
            "info",
            "info",
            "Identify, group or context traits changed.",
            Example(
                fires=True,
                before=(("trackplan.yaml", SETTINGS),),
                after=(("trackplan.yaml", SETTINGS), ("identify.yaml", IDENTIFY)),
            ),
        ),
        _rule(
            "TP051",
            "settings-changed",
            "info",
            "info",
            "trackplan.yaml changed.",
            _settings(True, edit(SETTINGS, ("[web, ios]", "[web, ios, android]"))),
            _settings(False, "# Owned by the data team.\n" + SETTINGS),
        ),
        _rule(
            "TP060",
            "version-bump-too-small",
            "warning",
            "warning",
            "x-version was bumped less than the changes need (SchemaVer).",
            _edited(True, ("x-version: 1-0-0", "x-version: 1-0-1"), NO_STORE, base=VERSIONED),
            _edited(False, ("x-version: 1-0-0", "x-version: 2-0-0"), NO_STORE, base=VERSIONED),
        ),
    )
}
RULES.update(TRACKING_PLAN_RULES)  # tracking-plan files: fired by tracking_plans.py


def rules_table_markdown() -> str:
    """The rule table of docs/diff.md (a test fails when the file is stale)."""
    out = ["| Rule | Name | validation | consumer | Meaning |", "|---|---|---|---|---|"]
    for rule in RULES.values():
        validation, consumer = (rule.severity(profile) for profile in PROFILES)
        cell = f'<a id="{rule.id.lower()}"></a>[{rule.id}](#{_heading_anchor(rule)})'
        out.append(f"| {cell} | {rule.name} | {validation} | {consumer} | {rule.summary} |")
    return "\n".join(out) + "\n"


def rule_examples_markdown() -> str:
    """Each rule's examples in docs/diff.md, as diffs of the plan files (a test fails when
    the file is stale)."""
    out = [f"Most examples edit one event file, `{EVENT_FILE}`:", "", "```yaml", ORDER.rstrip(), "```", ""]
    for rule in RULES.values():
        out += [f"#### {rule.id} {rule.name}", ""]
        for example in rule.examples:
            out += ["Fires on:" if example.fires else "Silent on:", "", "```diff", *_plan_diff(example), "```", ""]
    return "\n".join(out)


def _heading_anchor(rule: Rule) -> str:
    return f"{rule.id.lower()}-{rule.name}"


def _plan_diff(example: Example) -> list[str]:
    """The example's plan files as a diff. A file on one side only pairs with a similar file
    on the other (a move), else shows as added or removed, cut short. Only the edits of
    EVENT_FILE in place go without file names."""
    before, after = dict(example.before), dict(example.after)
    lines: list[str] = []
    for old, new in _file_pairs(before, after):
        if (old, new) != (EVENT_FILE, EVENT_FILE):
            lines += [f"--- a/{old}" if old else "--- /dev/null", f"+++ b/{new}" if new else "+++ /dev/null"]
        if old and new:
            hunks = difflib.unified_diff(before[old].splitlines(), after[new].splitlines(), n=2, lineterm="")
            lines += ["@@" if line.startswith("@@") else line for line in list(hunks)[2:]]
        elif new:
            lines += _whole_file("+", after[new])
        elif old:
            lines += _whole_file("-", before[old])
    return lines


def _whole_file(sign: str, text: str) -> list[str]:
    """A file added or removed whole; the example event, shown in full above, is cut short."""
    lines = [f"{sign}{line}" for line in text.splitlines()]
    return [*lines[:3], f"{sign}…"] if text == ORDER else lines


def _file_pairs(before: dict[str, str], after: dict[str, str]) -> list[tuple[str | None, str | None]]:
    """(old path, new path) of each file that changed; None: absent on that side."""
    pairs: list[tuple[str | None, str | None]] = [
        (path, path) for path in sorted(before.keys() & after.keys()) if before[path] != after[path]
    ]
    came = [path for path in after if path not in before]
    for path in (path for path in before if path not in after):
        similar = (new for new in came if difflib.SequenceMatcher(None, before[path], after[new]).ratio() > 0.8)
        moved = next(similar, None)
        pairs.append((path, moved))
        if moved:
            came.remove(moved)
    return pairs + [(None, path) for path in came]

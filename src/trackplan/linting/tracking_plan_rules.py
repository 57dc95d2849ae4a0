"""The lint rules of tracking-plan files (TP140 to TP149), in the catalogue of `rules.py`.

Each rule's two examples are a plan it accepts and one it flags: an event file, a tracking
plan naming it, and trackplan.yaml when the rule reads settings. They are the rules' tests
and appear in docs/rules.md; `trackingplans/lint.py` checks them.
"""

from __future__ import annotations

from trackplan.catalogue import Example, Rule, edit

EVENT_FILE = "events/order-completed.yaml"
PLAN_FILE = "tracking-plans/checkout.yaml"
EVENT = """title: Order Completed
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
  channel:
    type: string
    description: Where the order was placed.
    enum: [web, app]
required: [order_id]
additionalProperties: false
"""
PLAN = """id: 6f1c2f4e-2d1b-4a51-9a55-1c8c54a3a001
name: Checkout
domain: Growth
owner: Growth
status: published
sourceApplications: [web]
eventSpecifications:
  - id: 0d6b8a59-5c43-4d0b-8f0e-7a3c1d2e0b01
    name: Order completed on web
    status: published
    event: Order Completed
    schema:
      type: object
      properties:
        order_id: {type: string}
        channel: {type: string, enum: [web]}
      required: [order_id, channel]
      additionalProperties: false
    triggers:
      - id: 4c1d2e3f-5a6b-4c7d-8e9f-0a1b2c3d4e05
        description: The order is confirmed.
"""
SECOND_PLAN = "tracking-plans/checkout-copy.yaml"
APP_SETTINGS = """name: Example
sources:
  - {name: web, app_ids: [shop-web]}
  - ios
domains: [Growth]
naming: {events: Title Case, properties: snake_case}
"""
WITH_APP_ID = edit(
    PLAN,
    ("description: The order is confirmed.\n", "description: The order is confirmed.\n        appIds: [shop-web]\n"),
)


def _examples(
    valid: str, invalid: str, *extra_files: tuple[str, str], settings: str | None = None
) -> tuple[Example, ...]:
    """The tracking plan the rule accepts and the one it flags, next to the event they name,
    in a plan that also holds `extra_files` (the flagged one) and `settings` (both)."""
    shared = ((EVENT_FILE, EVENT), *((("trackplan.yaml", settings),) if settings else ()))
    return (
        Example(fires=False, after=(*shared, (PLAN_FILE, valid))),
        Example(fires=True, after=(*shared, (PLAN_FILE, invalid), *extra_files)),
    )


TRACKING_PLAN_RULES = (
    Rule(
        "TP140",
        "invalid-tracking-plan",
        "validate",
        "A tracking-plan file matches the tracking-plan JSON Schema that trackplan ships "
        "(the `yaml-language-server` comment of the files it writes names it for editors).",
        {"default": "error"},
        "Write the key with the value the schema gives: see docs/tracking-plans.md.",
        _examples(PLAN, edit(PLAN, ("status: published\nsource", "status: live\nsource"))),
    ),
    Rule(
        "TP141",
        "duplicate-tracking-plan-name",
        "validate",
        "Tracking-plan names are unique, case-insensitively; so are specification names within a plan.",
        {"default": "error"},
        "Rename one of them (`trackplan plans update NAME --name NEW`).",
        _examples(
            PLAN,
            PLAN,
            (
                SECOND_PLAN,
                edit(
                    PLAN, ("name: Checkout", "name: CHECKOUT"), ("3a001", "3a002"), ("0b01", "0b02"), ("4e05", "4e06")
                ),
            ),
        ),
    ),
    Rule(
        "TP142",
        "duplicate-tracking-plan-id",
        "validate",
        "Every tracking plan, event specification and trigger has its own id.",
        {"default": "error"},
        "Give the copy a new UUID (`python -c 'import uuid; print(uuid.uuid4())'`).",
        _examples(PLAN, PLAN, (SECOND_PLAN, edit(PLAN, ("name: Checkout", "name: Checkout copy")))),
    ),
    Rule(
        "TP143",
        "unknown-specified-event",
        "validate",
        "Each specification names an event of the plan (by name, or by an Iglu URI of the plan's vendor, "
        "name and x-version); an entity of the plan's vendor is an event of the plan too.",
        {"default": "error"},
        "Name the event as its title says, or add the event first.",
        _examples(PLAN, edit(PLAN, ("event: Order Completed", "event: Order Placed"))),
    ),
    Rule(
        "TP144",
        "unknown-tracking-plan-domain",
        "validate",
        "A tracking plan's domain is one of trackplan.yaml's domains.",
        {"default": "error"},
        "Add the domain to trackplan.yaml's `domains`, or use one listed there.",
        _examples(PLAN, edit(PLAN, ("domain: Growth", "domain: Marketing"))),
    ),
    Rule(
        "TP145",
        "unknown-tracking-plan-owner",
        "validate",
        "A tracking plan's owner is known: a domain, a domain's `github` owner, or one of trackplan.yaml's `owners`.",
        {"default": "warning"},
        "List the owner under `owners` in trackplan.yaml.",
        _examples(PLAN, edit(PLAN, ("owner: Growth", "owner: someone@example.com"))),
    ),
    Rule(
        "TP146",
        "unknown-source-application",
        "validate",
        "A plan's source applications are trackplan.yaml's sources, and a trigger's app ids are those sources' "
        "`app_ids`; excluded source applications are among the plan's.",
        {"default": "error"},
        "Add the app id to the source's `app_ids` in trackplan.yaml, or the source to the plan.",
        (
            Example(
                fires=False, after=(("trackplan.yaml", APP_SETTINGS), (EVENT_FILE, EVENT), (PLAN_FILE, WITH_APP_ID))
            ),
            Example(fires=True, after=((EVENT_FILE, EVENT), (PLAN_FILE, WITH_APP_ID))),
        ),
    ),
    Rule(
        "TP147",
        "published-plan-references-draft",
        "validate",
        "A `published` tracking plan specifies no `draft` or `deprecated` event, and has no such specification.",
        {"default": "error"},
        "Publish the event and the specification first, or keep the plan a draft.",
        _examples(PLAN, edit(PLAN, ("    status: published", "    status: draft"))),
    ),
    Rule(
        "TP148",
        "incompatible-narrowing",
        "validate",
        "A specification's narrowing schema accepts only payloads its event's schema accepts "
        "(compatibility: incompatible, shown by a payload).",
        {"default": "error"},
        "Narrow within the event's schema: fewer values, tighter bounds, the event's properties only.",
        _examples(PLAN, edit(PLAN, ("enum: [web]}", "enum: [web, kiosk]}"))),
    ),
    Rule(
        "TP149",
        "undecidable-narrowing",
        "validate",
        "A specification's narrowing could not be shown compatible or incompatible with its event's schema "
        "(compatibility: undecidable), e.g. it uses `anyOf` or a pattern the event does not.",
        {"default": "info"},
        "Write the narrowing with the keywords the event's schema uses, or check it by hand.",
        _examples(
            PLAN,
            edit(
                PLAN, ("order_id: {type: string}", "order_id: {type: string, anyOf: [{minLength: 1}, {maxLength: 0}]}")
            ),
        ),
    ),
)

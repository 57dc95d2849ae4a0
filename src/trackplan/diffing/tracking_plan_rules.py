"""The change rules of tracking-plan files (TP070 to TP082), in the catalogue of `rules.py`.

They live apart from the event rules because `tracking_plans.py`, which fires them, builds
on the change records that `rules.py` is imported by. Each rule's examples are plan files
before and after a change, tracking-plan files among them; tests/trackingplans runs them
through `diff` on real repositories.
"""

from __future__ import annotations

from trackplan.catalogue import Example, Rule, edit

PLAN_FILE = "tracking-plans/checkout.yaml"
EVENT_FILE = "events/order-completed.yaml"
SETTINGS = "name: Example\nsources: [web, ios]\ndomains: [Payments]\n"
ORDER = """title: Order Completed
type: object
x-status: live
properties:
  order_id:
    type: string
  channel:
    type: string
    enum: [web, app]
  coupon:
    type: string
required: [order_id]
additionalProperties: false
"""
SPEC = """  - id: 0d6b8a59-5c43-4d0b-8f0e-7a3c1d2e0b01
    name: Order completed on web
    status: draft
    event: Order Completed
    schema:
      type: object
      properties:
        order_id: {type: string}
        channel: {type: string, enum: [web]}
      required: [order_id, channel]
      additionalProperties: false
    triggers: []
"""
PLAN = (
    """id: 6f1c2f4e-2d1b-4a51-9a55-1c8c54a3a001
name: Checkout
description: Orders from the web shop.
domain: Payments
owner: payments@example.com
status: draft
sourceApplications: [web]
eventSpecifications:
"""
    + SPEC
)
COUPON_SPEC = """  - id: 3b9e7c21-8a4f-4e6d-9c1a-5f2b7d8e9a02
    name: Order completed with a coupon
    status: draft
    event: Order Completed
    schema:
      type: object
      properties:
        order_id: {type: string}
        coupon: {type: string}
      required: [order_id, coupon]
      additionalProperties: false
    triggers: []
"""
WITH_COUPON = PLAN + COUPON_SPEC
PUBLISHED = ("status: draft\nsourceApplications", "status: published\nsourceApplications")
TIGHTER = ("order_id: {type: string}", "order_id: {type: string, maxLength: 20}")
NO_COUPON = ("  coupon:\n    type: string\n", "")
BASE = (("trackplan.yaml", SETTINGS), (EVENT_FILE, ORDER))


def _plan(fires: bool, before: str, after: str) -> Example:
    """The plan file `before` and `after`, next to the same settings and event."""
    return Example(fires=fires, before=(*BASE, (PLAN_FILE, before)), after=(*BASE, (PLAN_FILE, after)))


def _event(fires: bool, plan: str, *edits: tuple[str, str]) -> Example:
    """The event edited while the plan file stays as it is."""
    return Example(
        fires=fires,
        before=(*BASE, (PLAN_FILE, plan)),
        after=(("trackplan.yaml", SETTINGS), (EVENT_FILE, edit(ORDER, *edits)), (PLAN_FILE, plan)),
    )


def _rule(rule_id: str, name: str, validation: str, consumer: str, summary: str, *examples: Example) -> Rule:
    return Rule(rule_id, name, "diff", summary, {"validation": validation, "consumer": consumer}, examples=examples)


TRACKING_PLAN_RULES = {
    rule.id: rule
    for rule in (
        _rule(
            "TP070",
            "tracking-plan-added",
            "info",
            "info",
            "A new tracking plan.",
            Example(fires=True, before=BASE, after=(*BASE, (PLAN_FILE, PLAN))),
            _plan(False, PLAN, edit(PLAN, ("name: Checkout", "name: Checkout flow"))),
        ),
        _rule(
            "TP071",
            "tracking-plan-removed",
            "warning",
            "breaking",
            "A tracking plan was removed: its consumers lose what it promised them.",
            Example(fires=True, before=(*BASE, (PLAN_FILE, PLAN)), after=BASE),
            _plan(False, PLAN, PLAN),
        ),
        _rule(
            "TP072",
            "tracking-plan-status-changed",
            "info",
            "warning",
            "A tracking plan's status changed (draft, published, deprecated).",
            _plan(True, PLAN, edit(PLAN, PUBLISHED)),
            _plan(False, PLAN, edit(PLAN, ("Orders from", "All orders from"))),
        ),
        _rule(
            "TP073",
            "tracking-plan-details-changed",
            "info",
            "info",
            "A tracking plan's name, description, access instructions, domain, owner or source applications changed.",
            _plan(True, PLAN, edit(PLAN, ("owner: payments@example.com", "owner: shop@example.com"))),
            _plan(False, PLAN, edit(PLAN, PUBLISHED)),
        ),
        _rule(
            "TP074",
            "event-specification-added",
            "info",
            "info",
            "A tracking plan has a new event specification.",
            _plan(True, PLAN, WITH_COUPON),
            _plan(False, WITH_COUPON, edit(WITH_COUPON, ("name: Order completed with a coupon", "name: Coupon used"))),
        ),
        _rule(
            "TP075",
            "event-specification-removed",
            "warning",
            "breaking",
            "An event specification was removed from its tracking plan.",
            _plan(True, WITH_COUPON, PLAN),
            _plan(False, PLAN, edit(PLAN, ("name: Order completed on web", "name: Web order"))),
        ),
        _rule(
            "TP076",
            "event-specification-status-changed",
            "info",
            "warning",
            "An event specification's status changed.",
            _plan(True, PLAN, edit(PLAN, ("    status: draft", "    status: deprecated"))),
            _plan(False, PLAN, edit(PLAN, PUBLISHED)),
        ),
        _rule(
            "TP077",
            "narrowing-tightened",
            "breaking",
            "info",
            "A specification's narrowing schema accepts fewer payloads (or is not shown to accept more only): "
            "payloads valid before may now fail.",
            _plan(True, PLAN, edit(PLAN, TIGHTER)),
            _plan(False, PLAN, edit(PLAN, ("enum: [web]}", "enum: [web, app]}"))),
        ),
        _rule(
            "TP078",
            "narrowing-loosened",
            "info",
            "warning",
            "A specification's narrowing schema accepts more payloads: consumers may see values they did not before.",
            _plan(True, PLAN, edit(PLAN, ("enum: [web]}", "enum: [web, app]}"))),
            _plan(False, PLAN, edit(PLAN, TIGHTER)),
        ),
        _rule(
            "TP079",
            "event-specification-details-changed",
            "info",
            "info",
            "An event specification's name, description, triggers, entities or excluded source applications changed.",
            _plan(True, PLAN, edit(PLAN, ("name: Order completed on web", "name: Web order"))),
            _plan(False, PLAN, edit(PLAN, ("    status: draft", "    status: published"))),
        ),
        _rule(
            "TP080",
            "event-specification-event-changed",
            "breaking",
            "breaking",
            "An event specification now names another event.",
            _plan(True, PLAN, edit(PLAN, ("event: Order Completed", "event: Order Placed"))),
            _plan(False, PLAN, edit(PLAN, ("name: Order completed on web", "name: Web order"))),
        ),
        _rule(
            "TP081",
            "specified-event-broken",
            "breaking",
            "breaking",
            "An event that a specification names has a breaking change: the specification's payloads change with it.",
            _event(True, PLAN, NO_COUPON),
            _event(False, PLAN, ("enum: [web, app]", "enum: [web, app, store]")),
        ),
        _rule(
            "TP082",
            "narrowing-incompatible",
            "breaking",
            "breaking",
            "A specification's narrowing schema now accepts payloads its event's schema refuses "
            "(compatibility: incompatible; it was compatible or undecidable before).",
            _event(True, WITH_COUPON, NO_COUPON),
            _event(False, PLAN, NO_COUPON),
        ),
    )
}

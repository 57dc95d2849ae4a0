"""Every finding of each tracking-plan lint rule's flagged example (linting/tracking_plan_rules.py),
with file, line and column: tests/linting/test_lint.py checks them with the other rules'."""

from __future__ import annotations

PLAN = "tracking-plans/checkout.yaml"

TRACKING_PLAN_FLAGGED = {
    "TP140": [("TP140", PLAN, 5, 1)],
    "TP141": [("TP141", PLAN, 2, 1)],
    "TP142": [("TP142", PLAN, 1, 1), ("TP142", PLAN, 8, 5), ("TP142", PLAN, 20, 9)],
    "TP143": [("TP143", PLAN, 11, 5)],
    "TP144": [("TP144", PLAN, 3, 1)],
    "TP145": [("TP145", PLAN, 4, 1)],
    "TP146": [("TP146", PLAN, 22, 18)],
    "TP147": [("TP147", PLAN, 10, 5)],
    "TP148": [("TP148", PLAN, 12, 5)],
    "TP149": [("TP149", PLAN, 12, 5)],
}

"""Calls the code generated for plan-template's web source through a fake transport and
prints what reached the transport and what the checks reported, as JSON."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import tracking

calls: list[dict[str, Any]] = []
violations: list[dict[str, str]] = []


class FakeTransport:
    def track(self, name: str, properties: Mapping[str, object], context: tracking.TrackContext, /) -> None:
        calls.append({"kind": "track", "name": name, "properties": dict(properties), "context": vars(context)})

    def identify(self, user_id: str, traits: Mapping[str, object], context: tracking.TrackContext, /) -> None:
        calls.append({"kind": "identify", "user_id": user_id, "traits": dict(traits), "event": context.event})

    def group(self, group_id: str, traits: Mapping[str, object], context: tracking.TrackContext, /) -> None:
        calls.append({"kind": "group", "group_id": group_id, "traits": dict(traits), "event": context.event})


def collect(violation: tracking.Violation) -> None:
    violations.append(vars(violation))


def untyped(function: Any, **properties: Any) -> None:
    """A call whose types nothing checked before run time."""
    function(**properties)


transport = FakeTransport()
tracking.setup(transport, destination="Segment", on_violation=collect)
tracking.checkout_completed(order_id="ord_0123456789", revenue=42.5, currency="EUR", payment_method="card")
tracking.signed_up(signup_method="email", plan="pro", _options=tracking.CallOptions(extra={"anonymous_id": "anon-1"}))
tracking.identify("user-1", email="ada@example.com", plan="team")
untyped(tracking.checkout_completed, order_id="ord_1", revenue=-1, currency="eur", payment_method="cash")
untyped(tracking.search_performed, query=3, result_count=1.5, filters=("price", "colour"))

tracking.setup(transport)
tracking.search_performed(query="shoes", result_count=0, filters=["brand"])
raised = ""
try:
    untyped(tracking.product_viewed, product_id="prd_1", price=True, currency="EUR")
except tracking.ViolationError as error:
    raised = str(error)

tracking.setup(transport, validate=False)
untyped(tracking.product_viewed, product_id=7, price=1, currency="EUR")

print(json.dumps({"calls": calls, "violations": violations, "raised": raised}, indent=2, ensure_ascii=False))

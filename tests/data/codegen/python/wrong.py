"""Calls that break the plan's types: mypy --strict reports each of them."""

from __future__ import annotations

import tracking

tracking.checkout_completed(order_id="ord_0123456789", revenue="42", currency="EUR", payment_method="card")
tracking.checkout_completed(order_id="ord_0123456789", revenue=42, currency="EUR", payment_method="bitcoin")
tracking.signed_up(signup_method="email")
tracking.product_viewed(product_id="prd_1", price=1, currency="EUR", colour="red")
tracking.identify("user-1", plan="pro")

import analytics
from app import tracking


def checkout(order_id: str) -> None:
    tracking.checkout_completed(order_id=order_id, revenue=10.0, currency="EUR", payment_method="card")


def sign_up(user_id: str) -> None:
    analytics.track(user_id, "Signed Up", {"signup_method": "email", "plan": "free"})
    analytics.track(user_id, "Ghost Event")

from app import tracking

tracking.subscription_cancelled(plan="pro", reason="other")  # ignored by .gitignore

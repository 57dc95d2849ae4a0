def subscription_cancelled() -> None:
    """The app's own function of that name: a definition, not a call."""

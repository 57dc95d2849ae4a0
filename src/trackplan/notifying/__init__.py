"""Subscriptions to tracking plans and the digest of their changes: the server database
(`store.py`), mail (`mail.py`) and the digest itself (`digest.py`, entry `digest.run_digest`)."""

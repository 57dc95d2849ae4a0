"""Webhook publishing: the plan at a commit, posted to each integration trackplan.yaml names
(`publishing:`), signed, retried, and delivered once per commit. The entry is `run.publish`."""

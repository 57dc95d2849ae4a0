"""Tracking plans (Snowplow's data products): named, owned groups of event specifications,
one file each in `tracking-plans/`, with their history, lint rules and compatibility checks."""

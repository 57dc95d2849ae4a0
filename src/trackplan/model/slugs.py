"""Slugs: the safe, stable file stem and anchor derived from an event or source name."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 80


def slugify(name: str) -> str:
    """A safe, lower-case file stem for a name. Never empty, never a path."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    # camelCase boundaries become separators so `signUp` and `sign_up` read alike.
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", ascii_name)
    slug = re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")[:MAX_SLUG].strip("-")
    return slug or "event"

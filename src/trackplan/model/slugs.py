"""Slugs: the safe, stable file stem and anchor derived from an event or source name."""

from __future__ import annotations

import re
import unicodedata

MAX_SLUG = 80
WINDOWS_DEVICES = frozenset({"con", "prn", "aux", "nul", *(f"{port}{i}" for port in ("com", "lpt") for i in range(10))})
"""File stems Windows reserves for devices: `events/con.yaml` cannot be checked out there."""


def slugify(name: str) -> str:
    """A safe, lower-case file stem for a name. Never empty, never a path, never a Windows
    device name."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    # camelCase boundaries become separators so `signUp` and `sign_up` read alike.
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", ascii_name)
    slug = re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")[:MAX_SLUG].strip("-")
    if slug in WINDOWS_DEVICES:
        return f"{slug}-event"
    return slug or "event"

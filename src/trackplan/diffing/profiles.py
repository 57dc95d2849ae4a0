"""How a diff judges: the severities, the breaking-change profiles, and the profile and
per-rule overrides a plan's settings choose. Kept apart from the rule catalogue so a diff
with nothing in it never loads the catalogue."""

from __future__ import annotations

from typing import TYPE_CHECKING

from trackplan.errors import InputError

if TYPE_CHECKING:
    from trackplan.model import Settings

SEVERITIES = ("breaking", "warning", "info")
PROFILES = ("validation", "consumer")


def breaking_profile(settings: Settings, profile: str | None = None) -> tuple[str, dict[str, str]]:
    """The profile a diff judges by (`profile`, else the plan's breaking_profile) and the
    plan's per-rule severity overrides; an unknown profile is an error."""
    chosen = profile or str(settings.get("breaking_profile") or "validation")
    if chosen not in PROFILES:
        place = settings.locate(("breaking_profile",))
        raise InputError(f"{place}: breaking_profile {chosen!r} is not one of {', '.join(PROFILES)}")
    overrides = settings.get("breaking_severity") or {}
    return chosen, {str(k): str(v) for k, v in dict(overrides).items()}

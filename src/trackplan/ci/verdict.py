"""When a review fails its job: the `--fail-on` policies of `diff`, `ci` and `validate`,
whose exit code 1 is what stops a merge, a push or a commit."""

from __future__ import annotations

from collections.abc import Mapping

CHANGE_LEVELS = ("breaking", "warning", "never")
FINDING_LEVELS = ("error", "warning")


def changes_fail(counts: Mapping[str, int], fail_on: str) -> bool:
    """Diff counts by severity fail at `fail_on`: breaking, warning (or breaking), never."""
    if fail_on == "breaking":
        return counts["breaking"] > 0
    if fail_on == "warning":
        return counts["breaking"] + counts["warning"] > 0
    return False


def findings_fail(counts: Mapping[str, int], fail_on: str) -> bool:
    """Lint errors always fail; warnings too at `fail_on` warning."""
    return bool(counts["error"] or (fail_on == "warning" and counts["warning"]))

"""What `diff`, `validate` and `ci` share when they review a plan: the `--fail-on` verdicts,
whose exit code 1 is what stops a merge, a push or a commit, and the plan files a report
points into."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING

from trackplan.errors import TrackplanError
from trackplan.report.context import SourceText

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

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


def source_text_at(ws: Workspace, ref: str) -> SourceText:
    """A report's view of the plan files at `ref`: a file's text, or None where it is not."""

    def text(path: str) -> str | None:
        try:
            return ws.read_text(ref, path)
        except TrackplanError:
            return None

    return text

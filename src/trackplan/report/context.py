"""What a diff report is told besides the result: the labels of the two sides, the text of
the head's files (to point at lines), the pull-request marker and links, the path prefix of
a plan kept below the repository root, and how to style a severity label on a terminal."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

SourceText = Callable[[str], str | None]  # plan path -> the file's text at the head, if readable
Style = Callable[[str, str], str]  # (label, severity) -> the label as the terminal shows it


def _no_source(path: str) -> str | None:
    return None


@dataclass
class ReportContext:
    base_label: str
    head_label: str
    source_text: SourceText = _no_source
    marker: str = "trackplan:trackplan:review"
    run_url: str | None = None
    updated: str | None = None
    style: Style | None = None
    path_prefix: str = ""  # e.g. "plan/" when the plan folder is not the repository root

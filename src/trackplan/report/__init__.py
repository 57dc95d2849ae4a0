"""Renderers of diff results: text, json, markdown, github, sarif. One class per format."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from trackplan.diffing.records import Change, DiffResult

SEVERITY_ORDER = {"breaking": 0, "warning": 1, "info": 2}
SourceText = Callable[[str], str | None]


@dataclass
class ReportContext:
    base_label: str
    head_label: str
    source_text: SourceText = lambda path: None
    marker: str = "trackplan:trackplan:review"
    run_url: str | None = None
    updated: str | None = None
    color: bool = False
    extra: dict[str, str] = field(default_factory=dict)


def ordered(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (SEVERITY_ORDER[c.severity], c.event or "", c.prop or "", c.rule))


def locate(text: str | None, change: Change) -> int:
    """The 1-based line in an event file that a change points at (the property key when
    there is one, else the field, else the title)."""
    if not text:
        return 1
    lines = text.splitlines()
    wanted = []
    if change.prop:
        wanted.append(change.prop.split(".")[0].replace("[]", ""))
    if change.field:
        wanted.append(
            {"name": "title", "sources": "x-sources", "description": "description"}.get(change.field, change.field)
        )
    wanted.append("title")
    for key in wanted:
        for number, line in enumerate(lines, 1):
            stripped = line.lstrip()
            if stripped.startswith((f"{key}:", f"'{key}':", f'"{key}":')):
                return number
    return 1


def render(result: DiffResult, fmt: str, context: ReportContext) -> str:
    from trackplan.report import github, jsonreport, markdown, sarif, text

    renderers = {
        "text": text.render,
        "json": jsonreport.render,
        "markdown": markdown.render,
        "github": github.render,
        "sarif": sarif.render,
    }
    return renderers[fmt](result, context)

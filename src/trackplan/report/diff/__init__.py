"""Renderers of a `DiffResult`: `render` in each format, and the job summary's report."""

from __future__ import annotations

from trackplan.diffing.records import DiffResult
from trackplan.report.context import ReportContext
from trackplan.report.diff import github, json, markdown, sarif, text

FORMATS = ("text", "json", "markdown", "github", "sarif")


def render(result: DiffResult, fmt: str, context: ReportContext) -> str:
    """The result in one of FORMATS."""
    renderers = {
        "text": text.render,
        "json": json.render,
        "markdown": markdown.render,
        "github": github.render,
        "sarif": sarif.render,
    }
    return renderers[fmt](result, context)


def step_summary(result: DiffResult, context: ReportContext) -> str:
    """The Markdown `diff --format github` and `ci` add to the job summary: the pull-request report."""
    return markdown.render(result, context) + "\n"

"""Renderers of a `DiffResult`: `render` in each format, and the job summary's report."""

from __future__ import annotations

from collections.abc import Callable
from importlib import import_module

from trackplan.diffing.records import DiffResult
from trackplan.report.context import ReportContext

FORMATS = ("text", "json", "markdown", "github", "sarif")


def render(result: DiffResult, fmt: str, context: ReportContext) -> str:
    """The result in one of FORMATS (each format's module is loaded when it is used: the
    markdown one brings YAML, the SARIF one every rule)."""
    if fmt not in FORMATS:
        raise KeyError(fmt)
    renderer: Callable[[DiffResult, ReportContext], str] = import_module(f"{__name__}.{fmt}").render
    return renderer(result, context)


def step_summary(result: DiffResult, context: ReportContext) -> str:
    """The Markdown `diff --format github` and `ci` add to the job summary: the pull-request report."""
    from trackplan.report.diff import markdown

    return markdown.render(result, context) + "\n"

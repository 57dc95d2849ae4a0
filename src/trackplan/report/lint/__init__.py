"""Renderers of a `LintReport`: `render` in each format, the job summary's table, and the
annotations `trackplan ci` prints."""

from trackplan.linting.findings import LintReport
from trackplan.report.context import Style
from trackplan.report.lint import github, json, sarif, text

FORMATS = ("text", "json", "github", "sarif")


def render(report: LintReport, fmt: str, prefix: str = "", style: Style | None = None) -> str:
    """The report in one of FORMATS; `prefix` goes before every plan path it prints, `style`
    colours the text format's severities."""
    if fmt == "text":
        return text.render(report, prefix, style)
    renderers = {"json": json.render, "github": github.render, "sarif": sarif.render}
    return renderers[fmt](report, prefix)


def step_summary(report: LintReport, prefix: str = "") -> str | None:
    """The Markdown `validate --format github` adds to the job summary; None without findings."""
    return github.step_summary(report, prefix)


def annotations(report: LintReport, prefix: str = "", limit: int = github.ANNOTATIONS) -> list[str]:
    """A workflow-command annotation for each of the first `limit` findings."""
    return github.annotations(report, prefix, limit)

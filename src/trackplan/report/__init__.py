"""Renderers: a result in, text out, with no terminal, environment or files of their own.

`report.diff` renders a `DiffResult` (text, json, markdown, github, sarif) and `report.lint`
a `LintReport` (text, json, github, sarif). What both need is shared once: `context` (the
diff report's labels, links and styling), `_github` (workflow commands), `_sarif` (the
SARIF log) and `plural` (counts in words)."""


def plural(count: int, noun: str) -> str:
    """`1 warning`, `2 warnings`: a count with its noun."""
    return f"{count} {noun}{'' if count == 1 else 's'}"

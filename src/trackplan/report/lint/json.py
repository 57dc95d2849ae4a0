"""Machine output: the number of files, the counts and every finding."""

from __future__ import annotations

import json

from trackplan.linting.findings import LintReport


def render(report: LintReport, prefix: str = "") -> str:
    """The document; its paths stay plan paths, so `prefix` does not apply."""
    doc = {
        "version": 1,
        "files": report.files,
        "counts": report.counts(),
        "findings": [f.to_json() for f in report.findings],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

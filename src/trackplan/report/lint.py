"""Renderers for lint findings: text, json, github, sarif."""

from __future__ import annotations

import json
import os
from pathlib import Path

from trackplan import __version__
from trackplan.linting.engine import LintReport, fingerprint
from trackplan.linting.rules import CATALOGUE, RULES

SARIF_LEVEL = {"error": "error", "warning": "warning", "info": "note"}


def render(report: LintReport, fmt: str, prefix: str = "") -> str:
    if fmt == "json":
        doc = {
            "version": 1,
            "files": report.files,
            "counts": report.counts(),
            "findings": [f.to_json() for f in report.findings],
        }
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    if fmt == "sarif":
        return _sarif(report, prefix)
    lines = [
        f"{prefix}{f.file}:{f.line}:{f.column}: {f.severity} {f.rule} {f.message} ({f.hint})" for f in report.findings
    ]
    if fmt == "github":
        lines = [f.annotation(prefix) for f in report.findings[:50]] + lines
        summary = os.environ.get("GITHUB_STEP_SUMMARY")
        if summary and report.findings:
            rows = "\n".join(
                f"| {f.severity} | `{prefix}{f.file}:{f.line}` | {f.rule} | {f.message} |"
                for f in report.findings[:200]
            )
            with Path(summary).open("a", encoding="utf-8") as handle:
                handle.write(f"### Plan lint\n\n| | Where | Rule | Finding |\n|---|---|---|---|\n{rows}\n\n")
    counts = report.counts()
    lines.append(
        f"{report.files} files checked: {counts['error']} errors, {counts['warning']} warnings, {counts['info']} info"
    )
    return "\n".join(lines) + "\n"


def _sarif(report: LintReport, prefix: str) -> str:
    rules = [
        {
            "id": r.id,
            "name": r.name,
            "shortDescription": {"text": r.summary},
            "help": {"text": r.hint},
            "defaultConfiguration": {"level": SARIF_LEVEL[r.severity]},
        }
        for r in CATALOGUE
    ]
    index = {r.id: i for i, r in enumerate(CATALOGUE)}
    results = [
        {
            "ruleId": f.rule,
            "ruleIndex": index[f.rule],
            "level": SARIF_LEVEL[f.severity],
            "message": {"text": f"{f.message} — {RULES[f.rule].hint}"},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": prefix + f.file},
                        "region": {"startLine": f.line, "startColumn": f.column},
                    }
                }
            ],
            "partialFingerprints": {"trackplanLint/v1": fingerprint(f)},
        }
        for f in report.findings
    ]
    doc = {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": "trackplan", "version": __version__, "rules": rules}},
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

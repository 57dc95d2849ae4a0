"""SARIF 2.1.0 for code scanning (upload with github/codeql-action/upload-sarif)."""

from __future__ import annotations

import json

from trackplan import __version__
from trackplan.diffing.records import DiffResult
from trackplan.diffing.rules import RULES
from trackplan.report import ReportContext, locate, ordered

LEVEL = {"breaking": "error", "warning": "warning", "info": "note"}
SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: DiffResult, context: ReportContext) -> str:
    prefix = context.extra.get("path_prefix", "")
    rules = [
        {
            "id": rule.id,
            "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "helpUri": f"https://github.com/trackplan/trackplan/blob/main/docs/diff.md#{rule.id.lower()}",
            "defaultConfiguration": {"level": LEVEL[rule.validation]},
        }
        for rule in RULES.values()
    ]
    index = {rule["id"]: i for i, rule in enumerate(rules)}
    results = []
    for change in ordered(result.changes):
        entry: dict[str, object] = {
            "ruleId": change.rule,
            "ruleIndex": index[change.rule],
            "level": LEVEL[change.severity],
            "message": {"text": change.message},
            "partialFingerprints": {"trackplanChange/v1": change.fingerprint},
        }
        if change.path:
            entry["locations"] = [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": prefix + change.path},
                        "region": {"startLine": locate(context.source_text(change.path), change)},
                    }
                }
            ]
        results.append(entry)
    doc = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "trackplan",
                        "version": __version__,
                        "informationUri": "https://pypi.org/project/trackplan/",
                        "rules": rules,
                    }
                },
                "results": results,
            }
        ],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"

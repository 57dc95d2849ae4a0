"""SARIF 2.1.0 for code scanning (upload with github/codeql-action/upload-sarif): one log
envelope for the diff's changes and the lint's findings, its rules taken from a catalogue."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from trackplan import __version__
from trackplan.catalogue import Rule

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
DOCS = "https://github.com/trackplan/trackplan/blob/main/docs"
PYPI = "https://pypi.org/project/trackplan/"
LEVELS = {"breaking": "error", "error": "error", "warning": "warning", "info": "note"}


def location(uri: str, line: int, column: int | None = None) -> list[dict[str, Any]]:
    region: dict[str, int] = {"startLine": line} if column is None else {"startLine": line, "startColumn": column}
    return [{"physicalLocation": {"artifactLocation": {"uri": uri}, "region": region}}]


def log(
    rules: Sequence[Rule], results: Sequence[dict[str, Any]], profile: str = "default", docs_page: str | None = None
) -> str:
    """The SARIF document of one run. Each result names its rule by `ruleId`; the index into
    `rules` is added here. With `docs_page`, each rule links to its section of that page and
    the tool to its PyPI page; without, each rule carries its hint as help text."""
    driver: dict[str, Any] = {"name": "trackplan", "version": __version__}
    if docs_page:
        driver["informationUri"] = PYPI
    driver["rules"] = [_descriptor(rule, profile, docs_page) for rule in rules]
    index = {rule.id: i for i, rule in enumerate(rules)}
    run = {
        "tool": {"driver": driver},
        "results": [{"ruleId": result["ruleId"], "ruleIndex": index[result["ruleId"]], **result} for result in results],
    }
    doc = {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def _descriptor(rule: Rule, profile: str, docs_page: str | None) -> dict[str, Any]:
    entry: dict[str, Any] = {"id": rule.id, "name": rule.name, "shortDescription": {"text": rule.summary}}
    if docs_page:
        entry["helpUri"] = f"{DOCS}/{docs_page}#{rule.id.lower()}"
    else:
        entry["help"] = {"text": rule.hint}
    entry["defaultConfiguration"] = {"level": LEVELS[rule.severity(profile)]}
    return entry

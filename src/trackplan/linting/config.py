"""How a plan configures its linting in trackplan.yaml: rule severities (or off), description
and naming requirements, the flat-folder limit, and suppressions, which must say why."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from trackplan.linting.findings import LEVELS, Finding
from trackplan.linting.rules import RULES
from trackplan.model import Settings
from trackplan.repo.paths import SETTINGS_FILE


@dataclass
class LintConfig:
    severities: dict[str, str | None]
    event_descriptions: bool = True
    property_descriptions: bool = False
    event_naming: str | None = None
    property_naming: str | None = None
    suppressions: list[dict[str, Any]] = field(default_factory=list)
    events_layout: str = "flat"
    flat_events_max: int = 1000  # GitHub lists 1,000 files of a folder
    property_scope: str = "plan"  # "event": each event defines its properties, so they may differ

    @classmethod
    def from_settings(cls, settings: Settings) -> LintConfig:
        lint = settings.get("lint") or {}
        naming = settings.get("naming") or {}
        severities: dict[str, str | None] = {}
        for rule, value in dict(lint.get("rules") or {}).items():
            value = str(value).lower()
            severities[str(rule)] = None if value in ("off", "false", "none") else value
        descriptions = lint.get("descriptions") or {}
        return cls(
            severities=severities,
            event_descriptions=bool(descriptions.get("events", True)),
            property_descriptions=bool(descriptions.get("properties", False)),
            event_naming=naming.get("events"),
            property_naming=naming.get("properties"),
            suppressions=[dict(s) for s in lint.get("suppress") or []],
            events_layout=settings.events_layout,
            flat_events_max=_positive(lint.get("flat_events_max"), 1000),
            property_scope=str(settings.get("property_scope") or "plan"),
        )

    def severity(self, rule: str) -> str | None:
        """The configured severity, None when the rule is off; an unknown level keeps the default."""
        if rule in self.severities:
            value = self.severities[rule]
            return value if value is None or value in LEVELS else RULES[rule].severity()
        return RULES[rule].severity()


def _positive(value: Any, default: int) -> int:
    """A count from the settings; anything else keeps the default, as unknown levels do."""
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else default


def configure(findings: list[Finding], config: LintConfig) -> list[Finding]:
    """Severity overrides, rules turned off, and suppressions (which must say why), in file order."""
    used = [False] * len(config.suppressions)
    out = []
    for finding in findings:
        severity = config.severity(finding.rule)
        if severity is None:
            continue
        finding.severity = severity
        matching = [i for i, rule in enumerate(config.suppressions) if _suppresses(rule, finding)]
        for i in matching:
            used[i] = True
        if not matching:
            out.append(finding)
    out += _suppression_problems(config, used)
    return sorted(out, key=lambda f: (f.file, f.line, f.column, f.rule))


def _suppresses(rule: dict[str, Any], finding: Finding) -> bool:
    if rule.get("rule") != finding.rule or not rule.get("reason"):
        return False
    return rule.get("file") == finding.file or bool(rule.get("event") and rule.get("event") == finding.event)


def _suppression_problems(config: LintConfig, used: list[bool]) -> list[Finding]:
    """TP126 for a suppression without a reason, TP125 for one that suppressed nothing."""
    out = []
    for i, rule in enumerate(config.suppressions):
        problem = None
        if not rule.get("reason"):
            problem = ("TP126", config.severity("TP126") or "error", "has no reason")
        elif not used[i] and config.severity("TP125"):
            problem = ("TP125", config.severity("TP125") or "warning", "suppresses nothing")
        if problem is not None:
            rule_id, severity, what = problem
            where = rule.get("file") or rule.get("event") or "?"
            message = f"suppression of {rule.get('rule')} for {where} {what}"
            out.append(Finding(rule_id, severity, SETTINGS_FILE, message, where=("lint", "suppress", str(i))))
    return out

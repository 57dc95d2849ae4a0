"""The breaking-change rule catalogue: one entry per rule, with its severity per profile.

Profiles: `validation` (Snowplow's SchemaVer meaning: data valid at BASE fails at HEAD) and
`consumer` (changes that break downstream queries). Severities can be overridden per rule
in trackplan.yaml under `breaking_severity: {RULE: breaking|warning|info}`.
"""

from __future__ import annotations

from dataclasses import dataclass

SEVERITIES = ("breaking", "warning", "info")
PROFILES = ("validation", "consumer")


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    validation: str
    consumer: str
    summary: str

    def severity(self, profile: str) -> str:
        return self.validation if profile == "validation" else self.consumer


RULES = {
    r.id: r
    for r in (
        Rule("TP001", "event-added", "info", "info", "A new event."),
        Rule(
            "TP002",
            "event-removed",
            "breaking",
            "breaking",
            "An event was removed: its payloads no longer validate and its data stops.",
        ),
        Rule(
            "TP003",
            "event-renamed",
            "breaking",
            "breaking",
            "An event (same x-id) got a new name: payloads under the old name fail and queries lose it.",
        ),
        Rule("TP010", "property-added", "info", "info", "A new optional property."),
        Rule(
            "TP011",
            "required-property-added",
            "breaking",
            "info",
            "A new required property: payloads without it fail.",
        ),
        Rule(
            "TP012",
            "property-removed",
            "info",
            "breaking",
            "A property was removed from an open schema: old payloads still validate, queries on it break.",
        ),
        Rule(
            "TP013",
            "property-removed-closed",
            "breaking",
            "breaking",
            "A property was removed from a closed schema (no additionalProperties): payloads with it fail.",
        ),
        Rule("TP014", "property-renamed", "breaking", "breaking", "A property (same x-id) got a new name."),
        Rule("TP020", "type-narrowed", "breaking", "breaking", "The type accepts fewer values than before."),
        Rule(
            "TP021",
            "type-widened",
            "info",
            "breaking",
            "The type accepts more values: old data still valid, consumers see new types.",
        ),
        Rule("TP022", "enum-value-removed", "breaking", "warning", "An allowed value was removed."),
        Rule("TP023", "enum-value-added", "info", "info", "An allowed value was added."),
        Rule(
            "TP024",
            "enum-added",
            "breaking",
            "info",
            "A property that took any value now takes a fixed list.",
        ),
        Rule("TP025", "enum-removed", "info", "info", "A fixed list of values was lifted."),
        Rule("TP026", "made-required", "breaking", "info", "An optional property became required."),
        Rule(
            "TP027",
            "made-optional",
            "warning",
            "breaking",
            "A required property became optional: consumers may now see it missing.",
        ),
        Rule(
            "TP028",
            "pattern-tightened",
            "breaking",
            "info",
            "A pattern was added or changed: values that matched may not match.",
        ),
        Rule("TP029", "pattern-removed", "info", "info", "A pattern was removed."),
        Rule("TP030", "const-tightened", "breaking", "info", "A pinned value (const) was added or changed."),
        Rule("TP031", "const-removed", "info", "info", "A pinned value (const) was removed."),
        Rule(
            "TP032",
            "bound-tightened",
            "breaking",
            "info",
            "A minimum was raised or a maximum lowered (or newly set).",
        ),
        Rule(
            "TP033",
            "bound-loosened",
            "info",
            "info",
            "A minimum was lowered or a maximum raised (or removed).",
        ),
        Rule("TP034", "format-tightened", "breaking", "info", "A format was added or changed."),
        Rule("TP035", "format-removed", "info", "info", "A format was removed."),
        Rule(
            "TP036",
            "additional-properties-closed",
            "breaking",
            "info",
            "additionalProperties false was set: unknown properties now fail.",
        ),
        Rule("TP037", "additional-properties-opened", "info", "info", "additionalProperties false was lifted."),
        Rule(
            "TP038",
            "composition-changed",
            "warning",
            "warning",
            "anyOf/oneOf/allOf branches changed in a way that cannot be proven compatible.",
        ),
        Rule(
            "TP040",
            "metadata-changed",
            "info",
            "info",
            "Description, tags, owner, categories, status or name mapping changed.",
        ),
        Rule("TP041", "source-removed", "warning", "warning", "An event is no longer sent from a source."),
        Rule("TP042", "source-added", "info", "info", "An event is now sent from another source."),
        Rule("TP050", "traits-changed", "info", "info", "Identify, group or context traits changed."),
        Rule("TP051", "settings-changed", "info", "info", "trackplan.yaml changed."),
        Rule(
            "TP060",
            "version-bump-too-small",
            "warning",
            "warning",
            "x-version was bumped less than the changes need (SchemaVer).",
        ),
    )
}

"""A realistic synthetic tracking plan: N events with 5-15 properties each, and the same plan
as the files an import reads (Avo's JSON export, the standard JSON Schema)."""

from __future__ import annotations

import functools
import json
import random
from typing import Any

from trackplan.formats.jsonschema import document
from trackplan.model import Event, Plan, Property, Settings

GENERATOR_VERSION = 1
"""Bumped whenever the generated plan changes, so repositories built from it are built again."""

SOURCES = ["web", "ios", "android", "backend"]
DOMAINS = ["Growth", "Payments", "Discovery", "Platform"]
TAGS = ["core", "revenue", "onboarding", "retention", "experiment", "marketing"]
VERBS = ["Viewed", "Clicked", "Completed", "Started", "Updated", "Removed", "Shared", "Failed"]
NOUNS = ["Product", "Cart", "Checkout", "Page", "Search", "Profile", "Invite", "Subscription"]
PROPS: list[tuple[str, dict[str, Any]]] = [
    ("product_id", {"type": "string", "pattern": "^prd_[a-z0-9]+$"}),
    ("price", {"type": "number", "minimum": 0}),
    ("currency", {"type": "string", "pattern": "^[A-Z]{3}$"}),
    ("quantity", {"type": "integer", "minimum": 1}),
    ("screen", {"type": "string", "enum": ["home", "search", "cart", "settings"]}),
    ("is_logged_in", {"type": "boolean"}),
    ("referrer", {"type": "string"}),
    ("experiment_ids", {"type": "array", "items": {"type": "string"}}),
    ("plan", {"type": "string", "enum": ["free", "pro", "team"], "x-send-as": "UserProperty"}),
    ("duration_ms", {"type": "integer", "minimum": 0}),
    ("error_code", {"type": "string"}),
    ("position", {"type": "integer"}),
    ("query", {"type": "string"}),
    ("coupon", {"type": "string"}),
    ("category", {"type": "string", "enum": ["shoes", "shirts", "hats", "bags"]}),
]


def synthetic_event(i: int, revision: int = 0) -> Event:
    rng = random.Random(i)
    name = f"{rng.choice(NOUNS)} {rng.choice(VERBS)} {i}"
    chosen = rng.sample(PROPS, rng.randint(5, 15))
    properties = tuple(
        Property.build(
            prop,
            required=rng.random() < 0.5,
            # Properties are plan-wide: one description per name, as Avo keeps them.
            description=f"The {prop.replace('_', ' ')}.",
            **schema,
        )
        for prop, schema in chosen
    )
    return Event(
        name=name,
        description=f"Sent when {name.lower()} happens." + (f" Revision {revision}." if revision else ""),
        id=f"evt_{i:06d}",
        version="1-0-0",
        status="live",
        tags=rng.sample(TAGS, 2),  # type: ignore[arg-type]
        sources=rng.sample(SOURCES, rng.randint(1, 3)),  # type: ignore[arg-type]
        owner=rng.choice(DOMAINS),
        properties=properties,
    )


def synthetic_plan(n: int) -> Plan:
    settings = Settings.from_json(
        {"name": f"Synthetic {n}", "sources": SOURCES, "domains": DOMAINS, "vendor": "com.example"}
    )
    return Plan(settings=settings, events=tuple(synthetic_event(i) for i in range(n)))


def _note(revision: int) -> str:
    """What a re-import's edit appends to a description (`revision` tells one edit from another)."""
    return f" Changed ({revision})." if revision > 1 else " Changed."


def _edited(schema: dict[str, Any], revision: int) -> dict[str, Any]:
    return {**schema, "description": schema["description"] + _note(revision)}


@functools.cache
def _avo_document(n: int) -> dict[str, Any]:
    """The N-event plan as Avo's JSON export (built once per process: a re-import edits a few)."""
    events = []
    for event in synthetic_plan(n).events:
        props = {
            p.name: {"id": p.id, **{k: v for k, v in p.to_json().items() if k != "x-send-as"}} for p in event.properties
        }
        events.append(
            {
                "id": event.id,
                "name": event.name,
                "description": event.description,
                "tags": list(event.tags),
                "sources": [{"id": s, "name": s} for s in event.sources],
                "rules": {
                    "properties": {
                        "properties": {
                            "type": "object",
                            "properties": props,
                            "required": [p.name for p in event.properties if p.required],
                        }
                    }
                },
            }
        )
    return {"name": "Exported Tracking Plan: main", "events": events}


@functools.cache
def _schema_document(n: int) -> dict[str, Any]:
    return document(synthetic_plan(n))


def avo_export(n: int, changed: int = 0, revision: int = 1) -> bytes:
    """The N-event plan as Avo's JSON export, the descriptions of the first `changed` events
    edited (`revision` tells one edit from another)."""
    doc = _avo_document(n)
    events = [_edited(e, revision) if i < changed else e for i, e in enumerate(doc["events"])]
    return json.dumps({**doc, "events": events}).encode()


def jsonschema_export(n: int, changed: int = 0, revision: int = 1) -> bytes:
    """The N-event plan as the standard JSON Schema of Avo's Import API, the first `changed` events edited."""
    doc = _schema_document(n)
    events = {
        name: _edited(schema, revision) if i < changed else schema
        for i, (name, schema) in enumerate(doc["schema"]["events"].items())
    }
    return json.dumps({**doc, "schema": {**doc["schema"], "events": events}}).encode()

"""The tracking plan as immutable values, with no I/O: the plan, its events and properties, and its settings."""

from trackplan.model.plan import (
    EVENT_HEAD_KEYS,
    EVENT_TAIL_KEYS,
    PROPERTY_KEYS,
    SEND_AS_VALUES,
    STATUS_VALUES,
    Event,
    NameMapping,
    Plan,
    Property,
    SchemaVer,
)
from trackplan.model.settings import EVENTS_LAYOUTS, SETTINGS_KEYS, Destination, Domain, Settings, Source

__all__ = [
    "EVENTS_LAYOUTS",
    "EVENT_HEAD_KEYS",
    "EVENT_TAIL_KEYS",
    "PROPERTY_KEYS",
    "SEND_AS_VALUES",
    "SETTINGS_KEYS",
    "STATUS_VALUES",
    "Destination",
    "Domain",
    "Event",
    "NameMapping",
    "Plan",
    "Property",
    "SchemaVer",
    "Settings",
    "Source",
]

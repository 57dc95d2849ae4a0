"""The tracking plan as immutable values, with no I/O: the plan, its events and properties, and its settings.

Every name loads its module on first use, so importing one module of the package (`slugs`
for a file name, `settings` for the layout names) costs that module alone.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
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

# The modules behind the names: the same imports as the block above.
_LAZY = {
    "trackplan.model.plan": (
        "EVENT_HEAD_KEYS",
        "EVENT_TAIL_KEYS",
        "PROPERTY_KEYS",
        "SEND_AS_VALUES",
        "STATUS_VALUES",
        "Event",
        "NameMapping",
        "Plan",
        "Property",
        "SchemaVer",
    ),
    "trackplan.model.settings": ("EVENTS_LAYOUTS", "SETTINGS_KEYS", "Destination", "Domain", "Settings", "Source"),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

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


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'trackplan.model' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

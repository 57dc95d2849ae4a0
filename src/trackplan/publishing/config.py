"""The `publishing:` integrations of trackplan.yaml, read into values.

    publishing:
      - id: warehouse
        name: Warehouse loader
        url: https://hooks.example.com/trackplan
        format: jsonSchema             # jsonSchema | snowplowSchemas | ndjson
        vendor: com.example            # snowplowSchemas and ndjson: the Iglu vendor
        filters: {sources: [web], destinations: [Segment], tags: [checkout]}
        changes_only: false
        secret_env: WAREHOUSE_HOOK_SECRET

The file holds no secret: `secret_env` names the environment variable that holds the signing
secret. Filters are Avo's: an event is sent when it matches every filter given, a filter
matching when the event has any of its values (its destinations are those of its sources).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from trackplan.errors import InputError
from trackplan.model import Event
from trackplan.model.settings import Settings
from trackplan.repo.paths import SETTINGS_FILE

PAYLOAD_FORMATS = {"jsonSchema": "avo-json", "snowplowSchemas": "snowplow", "ndjson": "ndjson"}
FILTER_KEYS = ("sources", "destinations", "tags")
INTEGRATION_KEYS = ("id", "name", "url", "format", "vendor", "filters", "changes_only", "secret_env")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
_ENV_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_URL = re.compile(r"https?://[^\s/?#]+[^\s]*")


@dataclass(frozen=True)
class Filters:
    sources: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()

    def admits(self, event: Event, settings: Settings) -> bool:
        destinations = {d for s in settings.sources if s.name in event.sources for d in s.destinations}
        return (
            (not self.sources or any(s in event.sources for s in self.sources))
            and (not self.destinations or any(d in destinations for d in self.destinations))
            and (not self.tags or any(t in event.tags for t in self.tags))
        )


@dataclass(frozen=True)
class Integration:
    id: str
    name: str
    url: str
    format: str  # Avo's payload format name: jsonSchema, snowplowSchemas or ndjson
    secret_env: str
    vendor: str | None = None
    filters: Filters = Filters()
    changes_only: bool = False

    @property
    def export_format(self) -> str:
        return PAYLOAD_FORMATS[self.format]


def integrations(settings: Settings) -> list[Integration]:
    """The integrations `publishing:` lists; an InputError names the first bad field."""
    entries = settings.get("publishing") or ()
    found = [_integration(i, entry) for i, entry in enumerate(entries)]
    seen: set[str] = set()
    for i, integration in enumerate(found):
        if integration.id in seen:
            raise InputError(f"{SETTINGS_FILE}: publishing[{i}].id: {integration.id!r} is used twice")
        seen.add(integration.id)
    return found


def _integration(index: int, entry: Any) -> Integration:
    where = f"{SETTINGS_FILE}: publishing[{index}]"
    if not isinstance(entry, Mapping):
        raise InputError(f"{where}: expected a mapping with {', '.join(INTEGRATION_KEYS)}")
    unknown = sorted(set(entry) - set(INTEGRATION_KEYS))
    if unknown:
        raise InputError(f"{where}.{unknown[0]}: unknown key; use {', '.join(INTEGRATION_KEYS)}")

    def text(key: str, pattern: re.Pattern[str], expected: str, default: str | None = None) -> str:
        value = entry.get(key, default)
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise InputError(f"{where}.{key}: expected {expected}, not {value!r}")
        return value

    fmt = entry.get("format", "jsonSchema")
    if fmt not in PAYLOAD_FORMATS:
        raise InputError(f"{where}.format: {fmt!r} is not one of {', '.join(PAYLOAD_FORMATS)}")
    changes_only = entry.get("changes_only", False)
    if not isinstance(changes_only, bool):
        raise InputError(f"{where}.changes_only: expected true or false, not {changes_only!r}")
    ident = text("id", _ID, "letters, digits, '.', '_' or '-'")
    vendor = entry.get("vendor")
    return Integration(
        id=ident,
        name=str(entry.get("name") or ident),
        url=text("url", _URL, "an http:// or https:// URL"),
        format=fmt,
        secret_env=text("secret_env", _ENV_NAME, "the name of the environment variable holding the signing secret"),
        vendor=None if vendor is None else str(vendor),
        filters=_filters(where, entry.get("filters")),
        changes_only=changes_only,
    )


def _filters(where: str, value: Any) -> Filters:
    if value is None:
        return Filters()
    if not isinstance(value, Mapping) or set(value) - set(FILTER_KEYS):
        raise InputError(f"{where}.filters: expected a mapping of {', '.join(FILTER_KEYS)} to lists of names")
    lists: dict[str, tuple[str, ...]] = {}
    for key in FILTER_KEYS:
        names = value.get(key) or ()
        if isinstance(names, str) or not all(isinstance(n, str) for n in names):
            raise InputError(f"{where}.filters.{key}: expected a list of names")
        lists[key] = tuple(names)
    return Filters(**lists)

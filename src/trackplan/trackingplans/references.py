"""What an event specification's `event` names: a trackplan event by name, or an Iglu URI
(`iglu:<vendor>/<name>/jsonschema/<M-R-A>`) resolved as the Snowplow export names events:
the event's vendor (its own, else trackplan.yaml's `vendor`), its Iglu name and its `x-version`."""

from __future__ import annotations

import re

from trackplan.formats.snowplow import DEFAULT_VENDOR, iglu_name
from trackplan.model import Event
from trackplan.repo.reading import LoadedPlan

IGLU_URI = re.compile(r"^iglu:(?P<vendor>[^/]+)/(?P<name>[^/]+)/(?P<format>[^/]+)/(?P<version>\d+-\d+-\d+)$")


def referenced_event(loaded: LoadedPlan, reference: str) -> Event | None:
    """The event a specification names in the plan, or None when the plan has no such event."""
    if not reference.startswith("iglu:"):
        return loaded.event(reference)
    match = IGLU_URI.match(reference)
    if match is None or match["format"] != "jsonschema":
        return None
    default_vendor = str(loaded.settings.get("vendor") or DEFAULT_VENDOR)
    for event in loaded.plan.events:
        vendor = str(event.extra.get("x-vendor") or default_vendor)
        if (vendor, iglu_name(event), event.version or "1-0-0") == (match["vendor"], match["name"], match["version"]):
            return event
    return None

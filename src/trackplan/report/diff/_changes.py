"""What every diff renderer does with changes: order them (breaking first), and find the line
of the event file a change points at."""

from __future__ import annotations

from trackplan.diffing.records import Change

SEVERITY_ORDER = {"breaking": 0, "warning": 1, "info": 2}
# The key a change to one of the event's fields sits under in its file.
FIELD_KEYS = {"name": "title", "sources": "x-sources", "description": "description"}


def ordered(changes: list[Change]) -> list[Change]:
    return sorted(changes, key=lambda c: (SEVERITY_ORDER[c.severity], c.event or "", c.prop or "", c.rule))


def by_event(changes: list[Change]) -> list[Change]:
    """Each event's changes together, the events with the worst changes first; within an
    event, as `ordered` sorts them."""
    worst: dict[str, int] = {}
    for change in changes:
        key = change.event or ""
        worst[key] = min(worst.get(key, 2), SEVERITY_ORDER[change.severity])
    return sorted(ordered(changes), key=lambda c: (worst[c.event or ""], c.event or ""))


def locate(text: str | None, change: Change) -> int:
    """The 1-based line in an event file that a change points at (the property key when
    there is one, else the field, else the title)."""
    if not text:
        return 1
    lines = text.splitlines()
    wanted = []
    if change.prop:
        wanted.append(change.prop.split(".")[0].replace("[]", ""))
    if change.field:
        wanted.append(FIELD_KEYS.get(change.field, change.field))
    wanted.append("title")
    for key in wanted:
        for number, line in enumerate(lines, 1):
            if line.lstrip().startswith((f"{key}:", f"'{key}':", f'"{key}":')):
                return number
    return 1

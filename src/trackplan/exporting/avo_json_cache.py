"""The whole-plan avo-json export, assembled from per-event pieces in the cache.

Each event's piece is cached by (event blob, settings blob): an export after a change
renders only the changed events, and reads no other event file. (The whole output is kept
by exporting/outputs.py.) The bytes equal those of rendering the model (tested).
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from trackplan.formats import avo_json
from trackplan.formats.base import pretty_json
from trackplan.memory import building
from trackplan.repo.paths import SETTINGS_FILE
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.workspace import Workspace

if TYPE_CHECKING:
    from trackplan.exporting.run import Progress

FRAGMENT_VERSION = 6  # bump when an event's rendering changes: the older pieces go at the next export


def avo_json_from_fragments(ws: Workspace, loaded: LoadedPlan, label: str, progress: Progress | None = None) -> bytes:
    """The avo-json export of the whole plan, labelled `label`, from the cached pieces where it can;
    `progress` is told the events rendered so far."""
    with building():
        settings_blob = loaded.blob_ids.get(SETTINGS_FILE, "")
        categories: dict[str, list[Any]] = {}
        pieces = []
        for header, piece in _fragments(ws, loaded, settings_blob, progress):
            # The header line is [event id, categories]: the envelope's categories map.
            if not header.endswith(b",[]]"):
                event_id, event_categories = json.loads(header)
                for category in event_categories:
                    categories.setdefault(category, []).append(event_id)
            pieces.append(piece)
        return _envelope(loaded, label, categories, pieces)


def _fragments(
    ws: Workspace, loaded: LoadedPlan, settings_blob: str, progress: Progress | None
) -> list[tuple[bytes, bytes]]:
    """(header line, indented event JSON) of every event, by name: cached, or rendered and cached."""
    names = sorted(loaded.event_paths)
    keys = {
        name: f"avo-json/{FRAGMENT_VERSION}/{settings_blob}/{loaded.blob_ids[loaded.event_paths[name]]}"
        for name in names
    }
    cached = ws.cache.get_fragments(keys.values())
    if len(keys) - len(cached) > 1:
        loaded.prefetch()
    ids = None
    fragments: list[tuple[bytes, bytes]] = []
    for name in names:
        value = cached.get(keys[name])
        if value is None:
            ids = ids or avo_json.Ids(loaded.settings)
            value = _fragment(loaded, name, ids)
            ws.cache.put_fragment(keys[name], value)
            if progress is not None:  # told where the work is: a cached piece costs less than the call
                progress(len(fragments) + 1, "events rendered")
        header, _, piece = value.partition(b"\n")
        fragments.append((header, piece))
    if progress is not None:
        progress(len(fragments), "events rendered")
    ws.cache.flush()
    return fragments


def _fragment(loaded: LoadedPlan, name: str, ids: avo_json.Ids) -> bytes:
    """One line of metadata (for the categories map), then the event's JSON text."""
    event = loaded.event(name)
    assert event is not None
    doc = avo_json.event_doc(event, ids)
    header = json.dumps([doc["id"], list(event.categories)], ensure_ascii=False, separators=(",", ":"))
    return header.encode() + b"\n" + _indent(pretty_json(doc), 4)


def _envelope(loaded: LoadedPlan, label: str, categories: dict[str, list[Any]], pieces: list[bytes]) -> bytes:
    """The document around the events, with the events' JSON text spliced in."""
    text = pretty_json(avo_json.envelope(loaded.settings, label, [], categories)) + b"\n"
    if not pieces:
        return text
    head, tail = text.split(b'"events": [],', 1)
    return b"".join([head, b'"events": [\n', b",\n".join(pieces), b"\n  ],", tail])


def _indent(text: bytes, spaces: int) -> bytes:
    pad = b" " * spaces
    return b"\n".join(pad + line for line in text.split(b"\n"))

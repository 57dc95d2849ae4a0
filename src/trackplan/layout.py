"""The plan folder <-> the model: which file holds what, and how event files are named.

trackplan.yaml          settings
events/<slug>.yaml      one event per file
identify.yaml           user traits
group.yaml              group traits
contexts/<slug>.yaml    per-source context properties
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.model import Event, Plan, Settings

SETTINGS_FILE = "trackplan.yaml"
EVENTS_DIR = "events"
CONTEXTS_DIR = "contexts"
IDENTIFY_FILE = "identify.yaml"
GROUP_FILE = "group.yaml"
YAML_SUFFIXES = (".yaml", ".yml", ".json")
MAX_SLUG = 80


def slugify(name: str) -> str:
    """A safe, lower-case file stem for a name. Never empty, never a path."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    # camelCase boundaries become separators so `signUp` and `sign_up` read alike.
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "-", ascii_name)
    slug = re.sub(r"[^a-z0-9]+", "-", spaced.lower()).strip("-")[:MAX_SLUG].strip("-")
    return slug or "event"


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def event_path(name: str, taken: Iterable[str] = ()) -> str:
    """The path for a new event. Falls back to slug-<hash> when the plain slug is taken,
    so two names that slug alike (`Sign Up`, `sign_up`) never share a file."""
    slug = slugify(name)
    plain = f"{EVENTS_DIR}/{slug}.yaml"
    # A name with no usable characters gets a hashed name rather than a shared `event.yaml`.
    meaningful = slug != "event" or name.strip().lower() == "event"
    if meaningful and plain.lower() not in {t.lower() for t in taken}:
        return plain
    return f"{EVENTS_DIR}/{slug}-{_name_hash(name)}.yaml"


def context_path(source: str) -> str:
    return f"{CONTEXTS_DIR}/{slugify(source)}.yaml"


@dataclass
class LoadedPlan:
    """A plan plus where each part lives, as read from a tree."""

    plan: Plan
    event_paths: dict[str, str] = field(default_factory=dict)
    context_paths: dict[str, str] = field(default_factory=dict)
    blob_ids: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def path_of(self, name: str) -> str | None:
        return self.event_paths.get(name)


def is_event_file(path: str) -> bool:
    return path.startswith(EVENTS_DIR + "/") and path.endswith(YAML_SUFFIXES) and path.count("/") == 1


def is_plan_file(path: str) -> bool:
    if path in (SETTINGS_FILE, IDENTIFY_FILE, GROUP_FILE):
        return True
    return is_event_file(path) or (
        path.startswith(CONTEXTS_DIR + "/") and path.endswith(YAML_SUFFIXES) and path.count("/") == 1
    )


DocLoader = Callable[[str, str], Any]
"""(path, blob id) -> parsed document; lets the caller add caching."""


def parse_document(data: bytes, path: str) -> Any:
    if path.endswith(".json"):
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: invalid JSON: {exc}") from None
    return yamlio.load(data, path)


def build_plan(blob_ids: Mapping[str, str], load_doc: DocLoader) -> LoadedPlan:
    """Assemble a plan from the plan files of a tree ({relative path: blob id})."""
    loaded = LoadedPlan(plan=Plan(), blob_ids=dict(blob_ids))
    settings = Settings()
    if SETTINGS_FILE in blob_ids:
        try:
            settings = Settings.from_json(load_doc(SETTINGS_FILE, blob_ids[SETTINGS_FILE]))
        except (ValueError, TypeError) as exc:
            raise InputError(f"{SETTINGS_FILE}: {exc}") from None
    events: dict[str, Event] = {}
    contexts: list[tuple[str, Event]] = []
    traits: dict[str, Event] = {}
    for path in sorted(blob_ids):
        if path == SETTINGS_FILE or not is_plan_file(path):
            continue
        doc = load_doc(path, blob_ids[path])
        stem = path.rsplit("/", 1)[-1].rsplit(".", 1)[0]
        try:
            event = Event.from_json(doc, name=stem)
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from None
        if path in (IDENTIFY_FILE, GROUP_FILE):
            traits[path] = event
        elif path.startswith(CONTEXTS_DIR + "/"):
            source = str(event.extra.get("x-source") or stem)
            contexts.append((source, event.replace(extra=event.extra.without("x-source"))))
            loaded.context_paths[source] = path
        elif event.name in events:
            loaded.warnings.append(
                f"{path}: event {event.name!r} is also defined in "
                f"{loaded.event_paths[event.name]}; this file was ignored"
            )
        else:
            events[event.name] = event
            loaded.event_paths[event.name] = path
    loaded.plan = Plan(
        settings=settings,
        events=tuple(events.values()),
        identify=traits.get(IDENTIFY_FILE),
        group=traits.get(GROUP_FILE),
        contexts=tuple(contexts),
    )
    return loaded


def render_event(event: Event) -> bytes:
    return yamlio.dump(event.to_json()).encode()


def render_settings(settings: Settings) -> bytes:
    return yamlio.dump(settings.to_json()).encode()


def plan_files(
    before: LoadedPlan | None, after: Plan, read_text: Callable[[str], str] | None = None
) -> tuple[dict[str, bytes | None], list[str]]:
    """The files to write to turn `before` into `after`: {path: bytes, or None to delete}.

    Only parts whose model changed are rendered, so cost follows the change. Files that
    people wrote are rewritten in place, keeping comments, when `read_text` is given.
    """
    old_plan = before.plan if before else Plan()
    old_paths = dict(before.event_paths) if before else {}
    changes: dict[str, bytes | None] = {}
    warnings: list[str] = []

    def write(path: str, doc: dict[str, Any], old_doc: dict[str, Any] | None) -> None:
        fresh = yamlio.dump(doc)
        if old_doc is not None and read_text is not None:
            original = read_text(path)
            # A file still exactly as the tool wrote it has nothing to keep: skip the slow
            # round-trip parser. Anything people edited is rewritten in place.
            if original != yamlio.dump(old_doc):
                fresh = yamlio.rewrite(original, doc)
        changes[path] = fresh.encode()

    if old_plan.settings != after.settings:
        existed = before is not None and SETTINGS_FILE in before.blob_ids
        old_settings = old_plan.settings.to_json() if existed else None
        write(SETTINGS_FILE, after.settings.to_json(), old_settings)

    old_events = old_plan.event_map()
    new_events = after.event_map()
    # Renames (same x-id, new name) keep their file, so history follows the event.
    old_by_id = {e.id: name for name, e in old_events.items() if e.id}
    taken = set(old_paths.values())
    for name in sorted(old_events.keys() - new_events.keys()):
        taken.discard(old_paths[name])
    reused: set[str] = set()
    for name, event in sorted(new_events.items()):
        old = old_events.get(name)
        if old is not None:
            if old != event:
                write(old_paths[name], event.to_json(), old.to_json())
            continue
        renamed_from = old_by_id.get(event.id) if event.id else None
        if renamed_from and renamed_from not in new_events and renamed_from not in reused:
            reused.add(renamed_from)
            path = old_paths[renamed_from]
            taken.add(path)
            write(path, event.to_json(), old_events[renamed_from].to_json())
            continue
        path = event_path(name, taken)
        if not path.endswith(f"/{slugify(name)}.yaml"):
            warnings.append(f"event {name!r} shares its file name with another event; written to {path}")
        taken.add(path)
        write(path, event.to_json(), None)
    for name in sorted(old_events.keys() - new_events.keys()):
        if name not in reused:
            changes.setdefault(old_paths[name], None)

    for path, old_trait, new_trait in (
        (IDENTIFY_FILE, old_plan.identify, after.identify),
        (GROUP_FILE, old_plan.group, after.group),
    ):
        if old_trait != new_trait:
            if new_trait is None:
                changes[path] = None
            else:
                write(path, new_trait.to_json(), old_trait.to_json() if old_trait else None)

    old_contexts = dict(old_plan.contexts)
    new_contexts = dict(after.contexts)
    old_context_paths = before.context_paths if before else {}
    for source in sorted(old_contexts.keys() | new_contexts.keys()):
        old_ctx, new_ctx = old_contexts.get(source), new_contexts.get(source)
        if old_ctx == new_ctx:
            continue
        path = old_context_paths.get(source) or context_path(source)
        if new_ctx is None:
            changes[path] = None
        else:
            write(
                path,
                _context_doc(source, new_ctx),
                _context_doc(source, old_ctx) if old_ctx else None,
            )
    return changes, warnings


def _context_doc(source: str, context: Event) -> dict[str, Any]:
    return {**context.to_json(), "x-source": source}

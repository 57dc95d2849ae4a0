"""The plan folder <-> the model: which file holds what, and how event files are named.

trackplan.yaml          settings
events/<slug>.yaml      one event per file (events_layout: flat, the default)
events/<xx>/<slug>.yaml the same, spread over 256 folders (events_layout: sharded)
identify.yaml           user traits
group.yaml              group traits
contexts/<slug>.yaml    per-source context properties
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Callable, Mapping
from functools import cached_property
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.memory import building
from trackplan.model import Event, Plan, Settings
from trackplan.model.slugs import slugify

SETTINGS_FILE = "trackplan.yaml"
EVENTS_DIR = "events"
CONTEXTS_DIR = "contexts"
IDENTIFY_FILE = "identify.yaml"
GROUP_FILE = "group.yaml"
YAML_SUFFIXES = (".yaml", ".yml", ".json")


def _name_hash(name: str) -> str:
    return hashlib.sha256(name.encode("utf-8", "surrogatepass")).hexdigest()[:8]


def shard(stem: str) -> str:
    """The folder of an event file in the sharded layout: two hex digits of a hash of the
    file name. A flat folder is one git tree as long as the plan, which every commit
    rewrites and every diff compares whole; 256 folders keep both to the changed files."""
    return hashlib.sha256(stem.encode()).hexdigest()[:2]


def events_file(stem: str, sharded: bool, suffix: str = ".yaml") -> str:
    return f"{EVENTS_DIR}/{shard(stem)}/{stem}{suffix}" if sharded else f"{EVENTS_DIR}/{stem}{suffix}"


def relocated(path: str, sharded: bool) -> str:
    """Where an event file goes in the given layout: same file name, so history follows it."""
    if not is_event_file(path):
        return path
    name = path.rsplit("/", 1)[-1]
    stem, dot, suffix = name.rpartition(".")
    return events_file(stem, sharded, dot + suffix)


def event_path(name: str, taken_lower: set[str] | frozenset[str] = frozenset(), sharded: bool = False) -> str:
    """The path for a new event. Falls back to slug-<hash> when the plain slug is taken
    (`taken_lower`: lower-cased paths in use), so two names that slug alike (`Sign Up`,
    `sign_up`) never share a file, even on a case-insensitive disk."""
    slug = slugify(name)
    plain = events_file(slug, sharded)
    # A name with no usable characters gets a hashed name rather than a shared `event.yaml`.
    meaningful = slug != "event" or name.strip().lower() == "event"
    if meaningful and plain.lower() not in taken_lower:
        return plain
    return events_file(f"{slug}-{_name_hash(name)}", sharded)


def context_path(source: str) -> str:
    return f"{CONTEXTS_DIR}/{slugify(source)}.yaml"


DocLoader = Callable[[str, str], Any]
"""(path, blob id) -> parsed document; lets the caller add caching."""
TitleLoader = Callable[[str, str], str | None]
"""(path, blob id) -> the event's title, without building the event."""


class LoadedPlan:
    """A plan as read from a tree: an index of its files (cheap: names, paths, blob ids) and
    the model itself, built on first use, so commands that need only the index, or only a
    few events, never parse the rest."""

    def __init__(
        self,
        blob_ids: Mapping[str, str],
        title_of: TitleLoader,
        load_doc: DocLoader,
        on_built: Callable[[], None] = lambda: None,
        prefetch: Callable[[], None] = lambda: None,
    ) -> None:
        self.blob_ids = dict(blob_ids)
        self._on_built = on_built
        self.prefetch = prefetch
        """Fetch every cached document at once, before reading many events one by one."""
        self.event_paths: dict[str, str] = {}
        self.warnings: list[str] = []
        self._load_doc = load_doc
        self._context_paths: dict[str, str] = {}
        for path in sorted(self.blob_ids):
            if not is_event_file(path):
                continue
            name = title_of(path, self.blob_ids[path]) or _stem(path)
            if name in self.event_paths:
                self.warnings.append(
                    f"{path}: event {name!r} is also defined in {self.event_paths[name]}; this file was ignored"
                )
            else:
                self.event_paths[name] = path

    def event(self, name: str) -> Event | None:
        """One event, parsed on its own (the whole plan is not built)."""
        path = self.event_paths.get(name)
        return None if path is None else self._event(path)

    def _event(self, path: str) -> Event:
        try:
            return Event.from_json(self._load_doc(path, self.blob_ids[path]), name=_stem(path))
        except ValueError as exc:
            raise InputError(f"{path}: {exc}") from None

    @property
    def context_paths(self) -> dict[str, str]:
        _ = self.plan
        return self._context_paths

    @cached_property
    def plan(self) -> Plan:
        with building():
            return self._build()

    @cached_property
    def settings(self) -> Settings:
        """trackplan.yaml alone, without building the plan."""
        blob_id = self.blob_ids.get(SETTINGS_FILE)
        return settings_from(self._load_doc(SETTINGS_FILE, blob_id) if blob_id else None)

    def _build(self) -> Plan:
        self.prefetch()
        settings = self.settings
        events = [self._event(path) for path in self.event_paths.values()]
        traits = {p: self._event(p) for p in (IDENTIFY_FILE, GROUP_FILE) if p in self.blob_ids}
        contexts = []
        for path in sorted(self.blob_ids):
            if path.startswith(CONTEXTS_DIR + "/") and is_plan_file(path):
                event = self._event(path)
                source = str(event.extra.get("x-source") or _stem(path))
                contexts.append((source, event.replace(extra=event.extra.without("x-source"))))
                self._context_paths[source] = path
        self._on_built()
        plan = Plan(
            settings=settings,
            events=tuple(events),
            identify=traits.get(IDENTIFY_FILE),
            group=traits.get(GROUP_FILE),
            contexts=tuple(contexts),
        )
        return plan


def settings_from(doc: Any) -> Settings:
    """The settings in a parsed trackplan.yaml (None: the defaults), or an error naming it."""
    try:
        return Settings.from_json(doc)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{SETTINGS_FILE}: {exc}") from None


def _stem(path: str) -> str:
    return path.rsplit("/", 1)[-1].rsplit(".", 1)[0]


def is_event_file(path: str) -> bool:
    """Any YAML/JSON file below events/, in whatever folders people keep them."""
    return path.startswith(EVENTS_DIR + "/") and path.endswith(YAML_SUFFIXES)


def is_plan_file(path: str) -> bool:
    if path in (SETTINGS_FILE, IDENTIFY_FILE, GROUP_FILE):
        return True
    return is_event_file(path) or (
        path.startswith(CONTEXTS_DIR + "/") and path.endswith(YAML_SUFFIXES) and path.count("/") == 1
    )


OldDoc = Callable[[], dict[str, Any]] | None


def _events_changed(
    old_plan: Plan,
    after: Plan,
    old_paths: dict[str, str],
    write: Callable[[str, dict[str, Any], OldDoc], None],
    warnings: list[str],
    changes: dict[str, bytes | None],
) -> None:
    """Events added, removed, renamed or edited: the general case of `plan_files`."""
    old_events = old_plan.event_map()
    new_events = after.event_map()
    # Renames (same x-id, new name) keep their file, so history follows the event.
    old_by_id = {e.id: name for name, e in old_events.items() if e.id}
    taken = {p.lower() for p in old_paths.values()}
    for name in sorted(old_events.keys() - new_events.keys()):
        taken.discard(old_paths[name].lower())
    reused: set[str] = set()
    for name, event in sorted(new_events.items()):
        old = old_events.get(name)
        if old is not None:
            if old != event:
                write(old_paths[name], event.to_json(), old.to_json)
            continue
        renamed_from = old_by_id.get(event.id) if event.id else None
        if renamed_from and renamed_from not in new_events and renamed_from not in reused:
            reused.add(renamed_from)
            path = old_paths[renamed_from]
            taken.add(path.lower())
            write(path, event.to_json(), old_events[renamed_from].to_json)
            continue
        path = event_path(name, taken, after.settings.events_layout == "sharded")
        if not path.endswith(f"/{slugify(name)}.yaml"):
            warnings.append(f"event {name!r} shares its file name with another event; written to {path}")
        taken.add(path.lower())
        write(path, event.to_json(), None)
    for name in sorted(old_events.keys() - new_events.keys()):
        if name not in reused:
            changes.setdefault(old_paths[name], None)


def parse_document(data: bytes, path: str) -> Any:
    if path.endswith(".json"):
        try:
            return json.loads(data)
        except (ValueError, UnicodeDecodeError) as exc:
            raise InputError(f"{path}: invalid JSON: {exc}") from None
    return yamlio.load(data, path)


def build_plan(blob_ids: Mapping[str, str], load_doc: DocLoader) -> LoadedPlan:
    """A plan from the plan files of a tree ({relative path: blob id}), titles read from
    the documents themselves."""

    def title_of(path: str, blob_id: str) -> str | None:
        doc = load_doc(path, blob_id)
        title = doc.get("title") if isinstance(doc, Mapping) else None
        return title if isinstance(title, str) and title.strip() else None

    return LoadedPlan(blob_ids, title_of, load_doc)


def plan_files(
    before: LoadedPlan | None,
    after: Plan,
    read_text: Callable[[str], str] | None = None,
    docs: dict[str, tuple[Any, bool]] | None = None,
    is_canonical: Callable[[str], bool] = lambda path: False,
    old_plan: Plan | None = None,
) -> tuple[dict[str, bytes | None], list[str]]:
    """The files to write to turn `before` into `after`: {path: bytes, or None to delete}.

    Only parts whose model changed are rendered, so cost follows the change. Files that
    people wrote are rewritten in place, keeping comments, when `read_text` is given;
    `is_canonical(path)` says a file is known to be exactly the tool's own dump (no need
    to read it). `docs` receives {path: (document, written as a canonical dump)}.
    `old_plan` stands for `before.plan` when only part of the plan changes: the same events
    before and after, with everything else left alone.
    """
    if old_plan is None:
        old_plan = before.plan if before else Plan()
    old_paths = dict(before.event_paths) if before else {}
    changes: dict[str, bytes | None] = {}
    warnings: list[str] = []

    def write(path: str, doc: dict[str, Any], old_doc: OldDoc) -> None:
        """`old_doc` renders the previous document, only when it is needed."""
        text = yamlio.dump(doc)
        canonical = True
        # A file still exactly as the tool wrote it has nothing to keep: skip the slow
        # round-trip parser. Anything people edited is rewritten in place.
        if old_doc is not None and read_text is not None and not is_canonical(path):
            original = read_text(path)
            if original != yamlio.dump(old_doc()):
                text, canonical = yamlio.rewrite(original, doc), False
        changes[path] = text.encode()
        if docs is not None:
            docs[path] = (doc, canonical)

    if old_plan.settings != after.settings:
        existed = before is not None and SETTINGS_FILE in before.blob_ids
        doc = after.settings.to_json()
        if existed and read_text is not None:
            written = yamlio.load(read_text(SETTINGS_FILE), SETTINGS_FILE)
            if isinstance(written, dict):
                doc = after.settings.edit(written, old_plan.settings)
        write(SETTINGS_FILE, doc, old_plan.settings.to_json if existed else None)

    if len(old_plan.events) == len(after.events) and all(
        a is b or a.name == b.name for a, b in zip(old_plan.events, after.events, strict=True)
    ):
        # Same events, some edited (the common case): no maps, no renames to look for.
        for old, event in zip(old_plan.events, after.events, strict=True):
            if old is not event and old != event:
                write(old_paths[old.name], event.to_json(), old.to_json)
    else:
        _events_changed(old_plan, after, old_paths, write, warnings, changes)

    for path, old_trait, new_trait in (
        (IDENTIFY_FILE, old_plan.identify, after.identify),
        (GROUP_FILE, old_plan.group, after.group),
    ):
        if old_trait != new_trait:
            if new_trait is None:
                changes[path] = None
            else:
                write(path, new_trait.to_json(), old_trait.to_json if old_trait else None)

    old_contexts = dict(old_plan.contexts)
    new_contexts = dict(after.contexts)
    for source in sorted(old_contexts.keys() | new_contexts.keys()):
        old_ctx, new_ctx = old_contexts.get(source), new_contexts.get(source)
        if old_ctx == new_ctx:
            continue
        path = (before.context_paths.get(source) if before else None) or context_path(source)
        if new_ctx is None:
            changes[path] = None
        else:
            write(
                path,
                _context_doc(source, new_ctx),
                functools.partial(_context_doc, source, old_ctx) if old_ctx else None,
            )
    return changes, warnings


def _context_doc(source: str, context: Event) -> dict[str, Any]:
    return {**context.to_json(), "x-source": source}

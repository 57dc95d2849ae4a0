"""Writing a plan: the files that turn one plan into another, as bytes, keeping people's
comments and layout in the files that change."""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from typing import Any

from trackplan import yamlio
from trackplan.model import Event, Plan, Property
from trackplan.model.slugs import slugify
from trackplan.repo.parallel import Renderer
from trackplan.repo.paths import GROUP_FILE, IDENTIFY_FILE, SETTINGS_FILE, context_path, event_path
from trackplan.repo.reading import LoadedPlan

OldDoc = Callable[[], dict[str, Any]] | None
"""Renders a file's previous document, called only when that file must be compared."""
Write = Callable[[str, dict[str, Any], OldDoc], None]
"""(path, document, previous document) -> None: renders one file into the changes."""


class _SharedProperties:
    """Property documents by property object: an import links the events that use a property
    alike to one object, whose document is then made once (and pickled once per task)."""

    def __init__(self) -> None:
        self._docs: dict[int, tuple[Property, dict[str, Any]]] = {}  # the property kept: its id stays its own

    def __call__(self, prop: Property) -> dict[str, Any]:
        found = self._docs.get(id(prop))
        if found is None:
            found = self._docs[id(prop)] = (prop, prop.to_json())
        return found[1]


def _events_changed(
    old_plan: Plan,
    after: Plan,
    old_paths: dict[str, str],
    write: Write,
    warnings: list[str],
    changes: dict[str, bytes | None],
) -> None:
    """Events added, removed, renamed or edited: the general case of `plan_files`."""
    old_events = old_plan.event_map()
    new_events = after.event_map()
    # Renames (same x-id, new name) keep their file, so history follows the event.
    old_by_id = {e.id: name for name, e in old_events.items() if e.id}
    taken = _TakenPaths(old_paths.values())
    shared = _SharedProperties()
    for name in sorted(old_events.keys() - new_events.keys()):
        taken.discard(old_paths[name])
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
            taken.add(path)
            write(path, event.to_json(), old_events[renamed_from].to_json)
            continue
        path = taken.new_event_path(name, after.settings.events_layout == "sharded")
        if not path.endswith(f"/{slugify(name)}.yaml"):
            warnings.append(f"event {name!r} shares its file name with another event; written to {path}")
        taken.add(path)
        write(path, event.to_json(shared), None)
    for name in sorted(old_events.keys() - new_events.keys()):
        if name not in reused:
            changes.setdefault(old_paths[name], None)


class _TakenPaths:
    """The event paths in use, compared lower-cased (see paths.event_path). The plan's paths are
    searched in one lower-cased string rather than put into a set one by one: a 10,000-event
    plan gets one new event at a time. Paths hold no NUL, which separates them."""

    def __init__(self, old_paths: Iterable[str]) -> None:
        self._old = "\0" + "\0".join(old_paths).lower() + "\0"
        self._added: set[str] = set()
        self._removed: set[str] = set()

    def __contains__(self, path: str) -> bool:
        lowered = path.lower()
        return lowered in self._added or (lowered not in self._removed and f"\0{lowered}\0" in self._old)

    def add(self, path: str) -> None:
        self._added.add(path.lower())

    def discard(self, path: str) -> None:
        self._removed.add(path.lower())
        self._added.discard(path.lower())

    def new_event_path(self, name: str, sharded: bool) -> str:
        """event_path's answer for a new event, which asks only whether its plain path is taken."""
        plain = event_path(name, frozenset(), sharded)
        return event_path(name, {plain.lower()}, sharded) if plain in self else plain


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
    # Canonical dumps, rendered meanwhile (in workers for many new files): {path: place}.
    dumped: dict[str, int] = {}
    with Renderer(len(after.events) - len(old_plan.events)) as renderer:

        def write(path: str, doc: dict[str, Any], old_doc: OldDoc) -> None:
            """`old_doc` renders the previous document, only when it is needed."""
            canonical = True
            # A file still exactly as the tool wrote it has nothing to keep: skip the slow
            # round-trip parser. Anything people edited is rewritten in place.
            if old_doc is not None and read_text is not None and not is_canonical(path):
                original = read_text(path)
                if original != yamlio.dump(old_doc()):
                    changes[path], canonical = yamlio.rewrite(original, doc).encode(), False
                    dumped.pop(path, None)
            if canonical:
                changes[path] = b""  # its place in the order; the bytes come from the renderer
                dumped[path] = renderer.add(doc)
            if docs is not None:
                docs[path] = (doc, canonical)

        _all_changed(before, old_plan, after, old_paths, read_text, write, warnings, changes)
        rendered = renderer.results()
    for path, place in dumped.items():
        changes[path] = rendered[place]
    return changes, warnings


def _all_changed(
    before: LoadedPlan | None,
    old_plan: Plan,
    after: Plan,
    old_paths: dict[str, str],
    read_text: Callable[[str], str] | None,
    write: Write,
    warnings: list[str],
    changes: dict[str, bytes | None],
) -> None:
    """Every part of the plan that changed, written through `write` (see `plan_files`)."""
    if old_plan.settings != after.settings:
        _settings_changed(before, old_plan, after, read_text, write)

    if len(old_plan.events) == len(after.events) and all(
        a is b or a.name == b.name for a, b in zip(old_plan.events, after.events, strict=True)
    ):
        # Same events, some edited (the common case): no maps, no renames to look for.
        for old, event in zip(old_plan.events, after.events, strict=True):
            if old is not event and old != event:
                write(old_paths[old.name], event.to_json(), old.to_json)
    else:
        _events_changed(old_plan, after, old_paths, write, warnings, changes)

    _traits_changed(old_plan, after, write, changes)
    _contexts_changed(before, old_plan, after, write, changes)


def _traits_changed(old_plan: Plan, after: Plan, write: Write, changes: dict[str, bytes | None]) -> None:
    """identify.yaml and group.yaml, written or removed with their traits."""
    for path, old_trait, new_trait in (
        (IDENTIFY_FILE, old_plan.identify, after.identify),
        (GROUP_FILE, old_plan.group, after.group),
    ):
        if old_trait != new_trait:
            if new_trait is None:
                changes[path] = None
            else:
                write(path, new_trait.to_json(), old_trait.to_json if old_trait else None)


def _settings_changed(
    before: LoadedPlan | None,
    old_plan: Plan,
    after: Plan,
    read_text: Callable[[str], str] | None,
    write: Write,
) -> None:
    """trackplan.yaml, edited in place when it exists (people's keys, order and comments stay)."""
    existed = before is not None and SETTINGS_FILE in before.blob_ids
    doc = after.settings.to_json()
    if existed and read_text is not None:
        written = yamlio.load(read_text(SETTINGS_FILE), SETTINGS_FILE)
        if isinstance(written, dict):
            doc = after.settings.edit(written, old_plan.settings)
    write(SETTINGS_FILE, doc, old_plan.settings.to_json if existed else None)


def _contexts_changed(
    before: LoadedPlan | None, old_plan: Plan, after: Plan, write: Write, changes: dict[str, bytes | None]
) -> None:
    """Context files added, edited or removed; an existing file keeps its path."""
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


def _context_doc(source: str, context: Event) -> dict[str, Any]:
    return {**context.to_json(), "x-source": source}

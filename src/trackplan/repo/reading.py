"""Reading a plan from the files of a tree: a lazy index of the plan's files, the settings,
and documents parsed from their bytes."""

from __future__ import annotations

import json
from collections.abc import Callable, Collection, Mapping
from functools import cached_property, partial
from typing import TYPE_CHECKING, Any

from trackplan.errors import InputError
from trackplan.memory import building
from trackplan.repo.paths import (
    CONTEXTS_DIR,
    GROUP_FILE,
    IDENTIFY_FILE,
    SETTINGS_FILE,
    is_event_file,
    is_plan_file,
    stem,
)

if TYPE_CHECKING:  # the model loads where a plan, an event or the settings are built: `show` builds none
    from trackplan.model import Event, Plan, Settings

DocLoader = Callable[[str, str], Any]
"""(path, blob id) -> parsed document; lets the caller add caching."""
TitleLoader = Callable[[str, str], str | None]
"""(path, blob id) -> the event's title, without building the event."""
EventMemoizer = Callable[[str, str, Callable[[], "Event"]], "Event"]
"""(path, blob id, build) -> the event of that file; lets the caller keep built events."""


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
        memoized: EventMemoizer | None = None,
        event_paths: Mapping[str, str] | None = None,
        read_blob: Callable[[str], bytes] | None = None,
    ) -> None:
        """`event_paths`: {name: path}, in any order, when an index of the tree knows them (each
        file then holds an event of its own name: no file is ignored); `read_blob`: a blob's
        bytes, for the line of a bad settings value."""
        self.blob_ids = dict(blob_ids)
        self._read_blob = read_blob
        self._memoized = memoized
        self._on_built = on_built
        self.prefetch = prefetch
        """Fetch every cached document at once, before reading many events one by one."""
        self.event_paths: dict[str, str] = {}
        self.warnings: list[str] = []
        self._load_doc = load_doc
        self._context_paths: dict[str, str] = {}
        if event_paths is not None:
            self.event_paths = dict(event_paths)
            return
        for path in sorted(self.blob_ids):
            if not is_event_file(path):
                continue
            name = title_of(path, self.blob_ids[path]) or stem(path)
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

    def document(self, path: str) -> Any:
        """The parsed document of one plan file: the one its event is built from."""
        return self._load_doc(path, self.blob_ids[path])

    def _event(self, path: str) -> Event:
        blob_id = self.blob_ids[path]
        if self._memoized is None:
            return event_from_document(self._load_doc(path, blob_id), path)
        return self._memoized(path, blob_id, lambda: event_from_document(self._load_doc(path, blob_id), path))

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
        if blob_id is None:
            return settings_from(None)
        read = self._read_blob
        return settings_from(self._load_doc(SETTINGS_FILE, blob_id), None if read is None else lambda: read(blob_id))

    def _build(self) -> Plan:
        self.prefetch()
        plan = self._plan_of([self._event(path) for path in sorted(self.event_paths.values())])
        self._on_built()
        return plan

    def part(self, paths: Collection[str]) -> Plan:
        """The plan with only the events of these files, in the plan's order (the paths' order),
        and its settings, traits and contexts: for a change that reads only those."""
        return self._plan_of([self._event(path) for path in sorted(paths)])

    def _plan_of(self, events: list[Event]) -> Plan:
        from trackplan.model import Plan

        traits = {p: self._event(p) for p in (IDENTIFY_FILE, GROUP_FILE) if p in self.blob_ids}
        contexts = []
        for path in sorted(p for p in self.blob_ids if p.startswith(CONTEXTS_DIR + "/")):
            if is_plan_file(path):
                event = self._event(path)
                source = str(event.extra.get("x-source") or stem(path))
                contexts.append((source, event.replace(extra=event.extra.without("x-source"))))
                self._context_paths[source] = path
        return Plan(
            settings=self.settings,
            events=tuple(events),
            identify=traits.get(IDENTIFY_FILE),
            group=traits.get(GROUP_FILE),
            contexts=tuple(contexts),
        )


def event_from_document(doc: Any, path: str) -> Event:
    """The event a parsed plan file holds, or one error naming the file (people write these
    files by hand: any value may have the wrong type)."""
    from trackplan.model import Event

    try:
        return Event.from_json(doc, name=stem(path))
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to read") from None
    except ValueError as exc:
        raise InputError(f"{path}: {exc}") from None
    except (TypeError, AttributeError, KeyError) as exc:
        raise InputError(f"{path}: a value of the wrong type ({type(exc).__name__}: {exc})") from None


def settings_from(doc: Any, text: Callable[[], bytes] | None = None) -> Settings:
    """The settings in a parsed trackplan.yaml (None: the defaults), or an error naming it; with
    `text` (the file's bytes), and the line of the value at fault, now or when it is used
    (`Settings.locate`)."""
    from trackplan.model.settings import SettingError, Settings, unlocated

    locate = unlocated if text is None else partial(_settings_place, text)
    try:
        return Settings.from_json(doc, locate)
    except SettingError as exc:
        raise InputError(f"{locate(exc.where)}: {exc}") from None
    except (ValueError, TypeError) as exc:
        raise InputError(f"{SETTINGS_FILE}: {exc}") from None


def _settings_place(text: Callable[[], bytes], where: tuple[str, ...]) -> str:
    """trackplan.yaml, with the line and column of a key path in it."""
    from trackplan import yamlio

    (position,) = yamlio.key_positions(text().decode("utf-8", "replace"), [where])
    return SETTINGS_FILE if position is None else f"{SETTINGS_FILE}:{position[0]}:{position[1]}"


def document_title(doc: Any) -> str | None:
    """An event document's title; None when it has none, or a blank one (the file name stands in)."""
    title = doc.get("title") if isinstance(doc, Mapping) else None
    return title if isinstance(title, str) and title.strip() else None


def parse_document(data: bytes, path: str) -> Any:
    from trackplan import yamlio  # loaded on the first parse: a read served by the cache parses nothing

    try:
        if path.endswith(".json"):
            return json.loads(data)
        return yamlio.load(data, path)
    except RecursionError:
        raise InputError(f"{path}: nested too deeply to read") from None
    except (ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{path}: invalid JSON: {exc}") from None


def build_plan(blob_ids: Mapping[str, str], load_doc: DocLoader) -> LoadedPlan:
    """A plan from the plan files of a tree ({relative path: blob id}), titles read from
    the documents themselves."""
    return LoadedPlan(blob_ids, lambda path, blob_id: document_title(load_doc(path, blob_id)), load_doc)

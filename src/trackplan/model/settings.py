"""trackplan.yaml as values: sources, destinations, domains and the plan-wide settings.

`Settings.edit` applies a change to the file as people wrote it, so their comments and order stay.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from trackplan.model.frozen import (
    EMPTY,
    FrozenDict,
    SetList,
    freeze,
    ordered_keys,
    thaw,
)

MAIN_ONLY = SetList(["main"])


@dataclass(frozen=True, order=True)
class Source:
    name: str
    id: str | None = None
    destinations: SetList = EMPTY
    # What a Snowplow source application says of itself besides its name.
    description: str | None = None
    owner: str | None = None
    app_ids: SetList = EMPTY


@dataclass(frozen=True, order=True)
class Destination:
    name: str
    id: str | None = None
    kind: str | None = None


@dataclass(frozen=True, order=True)
class Domain:
    name: str
    id: str | None = None
    github: str | None = None  # the CODEOWNERS owner of the domain's files: @org/team, @user or an email


SETTINGS_KEYS = ("name", "main_branch", "protected_branches", "events_layout", "sources", "destinations", "domains")
EVENTS_LAYOUTS = ("flat", "sharded")


class SettingError(ValueError):
    """A trackplan.yaml value the settings refuse; `where` is its key path (keys, and list
    indexes as digits), so a reader of the file's text can name its line."""

    def __init__(self, where: tuple[str, ...], message: str) -> None:
        super().__init__(message)
        self.where = where


class SettingTypeError(SettingError):
    """A trackplan.yaml key whose value has the wrong type; `key` says which."""

    def __init__(self, key: str, message: str) -> None:
        super().__init__((key,), message)
        self.key = key


Locator = Callable[[tuple[str, ...]], str]
"""A key path of trackplan.yaml -> where it is written: `trackplan.yaml:LINE:COL`."""


def unlocated(where: tuple[str, ...]) -> str:
    """The place of every key of settings not read from a file's text: the file alone."""
    return "trackplan.yaml"


def _is_list(value: Any) -> bool:
    return isinstance(value, tuple | list | SetList)


def _is_string_list(value: Any) -> bool:
    return _is_list(value) and all(isinstance(item, str) for item in value)


# A publishing integration names the variable holding its signing secret (secret_env), never the secret.
_SECRET_KEYS = frozenset({"secret", "token", "password"})


def _is_integration_list(value: Any) -> bool:
    return _is_list(value) and all(isinstance(item, Mapping) and not _SECRET_KEYS & set(item) for item in value)


# People write trackplan.yaml by hand: each key read here, with the type it must have.
SETTINGS_TYPES: tuple[tuple[str, Callable[[Any], bool], str], ...] = (
    ("name", lambda v: isinstance(v, str | int | float) and not isinstance(v, bool), "a string"),
    ("main_branch", lambda v: isinstance(v, str), "a string"),
    ("protected_branches", _is_string_list, "a list of branch names"),
    ("events_layout", lambda v: isinstance(v, str), "a string"),
    ("sources", _is_list, "a list"),
    ("destinations", _is_list, "a list"),
    ("domains", _is_list, "a list"),
    ("publishing", _is_integration_list, "a list of integrations whose signing secret is named by secret_env"),
)


@dataclass(frozen=True)
class Settings:
    """trackplan.yaml: plan-wide settings. Unknown keys are kept in `raw`."""

    name: str = "Tracking plan"
    main_branch: str = "main"
    protected_branches: SetList = MAIN_ONLY
    sources: tuple[Source, ...] = ()
    destinations: tuple[Destination, ...] = ()
    domains: tuple[Domain, ...] = ()
    events_layout: str = "flat"
    raw: FrozenDict = field(default_factory=FrozenDict)
    # Where each key was written, for errors about a value found only when it is used.
    locate: Locator = field(default=unlocated, compare=False, repr=False)

    @classmethod
    def from_json(cls, doc: Mapping[str, Any] | None, locate: Locator = unlocated) -> Settings:
        if not isinstance(doc or {}, Mapping):
            raise ValueError("trackplan.yaml must be a mapping")
        doc = FrozenDict(freeze(doc or {}))
        for key, check, kind in SETTINGS_TYPES:
            if doc.get(key) is not None and not check(doc[key]):
                raise SettingTypeError(key, f"{key} must be {kind}, not {json.dumps(thaw(doc[key]), default=str)}")
        main = str(doc.get("main_branch") or "main")
        protected = doc.get("protected_branches")
        events_layout = doc.get("events_layout") or "flat"
        if events_layout not in EVENTS_LAYOUTS:
            raise SettingError(
                ("events_layout",), f"events_layout: {events_layout!r} is not one of {', '.join(EVENTS_LAYOUTS)}"
            )
        return cls(
            name=str(doc.get("name") or "Tracking plan"),
            main_branch=main,
            protected_branches=SetList([main] if protected is None else map(str, protected)),
            sources=tuple(sorted(_named(Source, "sources", doc.get("sources")))),
            destinations=tuple(sorted(_named(Destination, "destinations", doc.get("destinations")))),
            domains=tuple(sorted(_named(Domain, "domains", doc.get("domains")))),
            events_layout=events_layout,
            raw=doc.without(*SETTINGS_KEYS),
            locate=locate,
        )

    def to_json(self) -> dict[str, Any]:
        doc = thaw(self.raw)
        doc["name"] = self.name
        doc["main_branch"] = self.main_branch
        doc["protected_branches"] = list(self.protected_branches)
        if self.events_layout != "flat":  # the default stays unwritten, as before the option existed
            doc["events_layout"] = self.events_layout
        doc["sources"] = [_named_json(s) for s in self.sources]
        doc["destinations"] = [_named_json(d) for d in self.destinations]
        doc["domains"] = [_named_json(d) for d in self.domains]
        return ordered_keys(doc, SETTINGS_KEYS)

    def edit(self, written: Mapping[str, Any], old: Settings) -> dict[str, Any]:
        """trackplan.yaml as people wrote it (`written`), with what changed from `old` to these
        settings applied: named entries keep their order and form and new ones go last, so
        a rewrite keeps the file's comments and layout."""
        doc = dict(written)
        before, after = old.to_json(), self.to_json()
        # In the settings' own key order: keys new to the file are added deterministically.
        for key in [*after, *(k for k in before if k not in after)]:
            if before.get(key) == after.get(key):
                continue
            if key in ("sources", "destinations", "domains") and isinstance(doc.get(key), list):
                doc[key] = _edited_entries(doc[key], getattr(old, key), getattr(self, key))
            elif key in after:
                doc[key] = after[key]
            else:
                doc.pop(key, None)
        return doc

    @property
    def source_names(self) -> list[str]:
        return [s.name for s in self.sources]

    @property
    def domain_names(self) -> list[str]:
        return [d.name for d in self.domains]

    def get(self, key: str, default: Any = None) -> Any:
        return self.raw.get(key, default)


def _named(kind: type[Any], key: str, items: Any) -> list[Any]:
    out = []
    for index, item in enumerate(items or ()):
        if isinstance(item, str):
            out.append(kind(name=item))
        elif isinstance(item, Mapping) and isinstance(item.get("name"), str) and item["name"]:
            fields = {k: v for k, v in item.items() if k in kind.__dataclass_fields__}
            for field_name in ("destinations", "app_ids"):
                if field_name in fields:
                    fields[field_name] = SetList(fields[field_name] or ())
            for field_name in ("description", "owner", "github"):
                if fields.get(field_name) is not None and not isinstance(fields[field_name], str):
                    where = (key, str(index), field_name)
                    raise SettingError(where, f"{key}: {item['name']}: {field_name} must be a string")
            out.append(kind(**fields))
        else:
            raise SettingError((key, str(index)), f"each of {key} needs a name: {thaw(item)!r}")
    return out


def _edited_entries(written: list[Any], old: tuple[Any, ...], new: tuple[Any, ...]) -> list[Any]:
    """A list of named entries as written, with entries removed, changed or added."""
    old_by_name = {item.name: item for item in old}
    new_by_name = {item.name: item for item in new}
    out = []
    for entry in written:
        name = entry.get("name") if isinstance(entry, Mapping) else entry
        if name not in new_by_name:
            continue
        same = old_by_name.get(name) == new_by_name[name]
        out.append(entry if same else _named_json(new_by_name[name]))
    as_mappings = bool(written) and all(isinstance(entry, Mapping) for entry in written)
    for item in new:
        if item.name not in old_by_name:
            entry = _named_json(item)
            # In the form of the entries already there.
            out.append({"name": entry} if as_mappings and isinstance(entry, str) else entry)
    return out


def _named_json(item: Any) -> Any:
    fields = {
        k: (list(v) if isinstance(v, tuple) else v) for k, v in item.__dict__.items() if v not in (None, (), SetList())
    }
    return fields["name"] if list(fields) == ["name"] else fields

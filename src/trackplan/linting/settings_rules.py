"""Rules over trackplan.yaml itself, each finding at its key: the file parses (TP101), each key
has its type (TP129), every key is one trackplan reads (TP131), and a setting with a fixed set
of values holds one of them (TP132), with the closest value or key suggested."""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import fields
from typing import Any

from trackplan import yamlio
from trackplan.diffing.profiles import PROFILES, SEVERITIES
from trackplan.diffing.rules import RULES as CHANGE_RULES
from trackplan.errors import InputError
from trackplan.importing.merge import PROPERTY_SCOPES
from trackplan.linting.file_rules import CONVENTIONS
from trackplan.linting.findings import LEVELS, Finding, parse_error
from trackplan.linting.rules import RULES as LINT_RULES
from trackplan.model import EVENTS_LAYOUTS, Destination, Domain, Settings, Source
from trackplan.model.settings import SETTINGS_TYPES, SettingTypeError
from trackplan.repo.paths import SETTINGS_FILE

CONVENTION_NAMES = tuple(CONVENTIONS)
LINT_LEVELS = (*LEVELS, "off")

Keys = Mapping[str, "Keys | None"]  # the keys a mapping may hold; None: any value, unchecked


def _entry_keys(kind: type[Any]) -> Keys:
    """The keys of one named entry (`sources`, `destinations`, `domains`): the model's fields."""
    return {field.name: None for field in fields(kind)}


# Every key trackplan reads, and under the mappings it reads into, their keys. A list of
# mappings is checked entry by entry against its keys. A new setting is added here.
KNOWN_KEYS: Keys = {
    "name": None,
    "main_branch": None,
    "protected_branches": None,
    "events_layout": None,
    "sources": _entry_keys(Source),
    "destinations": _entry_keys(Destination),
    "domains": _entry_keys(Domain),
    "vendor": None,
    "breaking_profile": None,
    "breaking_severity": None,
    "property_scope": None,
    "naming": {"events": None, "properties": None},
    "lint": {
        "rules": None,
        "descriptions": {"events": None, "properties": None},
        "suppress": {"rule": None, "file": None, "event": None, "reason": None},
        "flat_events_max": None,
    },
    "publishing": None,
    "owners": None,  # who may own a tracking plan (TP145)
}

# The settings of a fixed set of values, and the values.
CHOICES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("breaking_profile", PROFILES),
    ("events_layout", EVENTS_LAYOUTS),
    ("property_scope", PROPERTY_SCOPES),
)


def settings_findings(text: str) -> tuple[Settings | None, list[Finding]]:
    """The plan's settings and trackplan.yaml's findings (unpositioned). The settings are None
    when the file cannot configure a lint: it does not parse, a key has the wrong type, or
    `events_layout` names no layout."""
    try:
        doc = yamlio.load(text, SETTINGS_FILE)
    except InputError as exc:
        return None, [parse_error(SETTINGS_FILE, exc)]
    if doc is None:
        doc = {}
    if not isinstance(doc, dict):
        return None, [Finding.of("TP101", SETTINGS_FILE, "trackplan.yaml must hold a mapping of settings")]
    found = [*_wrong_types(doc), *_unknown_keys(doc, KNOWN_KEYS, ()), *_bad_choices(doc)]
    if any(f.rule == "TP129" or f.where == ("events_layout",) for f in found):
        return None, found  # Settings.from_json refuses these: the plan cannot be linted with them
    try:
        return Settings.from_json(doc), found
    except (ValueError, TypeError) as exc:  # a named entry without a name, or a field of the wrong type
        return None, [*found, Finding.of("TP129", SETTINGS_FILE, str(exc))]


def _wrong_types(doc: Mapping[str, Any]) -> list[Finding]:
    """TP129 for every key of the wrong type; the settings model checks one key at a time."""
    found = []
    for key in (key for key, _, _ in SETTINGS_TYPES if doc.get(key) is not None):
        try:
            Settings.from_json({key: doc[key]})
        except SettingTypeError as exc:
            found.append(Finding.of("TP129", SETTINGS_FILE, str(exc), where=(exc.key,)))
        except ValueError:  # not a type: the whole file's reading reports it
            pass
    return found


def _unknown_keys(doc: Mapping[str, Any], known: Keys, at: tuple[str, ...]) -> Iterable[Finding]:
    for key, value in doc.items():
        where = (*at, str(key))
        if key not in known:
            close = _closest(str(key), tuple(known))
            hint = f"; did you mean `{'.'.join((*at, close))}`?" if close else ""
            yield Finding.of("TP131", SETTINGS_FILE, f"unknown key `{'.'.join(where)}`{hint}", where=where)
            continue
        keys = known[key]
        if keys is None:
            continue
        if isinstance(value, Mapping):
            yield from _unknown_keys(value, keys, where)
        elif isinstance(value, list):
            for i, entry in enumerate(value):
                if isinstance(entry, Mapping):
                    yield from _unknown_keys(entry, keys, (*where, str(i)))


def _bad_choices(doc: Mapping[str, Any]) -> Iterable[Finding]:
    for key, choices in CHOICES:
        if doc.get(key) is not None and doc[key] not in choices:
            yield _not_one_of((key,), doc[key], choices)
    lint = doc.get("lint")
    rules = lint.get("rules") if isinstance(lint, Mapping) else None
    yield from _rule_levels(("lint", "rules"), rules, "lint", tuple(LINT_RULES), LINT_LEVELS)
    yield from _rule_levels(
        ("breaking_severity",), doc.get("breaking_severity"), "change", tuple(CHANGE_RULES), SEVERITIES
    )
    naming = doc.get("naming")
    for kind, convention in naming.items() if isinstance(naming, Mapping) else ():
        if isinstance(convention, str) and convention not in CONVENTION_NAMES:
            yield from _naming(("naming", str(kind)), convention)


def _rule_levels(
    at: tuple[str, ...], levels: Any, catalogue: str, rule_ids: tuple[str, ...], choices: tuple[str, ...]
) -> Iterable[Finding]:
    """A mapping of rule id -> level: each id a rule of the catalogue, each level one of `choices`."""
    for rule, level in levels.items() if isinstance(levels, Mapping) else ():
        where = (*at, str(rule))
        if rule not in rule_ids:
            meant = f"; did you mean `{str(rule).upper()}`?" if str(rule).upper() in rule_ids else ""  # ids: only case
            message = f"{'.'.join(at)}: {_shown(rule)} is not a {catalogue} rule{meant}"
            yield Finding.of("TP132", SETTINGS_FILE, message, where=where)
        elif _level(level) not in choices:
            yield _not_one_of(where, level, choices)


def _level(value: Any) -> str:
    """A level as the configuration reads it: YAML 1.1 loads an unquoted `off` as false."""
    return "off" if value is False or str(value).lower() in ("off", "false", "none") else str(value).lower()


def _naming(where: tuple[str, ...], convention: str) -> Iterable[Finding]:
    """A naming convention is one of the named ones or a regular expression; a near miss of a
    name is a typo, not a pattern."""
    if _closest(convention, CONVENTION_NAMES) is not None:
        yield _not_one_of(where, convention, CONVENTION_NAMES)
        return
    try:
        re.compile(convention)
    except re.error as exc:
        message = f"{'.'.join(where)}: {_shown(convention)} is neither a convention nor a regular expression: {exc}"
        yield Finding.of("TP132", SETTINGS_FILE, message, where=where)


def _not_one_of(where: tuple[str, ...], value: Any, choices: tuple[str, ...]) -> Finding:
    message = f"{'.'.join(where)}: {_shown(value)} is not one of {', '.join(choices)}"
    return Finding.of("TP132", SETTINGS_FILE, message + _did_you_mean(str(value), choices), where=where)


def _did_you_mean(value: str, choices: tuple[str, ...]) -> str:
    close = _closest(value, choices)
    return f"; did you mean `{close}`?" if close is not None else ""


def _closest(value: str, choices: tuple[str, ...]) -> str | None:
    """The choice `value` most likely misspells: the same but for case, else the nearest."""
    same = [choice for choice in choices if choice.lower() == value.lower()]
    matches = same or difflib.get_close_matches(value, choices, n=1, cutoff=0.6)
    return matches[0] if matches else None


def _shown(value: Any) -> str:
    return f"`{value}`" if isinstance(value, str) else f"`{json.dumps(value, default=str)}`"

"""Rules that need the whole plan: duplicate event names, names that differ only in case, a
property with different types across events, user properties missing from identify.yaml, and
a flat events/ folder grown too large. They read a small `summary` of each event file, so
the per-file results they depend on can be cached."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from trackplan.linting.config import LintConfig
from trackplan.linting.findings import Finding
from trackplan.repo.paths import SETTINGS_FILE, is_event_file

Summaries = Mapping[str, Mapping[str, Any]]  # event file -> summary


def summary(doc: Mapping[str, Any]) -> dict[str, Any]:
    """What the plan rules need of an event: its title, each property's JSON type, and its user properties."""
    found = doc.get("properties")
    props: dict[str, Any] = found if isinstance(found, dict) else {}
    return {
        "title": str(doc.get("title") or ""),
        "types": {str(k): json.dumps(v.get("type")) for k, v in props.items() if isinstance(v, dict)},
        "user": [str(k) for k, v in props.items() if isinstance(v, dict) and v.get("x-send-as") == "UserProperty"],
    }


def plan_findings(summaries: Summaries, identify: Mapping[str, Any] | None, plan_wide: bool = True) -> list[Finding]:
    """The cross-file rules over every event's summary and identify.yaml's traits. Types that
    differ across events are drift only where a property name is one plan-wide definition."""
    by_title: dict[str, list[str]] = {}
    for path, event in sorted(summaries.items()):
        by_title.setdefault(event["title"], []).append(path)
    traits = (identify or {}).get("properties") or {}
    return [
        *_duplicate_titles(by_title),
        *_case_collisions(by_title),
        *(_property_drift(summaries) if plan_wide else ()),
        *_user_properties(summaries, traits),
    ]


def _duplicate_titles(by_title: Mapping[str, list[str]]) -> Iterable[Finding]:
    for title, paths in by_title.items():
        for path in paths[1:]:
            message = f"event `{title}` is also defined in {paths[0]}"
            yield Finding.of("TP104", path, message, event=title, where=("title",))


def _case_collisions(by_title: Mapping[str, list[str]]) -> Iterable[Finding]:
    folded: dict[str, set[str]] = {}
    for title in by_title:
        folded.setdefault(title.casefold(), set()).add(title)
    for names in folded.values():
        for name in sorted(names)[1:]:
            others = ", ".join(f"`{n}`" for n in sorted(names) if n != name)
            message = f"event `{name}` collides with {others} when case is ignored"
            yield Finding.of("TP117", by_title[name][0], message, event=name, where=("title",))


def _property_drift(summaries: Summaries) -> Iterable[Finding]:
    types: dict[str, dict[str, list[str]]] = {}
    for _, event in sorted(summaries.items()):
        for prop, kind in event["types"].items():
            types.setdefault(prop, {}).setdefault(kind, []).append(event["title"])
    for prop, kinds in sorted(types.items()):
        if len(kinds) > 1:
            detail = "; ".join(f"{k}: {', '.join(sorted(v))}" for k, v in sorted(kinds.items()))
            first = min(path for path, event in summaries.items() if prop in event["types"])
            message = f"property `{prop}` has different types across events ({detail})"
            yield Finding.of("TP116", first, message, event=summaries[first]["title"], where=("properties", prop))


def _user_properties(summaries: Summaries, traits: Mapping[str, Any]) -> Iterable[Finding]:
    for path, event in sorted(summaries.items()):
        for prop in event["user"]:
            trait = traits.get(prop)
            here = event["types"].get(prop)
            if not isinstance(trait, dict):
                message = f"user property `{prop}` is not a trait in identify.yaml"
            elif json.dumps(trait.get("type")) != (here or "null"):
                message = (
                    f"user property `{prop}` has type {here} here but {json.dumps(trait.get('type'))} in identify.yaml"
                )
            else:
                continue
            yield Finding.of("TP124", path, message, event=event["title"], where=("properties", prop))


def large_flat_folder(paths: Iterable[str], config: LintConfig) -> list[Finding]:
    """TP128 when a flat plan keeps more event files in events/ than `lint.flat_events_max`."""
    flat = sum(1 for path in paths if is_event_file(path) and path.count("/") == 1)
    if config.events_layout != "flat" or flat <= config.flat_events_max:
        return []
    message = (
        f"events/ holds {flat} event files in one folder (more than {config.flat_events_max}); "
        "GitHub lists 1,000 files of a folder, and every commit and diff handles the whole folder"
    )
    return [Finding.of("TP128", SETTINGS_FILE, message)]

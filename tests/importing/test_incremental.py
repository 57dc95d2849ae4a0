"""A re-import that follows the change must leave exactly what the full import leaves."""

from __future__ import annotations

import copy
import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest

from trackplan.importing import run as imports
from trackplan.importing.incremental import incremental
from trackplan.importing.run import ImportOutcome, ImportRequest, run_import
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace

PROPERTIES = ["order_id", "price", "currency", "plan", "screen", "coupon", "quantity"]
SOURCES = ["web", "ios", "android"]


def avo_export(rng: random.Random, n: int) -> dict[str, Any]:
    definitions: dict[str, dict[str, Any]] = {
        "order_id": {"type": "string", "pattern": "^ord_"},
        "price": {"type": "number", "minimum": 0},
        "currency": {"type": "string", "enum": ["EUR", "USD"]},
        "plan": {"type": "string", "enum": ["free", "pro"]},
        "screen": {"type": "string"},
        "coupon": {"type": "string"},
        "quantity": {"type": "integer"},
    }
    events = []
    for i in range(n):
        chosen = rng.sample(PROPERTIES, rng.randint(1, 5))
        props = {p: {**definitions[p], "description": rng.choice([f"The {p}.", f"{p} again."])} for p in chosen}
        schemas: dict[str, Any] = {
            "properties": {"type": "object", "properties": props, "required": [p for p in chosen if rng.random() < 0.5]}
        }
        if rng.random() < 0.2:
            schemas["userProperties"] = {"type": "object", "properties": {"plan": definitions["plan"]}}
        events.append(
            {
                "id": f"evt_{i}",
                "name": f"Event {i}",
                "description": f"Event {i} happened.",
                "tags": rng.sample(["core", "revenue", "growth"], rng.randint(0, 2)),
                "sources": [{"id": s, "name": s} for s in rng.sample(SOURCES, rng.randint(1, 2))],
                "stakeholderDomains": [{"id": "d1", "name": rng.choice(["Growth", "Payments"]), "isOwner": True}],
                "rules": {"properties": schemas},
            }
        )
    return {"name": "Exported Tracking Plan: main", "events": events}


def event_level_change(rng: random.Random, event: dict[str, Any]) -> None:
    change = rng.choice(["description", "tags", "source", "owner", "mapping"])
    if change == "description":
        event["description"] += " Changed."
    elif change == "tags":
        event["tags"] = [*event["tags"], "new-tag"]
    elif change == "source":
        event["sources"] = [*event["sources"], {"id": "tv", "name": "tv"}]
    elif change == "owner":
        event["stakeholderDomains"] = [{"id": "d9", "name": "Platform", "isOwner": True}]
    else:
        event["rules"]["nameMapping"] = [{"name": event["name"].lower(), "destinationId": "amp"}]


def property_level_change(rng: random.Random, event: dict[str, Any]) -> None:
    schema = event["rules"]["properties"]["properties"]
    name = next(iter(schema["properties"]))
    change = rng.choice(["presence", "description", "new", "type"])
    if change == "presence":
        schema["required"] = [] if name in schema["required"] else [name]
    elif change == "description":
        schema["properties"][name]["description"] = "Redefined."
    elif change == "new":
        schema["properties"]["brand_new"] = {"type": "boolean"}
    else:
        schema["properties"][name]["type"] = "integer"


def import_into(root: Path, branch: str, export: dict[str, Any], method: str) -> ImportOutcome:
    data = json.dumps(export).encode()
    return run_import(Workspace(root), ImportRequest(data, "export.json", method=method, branch=branch))


def tree(root: Path, branch: str) -> str:
    ws = Workspace(root)
    subtree = ws.store.subtree_id(ws.store.resolve(branch), ws.prefix)
    assert subtree is not None
    return subtree


def summary(outcome: ImportOutcome) -> tuple[Any, ...]:
    diff = outcome.diff
    assert diff is not None
    changes = sorted((c.change_set, c.subject, c.message) for c in diff.changes)
    return outcome.result.counts(), outcome.result.warnings, outcome.changed_paths, changes


@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove"])
@pytest.mark.parametrize("seed", range(8))
def test_reimport_equals_the_full_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, method: str, seed: int
) -> None:
    rng = random.Random(seed)
    first = avo_export(rng, 30)
    second = copy.deepcopy(first)
    for event in rng.sample(second["events"], rng.randint(0, 6)):
        event_level_change(rng, event)
    event_level_only = seed % 4 != 3
    if not event_level_only:  # changes the incremental path must hand to the full import
        for event in rng.sample(second["events"], 2):
            property_level_change(rng, event)
        if rng.random() < 0.5:
            second["events"].pop(rng.randrange(len(second["events"])))

    root = tmp_path / "plan"
    init_plan(root, with_examples=False)
    used: list[bool] = []
    original = incremental

    def spy(*args: Any) -> Any:
        found = original(*args)
        used.append(found is not None)
        return found

    monkeypatch.setattr(imports, "incremental", spy)
    import_into(root, "quick", first, method)
    quick = import_into(root, "quick", second, method)
    assert used[-1] == event_level_only

    monkeypatch.setattr(imports, "incremental", lambda *args: None)
    import_into(root, "full", first, method)
    full = import_into(root, "full", second, method)

    assert tree(root, "quick") == tree(root, "full")
    assert summary(quick) == summary(full)


def imported(tmp_path: Path, export: dict[str, Any]) -> Path:
    """A plan whose branch `b` holds an addAndUpdate import of `export`."""
    root = tmp_path / "plan"
    init_plan(root, with_examples=False)
    import_into(root, "b", export, "addAndUpdate")
    return root


def test_repeat_import_takes_the_quick_path_and_changes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = avo_export(random.Random(1), 20)
    root = imported(tmp_path, export)
    head = Workspace(root).store.resolve("b")
    monkeypatch.setattr(imports, "read_source", lambda *a: pytest.fail("the whole file was read"))
    again = import_into(root, "b", export, "addAndUpdate")
    assert again.commit is None and again.changed_paths == ()
    assert Workspace(root).store.resolve("b") == head


def test_a_plan_edited_since_the_last_import_gets_the_full_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    export = avo_export(random.Random(2), 10)
    root = imported(tmp_path, export)
    ws = Workspace(root)
    before = ws.load("b")
    edited = before.plan.replace(events=tuple(e.replace(description="Edited.") for e in before.plan.events))
    ws.commit_plan("b", ws.store.resolve("b"), before, edited, "edit by hand")
    export["events"][0]["description"] = "From Avo."
    used: list[bool] = []
    original = incremental
    monkeypatch.setattr(imports, "incremental", lambda *a: used.append(original(*a) is not None))
    import_into(root, "b", export, "addAndUpdate")
    assert True not in used


def as_json_schema(export: dict[str, Any]) -> dict[str, Any]:
    """The events of an Avo export as the standard JSON Schema (its `properties` rules)."""
    events = {}
    for event in export["events"]:
        rules = event["rules"]["properties"]["properties"]
        events[event["name"]] = {
            "description": event["description"],
            "type": "object",
            "properties": rules["properties"],
            "required": rules["required"],
        }
    return {"schema": {"events": events}}


def scoped_plan(root: Path, scope: str | None) -> None:
    """A new plan at `root` whose trackplan.yaml sets `property_scope: scope` (None: no setting)."""
    init_plan(root, with_examples=False)
    if scope is None:
        return
    ws = Workspace(root)
    before = ws.load("main")
    settings = before.plan.settings
    edited = before.plan.replace(settings=dataclasses.replace(settings, raw=settings.raw.set("property_scope", scope)))
    assert ws.commit_plan("main", ws.store.resolve("main"), before, edited, "property_scope").commit


@pytest.mark.parametrize("scope", [None, "event"])
@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove"])
@pytest.mark.parametrize("seed", range(6))
def test_json_schema_reimport_equals_the_full_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scope: str | None, method: str, seed: int
) -> None:
    rng = random.Random(seed)
    first = avo_export(rng, 30)
    second = copy.deepcopy(first)
    for event in rng.sample(second["events"], rng.randint(0, 6)):
        event["description"] += " Changed."
    property_changes = seed % 3 == 1
    if property_changes:  # the plan-wide model needs the full import for these; the per-event one does not
        for event in rng.sample(second["events"], 2):
            property_level_change(rng, event)
    removed = seed % 3 == 2 and rng.random() < 0.7
    if removed:
        second["events"].pop(rng.randrange(len(second["events"])))

    root = tmp_path / "plan"
    scoped_plan(root, scope)
    used: list[bool] = []
    original = incremental

    def spy(*args: Any) -> Any:
        found = original(*args)
        used.append(found is not None)
        return found

    def import_schema(branch: str, export: dict[str, Any]) -> ImportOutcome:
        data = json.dumps(as_json_schema(export)).encode()
        return run_import(Workspace(root), ImportRequest(data, "plan.json", method=method, branch=branch))

    monkeypatch.setattr(imports, "incremental", spy)
    import_schema("quick", first)
    quick = import_schema("quick", second)
    assert used[-1] == (not removed and (scope == "event" or not property_changes))

    monkeypatch.setattr(imports, "incremental", lambda *args: None)
    import_schema("full", first)
    full = import_schema("full", second)

    assert tree(root, "quick") == tree(root, "full")
    assert summary(quick) == summary(full)
    assert quick.format == full.format == "jsonschema"


def test_a_note_is_kept_per_format(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The same plan imported as an Avo export, then as JSON Schema: no note of the other format is used."""
    export = avo_export(random.Random(3), 10)
    root = imported(tmp_path, export)
    used: list[bool] = []
    original = incremental
    monkeypatch.setattr(imports, "incremental", lambda *a: used.append(original(*a) is not None))
    data = json.dumps(as_json_schema(export)).encode()
    run_import(Workspace(root), ImportRequest(data, "plan.json", method="addAndUpdate", branch="b"))
    assert True not in used

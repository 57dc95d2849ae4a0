"""A server's import reads only the events it touches (importing/trees.py): it must commit
exactly what the import of the whole plan commits, warnings and removals included."""

from __future__ import annotations

import dataclasses
import json
import random
from pathlib import Path
from typing import Any

import pytest

from trackplan.importing import run as imports
from trackplan.importing import trees
from trackplan.importing.run import ImportOutcome, ImportRequest, run_import
from trackplan.repo.cache import EventMemo
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace

DEFINITIONS: dict[str, dict[str, Any]] = {
    "order_id": {"type": "string", "pattern": "^ord_"},
    "price": {"type": "number", "minimum": 0},
    "currency": {"type": "string", "enum": ["EUR", "USD"]},
    "plan": {"type": "string", "enum": ["free", "pro"]},
    "screen": {"type": "string"},
    "coupon": {"type": "string"},
}


def schema_file(rng: random.Random, names: list[str]) -> bytes:
    """A standard JSON Schema with events `names`, each with a few properties, defined a bit
    differently from one file to the next (descriptions, types, enums, presence)."""
    events = {}
    for name in names:
        chosen = rng.sample(sorted(DEFINITIONS), rng.randint(0, 4))
        props = {}
        for prop in chosen:
            spec = dict(DEFINITIONS[prop], description=rng.choice([f"The {prop}.", f"{prop}, redefined."]))
            if rng.random() < 0.2:
                spec = {"type": "integer", "description": spec["description"]}
            if prop in ("currency", "plan") and rng.random() < 0.3:
                spec["enum"] = [*spec.get("enum", []), "other"]
            props[prop] = spec
        events[name] = {
            "description": rng.choice([f"{name} happened.", f"{name}, again."]),
            "type": "object",
            "properties": props,
            "required": [p for p in chosen if rng.random() < 0.5],
        }
    return json.dumps({"schema": {"events": events}}).encode()


def tree(ws: Workspace, branch: str) -> str | None:
    return ws.store.subtree_id(ws.store.resolve(branch), ws.prefix)


def summary(outcome: ImportOutcome) -> tuple[Any, ...]:
    changes = sorted((c.change_set, c.subject, c.message) for c in outcome.diff.changes)
    return (
        outcome.result.counts(),
        outcome.result.removed_events,
        outcome.result.warnings,
        outcome.changed_paths,
        changes,
    )


def seeded(root: Path, scope: str | None, rng: random.Random) -> None:
    init_plan(root, with_examples=False)
    ws = Workspace(root)
    if scope is not None:
        before = ws.load("main")
        settings = before.plan.settings
        raw = settings.raw.set("property_scope", scope)
        edited = before.plan.replace(settings=dataclasses.replace(settings, raw=raw))
        assert ws.commit_plan("main", ws.store.resolve("main"), before, edited, "property_scope").commit
    data = schema_file(rng, [f"Event {i}" for i in range(25)])
    seed = run_import(ws, ImportRequest(data, "seed.json", method="addAndUpdate", branch="seed")).commit
    assert seed is not None
    for branch in ("served", "plain", "b"):
        ws.store.create_branch(branch, seed)


@pytest.mark.parametrize("scope", [None, "event"])
@pytest.mark.parametrize("seed", range(5))
def test_a_served_import_commits_what_the_whole_plan_import_commits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scope: str | None, seed: int
) -> None:
    rng = random.Random(seed)
    root = tmp_path / "plan"
    seeded(root, scope, rng)
    served, plain = Workspace(root, memo=EventMemo()), Workspace(root)
    used: list[bool] = []
    original = trees.touched

    def spy(*args: Any) -> Any:
        found = original(*args)
        used.append(found is not None)
        return found

    monkeypatch.setattr(imports, "touched", spy)
    for step in range(10):
        names = rng.sample([f"Event {i}" for i in range(25)], rng.randint(1, 3))
        names += [f"New {step} {i}" for i in range(rng.randint(0, 2))]
        data = schema_file(rng, names)
        method = rng.choice(["addOnly", "addAndUpdate", "addUpdateAndRemove", "addUpdateAndRemove", "sync"])
        outcomes = [
            run_import(ws, ImportRequest(data, "one.json", method=method, branch=branch))
            for ws, branch in ((served, "served"), (plain, "plain"))
        ]
        assert tree(plain, "served") == tree(plain, "plain"), (step, method)
        assert summary(outcomes[0]) == summary(outcomes[1]), (step, method)
    # The first import into a tree builds its index; sync imports read the whole plan.
    assert used.count(True) >= 5


def test_a_commit_by_another_writer_is_read_whole_then_indexed(tmp_path: Path) -> None:
    root = tmp_path / "plan"
    seeded(root, None, random.Random(7))
    memo = EventMemo()
    rng = random.Random(8)
    first, second = schema_file(rng, ["Event 1"]), schema_file(rng, ["Event 2", "Event 3"])
    for ws, branch in ((Workspace(root, memo=memo), "served"), (Workspace(root), "plain")):
        run_import(ws, ImportRequest(first, "a.json", method="addAndUpdate", branch=branch))
        other = Workspace(root)  # the CLI edits Event 2 on the same branch
        before = other.load(branch)
        edited = [e.replace(description="By hand.") if e.name == "Event 2" else e for e in before.plan.events]
        other.commit_plan(
            branch, other.store.resolve(branch), before, before.plan.replace(events=tuple(edited)), "edit"
        )
        assert ws.memo is None or memo.index(tree(other, branch) or "") is None
        run_import(ws, ImportRequest(second, "b.json", method="addAndUpdate", branch=branch))
    ws = Workspace(root)
    assert tree(ws, "served") == tree(ws, "plain")
    assert memo.index(tree(ws, "served") or "") is not None


def test_a_source_no_setting_declares_is_declared_by_the_next_import_either_way(tmp_path: Path) -> None:
    """An event edited by hand to name an undeclared source: every import declares it (the
    merge counts the sources of all events), so a served import into that tree, indexed by an
    import into another branch, reads the whole plan."""
    root = tmp_path / "plan"
    seeded(root, None, random.Random(9))
    ws = Workspace(root)
    before = ws.load("plain")
    edited = [e.replace(sources=("tv",)) if e.name == "Event 5" else e for e in before.plan.events]
    stray = ws.commit_plan("plain", ws.store.resolve("plain"), before, before.plan.replace(events=tuple(edited)), "tv")
    assert stray.commit is not None
    for branch in ("indexed", "other"):
        ws.store.create_branch(branch, stray.commit)
    served = Workspace(root, memo=EventMemo())
    data = schema_file(random.Random(10), ["Event 4"])
    run_import(served, ImportRequest(data, "a.json", method="addOnly", branch="other"))
    outcomes = [
        run_import(target, ImportRequest(data, "a.json", method="addOnly", branch=branch))
        for target, branch in ((served, "indexed"), (Workspace(root), "plain"))
    ]
    assert [o.result.new_sources for o in outcomes] == [1, 1]
    assert tree(ws, "indexed") == tree(ws, "plain")

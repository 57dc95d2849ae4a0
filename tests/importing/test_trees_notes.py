"""A small import into a tree the server has indexed neither reads nor writes an import note:
only a whole-plan re-import can use one (importing/incremental.py), and a note costs what the
plan holds. A file of at least half the plan's events still reads and keeps them."""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.importing.test_trees import schema_file, seeded
from trackplan.importing import incremental
from trackplan.importing import run as imports
from trackplan.importing.run import ImportRequest, run_import
from trackplan.repo.cache import EventMemo
from trackplan.repo.workspace import Workspace


def _notes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each import does with notes: "read", "kept"."""
    seen: list[str] = []
    read, keep = incremental._read_note, incremental.remember

    def spied_read(*args: Any, **kwargs: Any) -> Any:
        seen.append("read")
        return read(*args, **kwargs)

    def spied_keep(*args: Any, **kwargs: Any) -> Any:
        seen.append("kept")
        return keep(*args, **kwargs)

    monkeypatch.setattr(incremental, "_read_note", spied_read)
    monkeypatch.setattr(imports, "remember", spied_keep)
    return seen


def test_a_small_import_into_an_indexed_tree_reads_and_keeps_no_note(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "plan"
    seeded(root, None, random.Random(11))
    served = Workspace(root, memo=EventMemo())
    rng = random.Random(12)
    run_import(served, ImportRequest(schema_file(rng, ["Event 1"]), "a.json", branch="served"))  # indexes the tree
    seen = _notes(monkeypatch)
    for step in range(3):
        data = schema_file(rng, [f"Small {step}"])
        run_import(served, ImportRequest(data, "a.json", method="addAndUpdate", branch="served"))
    assert seen == []
    names = [f"Event {i}" for i in range(25)]
    whole = schema_file(rng, names)
    assert len(json.loads(whole)["schema"]["events"]) * 2 >= 25
    run_import(served, ImportRequest(whole, "a.json", method="addAndUpdate", branch="served"))
    assert seen.count("read") >= 1 and seen.count("kept") == 1

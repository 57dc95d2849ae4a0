"""The notes a whole-plan import keeps: the raw split of the file, the tree's index they stand
in for, and the chain of notes that each hold only their changes."""

from __future__ import annotations

import copy
import json
import random
from pathlib import Path
from typing import Any

import pytest

from tests.importing.test_incremental import as_json_schema, avo_export, import_into, summary, tree
from trackplan.errors import InputError
from trackplan.formats.base import Incoming, InputFile
from trackplan.importing import incremental as notes
from trackplan.importing import run as imports
from trackplan.importing.run import ImportOutcome, ImportRequest, run_import
from trackplan.model import Plan
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace


def quick_and_full(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, files: list[bytes], name: str = "export.json"
) -> tuple[list[bool], list[ImportOutcome], list[ImportOutcome]]:
    """Import each file in turn into a new plan (`tmp_path/quick/plan`), then into another
    (`tmp_path/full/plan`) with the quick path off: which imports took the quick path, and
    both series of outcomes. The quick plan's notes are left as the quick imports wrote them."""
    used: list[bool] = []
    original = notes.incremental

    def spy(*args: Any) -> Any:
        found = original(*args)
        used.append(found is not None)
        return found

    def run(side: str) -> list[ImportOutcome]:
        root = tmp_path / side / "plan"
        init_plan(root, with_examples=False)
        ws = Workspace(root)
        return [run_import(ws, ImportRequest(data, name, method="addAndUpdate", branch="b")) for data in files]

    monkeypatch.setattr(imports, "incremental", spy)
    quick = run("quick")
    monkeypatch.setattr(imports, "incremental", lambda *args: None)
    full = run("full")
    return used, quick, full


def same_trees(tmp_path: Path) -> bool:
    return tree(tmp_path / "quick" / "plan", "b") == tree(tmp_path / "full" / "plan", "b")


def revisions(rng: random.Random, export: dict[str, Any], count: int) -> list[dict[str, Any]]:
    """`count` exports, each with a few descriptions changed from the one before."""
    out = [export]
    for revision in range(count):
        following = copy.deepcopy(out[-1])
        for event in rng.sample(following["events"], rng.randint(1, 4)):
            event["description"] += f" Revision {revision}."
        out.append(following)
    return out


@pytest.mark.parametrize("as_schema", [False, True])
def test_a_chain_of_quick_imports_past_the_deltas_equals_the_full_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_schema: bool
) -> None:
    rng = random.Random(11)
    exports = revisions(rng, avo_export(rng, 25), notes.DELTAS + 3)
    if as_schema:
        exports = [as_json_schema(e) for e in exports]
    used, quick, full = quick_and_full(tmp_path, monkeypatch, [json.dumps(e).encode() for e in exports])
    assert used == [True] * (len(exports) - 1)
    assert [summary(q) for q in quick] == [summary(f) for f in full]
    assert same_trees(tmp_path)
    root = tmp_path / "quick" / "plan"
    ws = Workspace(root)
    left = tree(root, "b")
    fmt = "jsonschema" if as_schema else "avo-json"
    split = notes.fingerprints(InputFile(json.dumps(exports[-1]).encode(), "export.json"), fmt)
    note = notes.recall(ws, left, split, "addAndUpdate")
    assert note is not None
    assert note.depth == len(exports) - 1 - (notes.DELTAS + 1)  # a whole note after DELTAS deltas
    assert (note.blobs, note.paths) == (ws.load("b").blob_ids, ws.load("b").event_paths)


def test_the_note_indexes_its_tree_as_a_load_does(tmp_path: Path) -> None:
    """After full and quick imports, renames (same id, new name) and removals among them."""
    rng = random.Random(5)
    first = avo_export(rng, 20)
    second = copy.deepcopy(first)
    second["events"][3]["name"] = "Renamed event"
    del second["events"][7]
    third = copy.deepcopy(second)
    third["events"][0]["description"] = "Changed again."
    fourth = copy.deepcopy(third)
    fourth["events"][1]["sources"].append({"id": "tv", "name": "tv"})  # a new source: trackplan.yaml rewritten too
    root = tmp_path / "plan"
    init_plan(root, with_examples=False, events_layout="sharded")
    for export in (first, second, third, fourth):
        import_into(root, "b", export, "addUpdateAndRemove")
        ws = Workspace(root)
        split = notes.fingerprints(InputFile(json.dumps(export).encode(), "export.json"), "avo-json")
        note = notes.recall(ws, tree(root, "b"), split, "addUpdateAndRemove")
        assert note is not None
        loaded = ws.load("b")
        assert note.paths == loaded.event_paths
        assert note.blobs == loaded.blob_ids
        indexed = notes.noted_plan(ws, note)
        assert indexed.blob_ids == loaded.blob_ids
        assert indexed.plan == loaded.plan


@pytest.mark.parametrize("rewrite", ["indented", "bom", "keys reordered"])
def test_a_file_written_differently_imports_as_the_full_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, rewrite: str
) -> None:
    rng = random.Random(7)
    first = avo_export(rng, 20)
    second = copy.deepcopy(first)
    second["events"][2]["description"] = "Changed."
    if rewrite == "indented":
        data = json.dumps(second, indent=2).encode()
    elif rewrite == "bom":
        data = b"\xef\xbb\xbf" + json.dumps(second).encode()
    else:
        data = json.dumps({**second, "events": [dict(reversed(e.items())) for e in second["events"]]}).encode()
    used, quick, full = quick_and_full(tmp_path, monkeypatch, [json.dumps(first).encode(), data])
    # Indented, every property-level part reads as changed too: the plan-wide model needs the full import.
    assert used == [rewrite != "indented"]
    assert [summary(q) for q in quick] == [summary(f) for f in full]
    assert same_trees(tmp_path)


@pytest.mark.parametrize("as_schema", [False, True])
def test_a_bad_changed_event_is_the_full_import_s_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, as_schema: bool
) -> None:
    rng = random.Random(9)
    first = avo_export(rng, 12)
    second = copy.deepcopy(first)
    second["events"][5]["tags"] = "not a list"
    if as_schema:
        first, second = as_json_schema(first), as_json_schema(second)
        second["schema"]["events"]["Event 5"]["required"] = "price"
    root = tmp_path / "plan"
    init_plan(root, with_examples=False)
    ws = Workspace(root)
    run_import(ws, ImportRequest(json.dumps(first).encode(), "export.json", method="addAndUpdate", branch="b"))
    head = ws.store.resolve("b")
    with pytest.raises(InputError) as quick:
        run_import(ws, ImportRequest(json.dumps(second).encode(), "export.json", method="addAndUpdate", branch="b"))
    monkeypatch.setattr(imports, "incremental", lambda *args: None)
    with pytest.raises(InputError) as full:
        run_import(ws, ImportRequest(json.dumps(second).encode(), "export.json", method="addAndUpdate", branch="b"))
    assert str(quick.value) == str(full.value)
    assert ws.store.resolve("b") == head


def test_a_plan_with_two_files_of_one_event_keeps_no_note(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A load warns of the second file and ignores it: only a load can say so, so no note stands in for it."""
    export = avo_export(random.Random(4), 8)
    root = tmp_path / "plan"
    init_plan(root, with_examples=False)
    import_into(root, "b", export, "addAndUpdate")
    ws = Workspace(root)
    path = ws.load("b").event_paths["Event 1"]
    data = ws.read_blob(ws.load("b").blob_ids[path])
    ws.store.commit_changes("b", ws.store.resolve("b"), {ws.repo_path("events/event-1-copy.yaml"): data}, "copy")
    import_into(root, "b", export, "addAndUpdate")
    split = notes.fingerprints(InputFile(json.dumps(export).encode(), "export.json"), "avo-json")
    assert notes.recall(ws, tree(root, "b"), split, "addAndUpdate") is None
    changed = copy.deepcopy(export)
    changed["events"][0]["description"] = "Changed."
    again = import_into(root, "b", changed, "addAndUpdate")
    assert again.result.updated_events == 1
    assert any("also defined in" in w for w in again.result.warnings)
    assert notes.recall(ws, tree(root, "b"), split, "addAndUpdate") is None


def test_fingerprints_split_without_parsing_and_refuse_other_shapes() -> None:
    export = avo_export(random.Random(2), 5)
    data = json.dumps(export).encode()
    split = notes.fingerprints(InputFile(data, "x.json"), "avo-json")
    assert split is not None
    assert [bytes(raw) for raw in split.raws] == [json.dumps(e).encode() for e in export["events"]]
    assert len(split.wholes) == 5 * notes.SIZE
    assert [d.name for d in split.every_detail()] == [f"Event {i}" for i in range(5)]
    assert [split.details(i) for i in range(5)] == split.every_detail()
    for bad in (b"[]", b'{"events": {}}', b'{"events": [1]', b'{"name": "no events"}'):
        assert notes.fingerprints(InputFile(bad, "x.json"), "avo-json") is None
    assert notes.fingerprints(InputFile(data, "x.json"), "csv") is None


def test_json_schema_fingerprints_follow_the_property_level_part() -> None:
    export = as_json_schema(avo_export(random.Random(3), 4))
    events = export["schema"]["events"]
    events["Event 1"]["x-id"] = "evt_1"
    split = notes.fingerprints(InputFile(json.dumps(export).encode(), "x.json"), "jsonschema")
    assert split is not None
    details = split.every_detail()
    assert [split.details(i) for i in range(4)] == details
    assert [(d.name, d.id) for d in details] == [
        ("Event 0", None),
        ("Event 1", "evt_1"),
        ("Event 2", None),
        ("Event 3", None),
    ]
    events["Event 0"]["description"] = "Only event-level."
    events["Event 2"]["required"] = [*events["Event 2"]["required"], "brand_new"]
    again = notes.fingerprints(InputFile(json.dumps(export).encode(), "x.json"), "jsonschema")
    assert again is not None
    changed = [i for i in range(4) if again.wholes[i * 16 : (i + 1) * 16] != split.wholes[i * 16 : (i + 1) * 16]]
    assert changed == [0, 2]
    assert [again.details(i).properties == details[i].properties for i in range(4)] == [True, True, False, True]
    assert again.around == split.around
    export["schema"]["title"] = "Around the events"
    moved = notes.fingerprints(InputFile(json.dumps(export).encode(), "x.json"), "jsonschema")
    assert moved is not None and moved.around != split.around and moved.wholes == again.wholes


@pytest.mark.parametrize("as_schema", [False, True])
def test_input_nested_past_the_decoder_s_depth_gets_the_full_import_s_error(tmp_path: Path, as_schema: bool) -> None:
    nested = b"[" * 5000 + b"]" * 5000
    event = b'{"name": "Deep", "id": ' + nested + b', "rules": {"properties": ' + nested + b"}}"
    data = b'{"schema": {"events": {"Deep": ' + event + b"}}}" if as_schema else b'{"events": [' + event + b"]}"
    fmt = "jsonschema" if as_schema else "avo-json"
    split = notes.fingerprints(InputFile(data, "in.json"), fmt)
    assert split is None or notes.note_of(split, Incoming(Plan()), Plan(), "plan", ({}, {})) is None
    root = tmp_path / "plan"
    init_plan(root, with_examples=False)
    with pytest.raises(InputError, match="in.json"):
        run_import(Workspace(root), ImportRequest(data, "in.json", fmt=fmt, method="addAndUpdate", branch="b"))

"""Event files rendered in worker processes are the very bytes an in-process render writes:
the same imports, with workers and without, leave the same trees."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.helpers import corpus, make_event, plan_with
from trackplan.formats.jsonschema import document
from trackplan.importing.run import ImportRequest, run_import
from trackplan.model import Plan
from trackplan.repo import parallel
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace


def _imported(root: Path, request: ImportRequest, workers: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """(the imported branch's tree id, the paths the import wrote) with workers on or off."""
    with monkeypatch.context() as patched:
        patched.setattr(parallel, "_enabled", workers)
        patched.setattr(parallel, "PARALLEL_MIN", 2)
        patched.setattr(parallel, "RENDER_CHUNK", 7)  # several tasks, the last one short
        ws = Workspace(root)
        outcome = run_import(ws, request)
    assert outcome.commit is not None
    return (str(ws.store.subtree_id(outcome.commit, "")), *outcome.changed_paths)


def _both(root: Path, request: ImportRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    twin = root.parent / f"{root.name}-serial"
    shutil.copytree(root, twin, symlinks=True)
    parallel_run = _imported(root, request, True, monkeypatch)
    serial_run = _imported(twin, request, False, monkeypatch)
    assert parallel_run == serial_run
    assert len(parallel_run) > 2 * 7  # files over more than two tasks


def test_a_first_import_writes_the_same_tree_with_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    events = [make_event(f"Event {i}", 4 + i % 5, seed=i, tags=["core", f"t{i % 3}"]) for i in range(60)]
    data = json.dumps(document(Plan(events=tuple(events)))).encode()
    for layout in ("flat", "sharded"):
        init_plan(tmp_path / layout, with_examples=False, events_layout=layout)
        _both(tmp_path / layout, ImportRequest(data, "plan.json", method="addAndUpdate", branch="i"), monkeypatch)


def test_an_import_over_a_plan_people_edited_writes_the_same_tree(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """New events beside updated ones, one of them edited by hand (a rewrite in place, its
    comment kept): the order of the written files and their bytes stay as in-process."""
    ws, commit = plan_with(tmp_path / "p", 30)
    loaded = ws.load("HEAD")
    edited = loaded.event_paths[loaded.plan.events[0].name]
    text = ws.store.read_blob(loaded.blob_ids[edited])
    ws.store.commit_changes(loaded.plan.settings.main_branch, commit, {edited: b"# kept by hand\n" + text}, "edit")
    before = Workspace(tmp_path / "p").load("HEAD").plan
    changed = [e.replace(description=e.description + " Changed.") for e in before.events[:10]]
    new = [make_event(f"New {i}", 5, seed=100 + i) for i in range(40)]
    data = json.dumps(document(Plan(events=(*changed, *new)))).encode()
    _both(tmp_path / "p", ImportRequest(data, "plan.json", method="addAndUpdate", branch="i"), monkeypatch)
    assert Workspace(tmp_path / "p").read_text("i", edited).startswith("# kept by hand\n")


@pytest.mark.corpus
def test_iglu_central_writes_the_same_tree_with_workers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    schemas = corpus("iglu-central", "schemas")
    init_plan(tmp_path / "p", with_examples=False, events_layout="sharded")
    _both(tmp_path / "p", ImportRequest(b"", str(schemas), branch="iglu"), monkeypatch)


@pytest.mark.corpus
def test_the_avo_export_example_writes_the_same_tree_with_workers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = corpus("avo", "export-example.json")
    init_plan(tmp_path / "p", with_examples=False)
    _both(tmp_path / "p", ImportRequest(example.read_bytes(), example.name, branch="avo"), monkeypatch)

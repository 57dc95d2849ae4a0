"""Real plans written by others, from ../shared/corpora (skipped when absent)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan.errors import ConcurrentUpdateError
from trackplan.formats import read_source
from trackplan.formats.base import InputFile
from trackplan.importing.run import ImportRequest, run_import
from trackplan.repo.workspace import Workspace

pytestmark = pytest.mark.corpus


def test_avo_export_example_into_an_empty_plan(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    example = corpus("avo", "export-example.json")
    assert run_cli("init", tmp_path / "p", "--empty").exit_code == 0
    result = run_cli("-C", tmp_path / "p", "import", example, "--branch", "avo", "--format", "json")
    assert result.exit_code == 0, result.output
    # Counted by hand: 18 events; 32 distinct property names over properties and
    # userProperties; sources Website, Backend, iOS, Android; no stakeholder domains.
    assert json.loads(result.output)["result"] == {
        "newEvents": 18,
        "updatedEvents": 0,
        "newProperties": 32,
        "updatedProperties": 0,
        "newSources": 4,
        "newStakeholderDomains": 0,
    }
    plan = Workspace(tmp_path / "p").load("avo").plan
    created = plan.event("user_account_created")
    assert created is not None and created.id is not None
    assert created.get_property("user_email_address").send_as == "UserProperty"  # type: ignore[union-attr]
    assert plan.event("page_viewed").get_property("app_name").send_as == "SystemProperty"  # type: ignore[union-attr]
    destinations = {s.name: set(s.destinations) for s in plan.settings.sources}
    assert destinations["Website"] == {"RudderStack", "Braze"}


@pytest.mark.parametrize("name", ["plan.json", "plan-v1.json"])
def test_segment_typewriter_plans_import(name: str, tmp_path: Path, run_cli: CliRunnerCall) -> None:
    path = corpus("segment-typewriter", name)
    assert run_cli("init", tmp_path / "p", "--empty").exit_code == 0
    result = run_cli("-C", tmp_path / "p", "import", path, "--branch", "seg", "--format", "json")
    assert result.exit_code == 0, result.output
    plan = Workspace(tmp_path / "p").load("seg").plan
    terrible = [e for e in plan.events if "terrible" in e.name]
    assert len(terrible) == 1 and terrible[0].name == "42_--terrible==\\\"event'++name~!3"
    assert json.loads(result.output)["result"]["newEvents"] == len(plan.events) > 20


def test_whole_iglu_central_imports_without_a_crash(tmp_path: Path) -> None:
    schemas = corpus("iglu-central", "schemas")
    incoming = read_source(InputFile(b"", str(schemas)))
    files = [p for p in schemas.rglob("*") if p.is_file() and "jsonschema" in p.parts]
    keys = {(p.parts[-4], p.parts[-3]) for p in files}
    assert len(incoming.plan.events) == len(keys)
    # The newest version is the event.
    link_click = next(e for e in incoming.plan.events if e.name == "link_click")
    versions = sorted(
        p.name for p in (schemas / "com.snowplowanalytics.snowplow" / "link_click" / "jsonschema").iterdir()
    )
    assert link_click.version == versions[-1]
    from trackplan.repo.scaffold import init_plan

    init_plan(tmp_path / "p", with_examples=False)
    ws = Workspace(tmp_path / "p")
    outcome = run_import(ws, ImportRequest(b"", str(schemas), branch="iglu"))
    assert outcome.commit is not None and outcome.result.new_events == len(keys)
    assert len(ws.load("iglu").plan.events) == len(keys)


def test_sixteen_concurrent_imports_into_one_branch(tmp_path: Path) -> None:
    from trackplan.repo.scaffold import init_plan

    init_plan(tmp_path / "p", with_examples=False)
    ws = Workspace(tmp_path / "p")
    ws.store.create_branch("shared", ws.store.resolve("HEAD"))
    barrier = threading.Barrier(16)
    landed: list[int] = []
    refused: list[str] = []

    def worker(i: int) -> None:
        data = json.dumps(
            {"schema": {"events": {f"Event {i}": {"properties": {f"p{i}": {"type": "string"}}}}}}
        ).encode()
        barrier.wait()
        try:
            run_import(Workspace(tmp_path / "p"), ImportRequest(data, f"e{i}.json", branch="shared"))
            landed.append(i)
        except ConcurrentUpdateError as exc:
            assert "run the command again" in str(exc)
            refused.append(str(exc))

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(landed) + len(refused) == 16 and landed
    names = {e.name for e in ws.load("shared").plan.events}
    assert names == {f"Event {i}" for i in landed}

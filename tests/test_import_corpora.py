"""Real plans written by others, from ../shared/corpora (skipped when absent)."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import CliRunnerCall
from helpers import corpus
from trackplan.errors import ConcurrentUpdateError
from trackplan.formats import read_plan
from trackplan.importing import merge
from trackplan.imports import ImportRequest, run_import
from trackplan.model import Event, Plan, Property
from trackplan.workspace import Workspace

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
    incoming = read_plan(b"", str(schemas))
    files = [p for p in schemas.rglob("*") if p.is_file() and "jsonschema" in p.parts]
    keys = {(p.parts[-4], p.parts[-3]) for p in files}
    assert len(incoming.plan.events) == len(keys)
    # The newest version is the event.
    link_click = next(e for e in incoming.plan.events if e.name == "link_click")
    versions = sorted(
        p.name for p in (schemas / "com.snowplowanalytics.snowplow" / "link_click" / "jsonschema").iterdir()
    )
    assert link_click.version == versions[-1]
    from trackplan.initplan import init_plan

    init_plan(tmp_path / "p", with_examples=False)
    ws = Workspace(tmp_path / "p")
    outcome = run_import(ws, ImportRequest(b"", str(schemas), branch="iglu"))
    assert outcome.commit is not None and outcome.result.new_events == len(keys)
    assert len(ws.load("iglu").plan.events) == len(keys)


def test_sixteen_concurrent_imports_into_one_branch(tmp_path: Path) -> None:
    from trackplan.initplan import init_plan

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


# -- property tests -------------------------------------------------------------------------------

names = st.sampled_from(["a", "b", "c", "d"])
prop_types = st.sampled_from(["string", "integer", "boolean", None])


@st.composite
def plans(draw: st.DrawFn) -> Plan:
    # Properties are plan-wide (as in Avo): one definition per name within a plan.
    definitions = {
        name: (draw(prop_types), draw(st.sampled_from(["", "x", "y"]))) for name in ["a", "b", "c", "d"]
    }
    events = []
    for event_name in draw(st.lists(st.sampled_from(["E1", "E2", "E3"]), unique=True, max_size=3)):
        chosen = draw(st.dictionaries(names, st.booleans(), max_size=4))
        events.append(
            Event(
                name=event_name,
                description=draw(st.sampled_from(["", "one", "two"])),
                properties=tuple(
                    Property.build(
                        p, required=r, type=definitions[p][0], description=definitions[p][1] or None
                    )
                    for p, r in chosen.items()
                ),
            )
        )
    return Plan(events=tuple(events))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(current=plans(), incoming=plans())
def test_import_method_properties(current: Plan, incoming: Plan) -> None:
    # addOnly never changes an existing field.
    added, _ = merge(current, incoming, "addOnly")
    for event in current.events:
        after = added.event(event.name)
        assert after is not None and after.description == event.description
        for prop in event.properties:
            assert after.get_property(prop.name) == prop
    # After addUpdateAndRemove every imported event has exactly the imported properties.
    replaced, _ = merge(current, incoming, "addUpdateAndRemove")
    for event in incoming.events:
        after = replaced.event(event.name)
        assert after is not None and set(after.property_names) == set(event.property_names)


@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove", "sync"])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(current=plans(), incoming=plans())
def test_a_second_identical_import_is_a_no_op(method: str, current: Plan, incoming: Plan) -> None:
    once, _ = merge(current, incoming, method)
    twice, result = merge(once, incoming, method)
    assert twice == once
    assert result.new_events == result.updated_events == 0

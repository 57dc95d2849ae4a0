"""snowplow-cli's data products folder: export -> import -> export gives the same bytes, the
imported plans equal the originals in every field both formats carry, source applications
become trackplan.yaml sources, and paths made from plan data stay inside the folder."""

from __future__ import annotations

import subprocess
from dataclasses import replace
from pathlib import Path
from uuid import UUID

import pytest

from tests.helpers import CliRunnerCall
from trackplan import yamlio
from trackplan.model.tracking_plans import Entities, Entity, EventSpecification, TrackingPlan, Trigger
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import PlanChange, PlanEdit, commit_tracking_plans, read_tracking_plans

PLAN_ID = UUID("4140bd82-37e8-4a39-9995-6061abed7b75")
SPEC_ID = UUID("f4e127d5-0bef-4aac-a794-07f361e7af94")
TRIGGER_ID = UUID("027713e2-b9f2-4ca2-af94-87740beca2c8")


def checkout_plan() -> TrackingPlan:
    spec = EventSpecification(
        id=SPEC_ID,
        name="Order placed",
        event="Checkout Completed",
        description="The order is confirmed.",
        status="published",
        schema=None,
        entities=Entities(tracked=(Entity("iglu:com.example/cart/jsonschema/1-0-0", 1, 1),)),
        triggers=(Trigger(TRIGGER_ID, "Confirm button", ("shop-web",), "https://shop.example/confirm"),),
        excluded_source_applications=("backend",),
    )
    return TrackingPlan(
        id=PLAN_ID,
        name="Checkout",
        description="Buying things.",
        access_instructions="atomic.events, app_id shop-web",
        domain="Payments",
        owner="payments@example.com",
        status="published",
        source_applications=("web", "backend"),
        event_specifications=(spec,),
    )


def committed(root: Path, branch: str, *plans: TrackingPlan) -> None:
    ws = Workspace(root)
    edit = PlanEdit(tuple(PlanChange(p.id, p) for p in plans), "Add tracking plans")
    assert commit_tracking_plans(ws, branch, lambda _: edit).commit is not None


def files_of(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_export_import_export_gives_the_same_bytes_and_the_same_plans(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    committed(plan_repo, "plans", checkout_plan())
    first, second = tmp_path / "first", tmp_path / "second"
    exported = run_cli("-C", plan_repo, "export", "--ref", "plans", "--to", "snowplow-dp", "-o", first)
    assert exported.exit_code == 0, exported.output
    assert sorted(files_of(first)) == [
        "checkout.yaml",
        "source-apps/android.yaml",
        "source-apps/backend.yaml",
        "source-apps/ios.yaml",
        "source-apps/web.yaml",
    ]
    product = yamlio.load(files_of(first)["checkout.yaml"])
    assert product["resourceName"] == str(PLAN_ID)
    assert product["data"]["sourceApplications"] == [
        {"$ref": "./source-apps/web.yaml"},
        {"$ref": "./source-apps/backend.yaml"},
    ]
    spec = product["data"]["eventSpecifications"][0]
    assert spec["event"] == {"source": "iglu:com.example/Checkout_Completed/jsonschema/2-0-0"}
    assert spec["excludedSourceApplications"] == [{"$ref": "./source-apps/backend.yaml"}]

    imported = run_cli("-C", plan_repo, "import", first, "--branch", "imported", "--method", "addAndUpdate")
    assert imported.exit_code == 0, imported.output
    assert "(snowplow-dp, addAndUpdate)" in imported.output
    again = run_cli("-C", plan_repo, "export", "--ref", "imported", "--to", "snowplow-dp", "-o", second)
    assert again.exit_code == 0, again.output
    assert files_of(second) == files_of(first)

    (plan,) = (f.plan for f in read_tracking_plans(Workspace(plan_repo), "imported"))
    original = checkout_plan()
    # snowplow-cli files carry no statuses and no access instructions: a new plan has the defaults.
    carried = replace(
        original,
        status="draft",
        access_instructions="",
        event_specifications=tuple(replace(s, status="draft") for s in original.event_specifications),
    )
    assert plan == carried


def test_a_re_import_keeps_what_only_trackplan_carries(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    committed(plan_repo, "plans", checkout_plan())
    folder = tmp_path / "dp"
    assert run_cli("-C", plan_repo, "export", "--ref", "plans", "--to", "snowplow-dp", "-o", folder).exit_code == 0
    text = (folder / "checkout.yaml").read_text().replace("Buying things.", "Buying more things.")
    (folder / "checkout.yaml").write_text(text)
    result = run_cli("-C", plan_repo, "import", folder, "--branch", "plans", "--method", "addAndUpdate")
    assert result.exit_code == 0, result.output
    (plan,) = (f.plan for f in read_tracking_plans(Workspace(plan_repo), "plans"))
    assert plan == replace(checkout_plan(), description="Buying more things.")
    log = subprocess.run(["git", "log", "-1", "--format=%s", "plans"], cwd=plan_repo, capture_output=True, text=True)
    assert log.stdout == "Import dp (addAndUpdate): 0 new, 1 updated, 0 removed tracking plans\n"


def test_source_applications_become_sources_of_trackplan_yaml(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    folder = tmp_path / "data-products"
    (folder / "source-apps").mkdir(parents=True)
    (folder / "source-apps" / "kiosk.yaml").write_text(
        "apiVersion: v1\nresourceType: source-application\nresourceName: 1b2c3d4e-0000-4000-8000-000000000001\n"
        "data:\n  name: kiosk\n  description: In-store kiosks\n  owner: retail@example.com\n"
        "  appIds: [kiosk-2, kiosk-1]\n"
    )
    (folder / "in-store.yaml").write_text(
        "apiVersion: v1\nresourceType: data-product\nresourceName: 1b2c3d4e-0000-4000-8000-000000000002\n"
        "data:\n  name: In store\n  sourceApplications:\n    - $ref: ./source-apps/kiosk.yaml\n"
        "  eventSpecifications:\n    - resourceName: 1b2c3d4e-0000-4000-8000-000000000003\n"
        "      name: Tapped\n      event: {source: 'iglu:com.example/tap/jsonschema/1-0-0'}\n"
    )
    result = run_cli("-C", plan_repo, "import", tmp_path, "--branch", "kiosk")
    assert result.exit_code == 0, result.output
    assert "newSources 1" in result.output
    ws = Workspace(plan_repo)
    kiosk = next(s for s in ws.settings("kiosk").sources if s.name == "kiosk")
    assert (kiosk.id, kiosk.description, kiosk.owner, tuple(kiosk.app_ids)) == (
        "1b2c3d4e-0000-4000-8000-000000000001",
        "In-store kiosks",
        "retail@example.com",
        ("kiosk-1", "kiosk-2"),
    )
    (plan,) = (f.plan for f in read_tracking_plans(ws, "kiosk"))
    assert (plan.name, plan.source_applications) == ("In store", ("kiosk",))
    assert plan.event_specifications[0].event == "iglu:com.example/tap/jsonschema/1-0-0"  # no such event: kept


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("../../../etc/passwd", "'../../../etc/passwd' names no file of source-apps/"),
        ("./source-apps/missing.yaml", "'./source-apps/missing.yaml' names no file of source-apps/"),
    ],
)
def test_a_reference_outside_the_folder_is_refused_naming_the_file(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, ref: str, message: str
) -> None:
    folder = tmp_path / "dp"
    (folder / "source-apps").mkdir(parents=True)
    (folder / "bad.yaml").write_text(
        "apiVersion: v1\nresourceType: data-product\nresourceName: 1b2c3d4e-0000-4000-8000-000000000002\n"
        f"data:\n  name: Bad\n  sourceApplications:\n    - $ref: '{ref}'\n"
    )
    result = run_cli("-C", plan_repo, "import", folder, "--from", "snowplow-dp", "--branch", "bad")
    assert result.exit_code == 2
    assert result.output == f"trackplan: error: {folder}/bad.yaml: data.sourceApplications[0].$ref: {message}\n"
    assert Workspace(plan_repo).store.branch_head("bad") is None


def test_hostile_plan_and_source_names_stay_inside_the_output_folder(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    hostile = replace(checkout_plan(), name="../../../etc/cron.d/x", source_applications=("..", "/abs", "CON"))
    hostile = replace(hostile, event_specifications=())
    twin = replace(
        checkout_plan(), id=UUID(int=7), name="ETC cron d x", source_applications=(), event_specifications=()
    )
    committed(plan_repo, "hostile", hostile, twin)
    out = tmp_path / "out"
    result = run_cli("-C", plan_repo, "export", "--ref", "hostile", "--to", "snowplow-dp", "-o", out)
    assert result.exit_code == 0, result.output
    written = sorted(files_of(out))
    assert all((out / path).resolve().is_relative_to(out.resolve()) for path in written)
    assert [p for p in written if "/" not in p] == ["etc-cron-d-x-0d25a51a.yaml", "etc-cron-d-x-db18cfd8.yaml"]
    assert {"source-apps/event.yaml", "source-apps/abs.yaml", "source-apps/con-event.yaml"} <= set(written)


def heads_and_files(root: Path, branch: str) -> tuple[str, dict[str, bytes]]:
    head = subprocess.run(["git", "rev-parse", branch], cwd=root, capture_output=True, text=True, check=True).stdout
    listed = subprocess.run(
        ["git", "ls-tree", "-r", "--name-only", branch], cwd=root, capture_output=True, text=True, check=True
    )
    shown = {
        path: subprocess.run(["git", "show", f"{branch}:{path}"], cwd=root, capture_output=True, check=True).stdout
        for path in listed.stdout.split()
    }
    return head, shown


EMPTY_VALUES = {
    "source-apps/kiosk.yaml": "apiVersion: v1\nresourceType: source-application\n"
    "resourceName: 1b2c3d4e-0000-4000-8000-000000000001\n"
    "data:\n  name: kiosk\n  description: ''\n  owner: ''\n  appIds: [kiosk-1]\n",
    "in-store.yaml": "apiVersion: v1\nresourceType: data-product\nresourceName: 1b2c3d4e-0000-4000-8000-000000000002\n"
    "data:\n  name: In store\n  description: ''\n  domain: ''\n  owner: ''\n"
    "  sourceApplications:\n    - $ref: ./source-apps/kiosk.yaml\n"
    "  eventSpecifications:\n    - resourceName: 1b2c3d4e-0000-4000-8000-000000000003\n"
    "      name: Tapped\n      description: ''\n      triggers: [{description: '', url: ''}]\n"
    "      event: {source: 'iglu:com.example/tap/jsonschema/1-0-0'}\n",
}


@pytest.mark.parametrize("method", ["addOnly", "addAndUpdate", "addUpdateAndRemove"])
@pytest.mark.parametrize("start", ["snowplow-cli files with empty values", "plan-template's sources, without ids"])
def test_re_importing_the_export_changes_no_byte(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, method: str, start: str
) -> None:
    if start.startswith("snowplow-cli"):
        first = tmp_path / "first"
        for name, text in EMPTY_VALUES.items():
            (first / name).parent.mkdir(parents=True, exist_ok=True)
            (first / name).write_text(text)
        imported = run_cli("-C", plan_repo, "import", "--from", "snowplow-dp", first, "--branch", "plans")
        assert imported.exit_code == 0, imported.output
    else:
        committed(plan_repo, "plans", checkout_plan())
    before = heads_and_files(plan_repo, "plans")
    folder = tmp_path / "exported"
    assert run_cli("-C", plan_repo, "export", "--ref", "plans", "--to", "snowplow-dp", "-o", folder).exit_code == 0
    again = run_cli("-C", plan_repo, "import", "--from", "snowplow-dp", folder, "--branch", "plans", "--method", method)
    assert again.exit_code == 0, again.output
    assert again.output == f"No changes: the plan on 'plans' already matches {folder}; nothing committed.\n"
    assert heads_and_files(plan_repo, "plans") == before


def test_an_import_that_changes_only_trackplan_yaml_counts_that_file(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    folder = tmp_path / "data-products"
    (folder / "source-apps").mkdir(parents=True)
    kiosk = folder / "source-apps" / "kiosk.yaml"
    app = "apiVersion: v1\nresourceType: source-application\nresourceName: 1b2c3d4e-0000-4000-8000-000000000001\n"
    kiosk.write_text(app + "data:\n  name: kiosk\n  description: In-store kiosks\n  appIds: [kiosk-1]\n")
    (folder / "in-store.yaml").write_text(
        "apiVersion: v1\nresourceType: data-product\nresourceName: 1b2c3d4e-0000-4000-8000-000000000002\n"
        "data:\n  name: In store\n  sourceApplications:\n    - $ref: ./source-apps/kiosk.yaml\n"
    )
    first = run_cli("-C", plan_repo, "import", folder, "--branch", "kiosk")
    assert first.exit_code == 0, first.output
    assert "; 3 files changed\n" in first.output  # the plan, its schema and trackplan.yaml
    kiosk.write_text(app + "data:\n  name: kiosk\n  description: Kiosks in every store\n  appIds: [kiosk-1]\n")
    ws = Workspace(plan_repo)
    head = ws.store.branch_head("kiosk")
    args = ("-C", plan_repo, "import", folder, "--branch", "kiosk", "--method", "addAndUpdate")
    dry = run_cli(*args, "--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "  would write trackplan.yaml\n" in dry.output
    again = run_cli(*args)
    assert again.exit_code == 0, again.output
    assert again.output.endswith("; 1 file changed\n"), again.output
    changed = subprocess.run(
        ["git", "diff", "--name-only", f"{head}", "kiosk"], cwd=plan_repo, capture_output=True, text=True, check=True
    )
    assert changed.stdout == "trackplan.yaml\n"
    assert next(s for s in ws.settings("kiosk").sources if s.name == "kiosk").description == "Kiosks in every store"

"""The generated TypeScript compiles under `tsc --strict` (and every stricter flag), sends what
the plan says through a fake transport, and turns wrongly typed calls into compile errors.
Skipped, saying why, where node or `make typescript`'s tsc is missing."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.support import CODEGEN_DATA, NEEDS_TSC, NODE, TSC_STRICTEST, git, tsc, use_hostile_plan
from tests.helpers import CliRunnerCall

pytestmark = NEEDS_TSC
APPS = CODEGEN_DATA / "ts"


def generate(run_cli: CliRunnerCall, repo: Path, folder: Path, *options: str) -> Path:
    folder.mkdir(exist_ok=True)
    result = run_cli("-C", repo, "codegen", "--lang", "ts", *options, "-o", folder / "tracking.ts")
    assert result.exit_code == 0, result.output
    return folder / "tracking.ts"


def run_app(folder: Path, app: str) -> dict[str, Any]:
    """Compile an app of tests/data/codegen/ts beside the generated file, run it with node and
    read the JSON it prints."""
    shutil.copy(APPS / app, folder / app)
    compiled = tsc("--strict", "--outDir", "out", "--module", "commonjs", "--target", "es2020", app, cwd=folder)
    assert compiled.returncode == 0, compiled.stdout
    assert NODE is not None
    ran = subprocess.run(
        [NODE, f"out/{app.removesuffix('.ts')}.js"], cwd=folder, capture_output=True, text=True, check=True
    )
    doc: dict[str, Any] = json.loads(ran.stdout)
    return doc


@pytest.mark.parametrize("validate", ["none", "dev", "always"])
@pytest.mark.parametrize("plan", ["template", "hostile"])
def test_tsc_strict_accepts_the_generated_file(
    plan: str, validate: str, plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    if plan == "hostile":
        use_hostile_plan(plan_repo)
    source = ("--source", "web") if plan == "template" else ()
    file = generate(run_cli, plan_repo, tmp_path / "out", *source, "--validate", validate)
    plain = tsc("--noEmit", "--strict", file.name, cwd=file.parent)
    assert plain.returncode == 0, plain.stdout
    strictest = tsc("--noEmit", *TSC_STRICTEST, file.name, cwd=file.parent)
    assert strictest.returncode == 0, strictest.stdout


def test_calls_reach_the_transport_as_the_plan_says(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    folder = generate(run_cli, plan_repo, tmp_path / "app", "--source", "web").parent
    doc = run_app(folder, "app.ts")
    commit = git(plan_repo, "rev-parse", "HEAD")
    first = doc["calls"][0]
    assert first == {
        "kind": "track",
        "name": "order_completed",  # Segment's name (x-name-mapping): the transport sends to Segment
        "properties": {"order_id": "ord_0123456789", "revenue": 42.5, "currency": "EUR", "payment_method": "card"},
        "context": {
            "plan": "Test plan",
            "commit": commit,
            "source": "web",
            "event": "Checkout Completed",
            "eventVersion": "2-0-0",
            "userProperties": [],
            "extra": {},
        },
    }
    signed_up = doc["calls"][1]
    assert (signed_up["name"], signed_up["context"]["userProperties"]) == ("sign_up", ["plan"])
    assert signed_up["context"]["extra"] == {"anonymousId": "anon-1"}
    assert doc["calls"][2] == {
        "kind": "identify",
        "userId": "user-1",
        "traits": {"email": "ada@example.com", "plan": "team"},
        "context": {**first["context"], "event": "$identify", "eventVersion": None},
    }
    # A violation is reported, and the call still goes out.
    assert [c["name"] for c in doc["calls"][3:]] == [
        "order_completed",
        "Search Performed",
        "Search Performed",
        "Product Viewed",
    ]
    assert doc["calls"][5]["properties"] == {"query": "shoes", "result_count": 0, "filters": ["brand"]}
    assert doc["violations"] == [
        {"event": "Checkout Completed", "path": "tip", "message": "is not in the plan"},
        {"event": "Checkout Completed", "path": "currency", "message": "must match ^[A-Z]{3}$"},
        {"event": "Checkout Completed", "path": "order_id", "message": "must match ^ord_[A-Za-z0-9]{10}$"},
        {
            "event": "Checkout Completed",
            "path": "payment_method",
            "message": 'must be one of "card", "paypal", "apple_pay", "invoice"',
        },
        {"event": "Checkout Completed", "path": "revenue", "message": "must be >= 0"},
        {
            "event": "Search Performed",
            "path": "filters[1]",
            "message": 'must be one of "price", "brand", "rating", "in_stock"',
        },
        {"event": "Search Performed", "path": "query", "message": "must be a string"},
        {"event": "Search Performed", "path": "result_count", "message": "must be an integer"},
    ]
    # Without onViolation a violation throws; with validate: false nothing is checked.
    assert doc["thrown"] == "Error: trackplan: Product Viewed: price is required"
    assert doc["calls"][6]["properties"] == {"product_id": 7}


def test_hostile_names_and_nested_checks_at_run_time(
    hostile_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    doc = run_app(generate(run_cli, hostile_repo, tmp_path / "app").parent, "hostile-app.ts")
    names = [call.get("name") for call in doc["calls"]]
    assert names[:5] == ["42_--terrible==\\\"event'++name~!3", "achat_effectué", "class", "Setup", "🎉"]
    assert doc["calls"][1]["properties"] == {"first_name": "Zoë"}  # prénom, as Segment receives it
    assert doc["calls"][2]["properties"] == {"return": "r", "import": "i", "": "empty"}
    assert doc["calls"][9] == {"userId": "u1", "traits": {"plan": "pro", "user_id": "u1", "e-mail": None}}
    shipped = [(v["path"], v["message"]) for v in doc["violations"] if v["event"] == "Order Shipped"]
    assert shipped == [
        ("address.city", "is required"),
        ("address.floor", "is not in the plan"),
        ("address.geo.lon", "is required"),
        ("address.geo.lat", "must be <= 90"),
        ("address.zip", "must match ^[0-9]{5}$"),
        ("items[0].quantity", "must be >= 1"),
        ("items[0].sku", "must match ^sku_"),
        ("items[1]", "must be an object"),
        ("kind", 'must be "shipment"'),
        ("matrix[0][0]", "must be an integer"),
        ("priority", "must be one of 1, 2, 3"),
        ("shipped", "must be a string or null"),
        ("total.tax", "is not in the plan"),
        ("total.amount", "must be >= 0"),
        ("weight_kg", "must be one of 0.5, 1, 2.5"),
    ]
    others = [(v["event"], v["path"], v["message"]) for v in doc["violations"] if v["event"] != "Order Shipped"]
    terrible = "42_--terrible==\\\"event'++name~!3"
    assert others == [
        (terrible, "$price", "must be > 0"),
        (terrible, "2fa", "must be true"),
        (terrible, "class", 'must be one of "economy", "first \\"class\\"", "it\'s"'),
        (terrible, "order-id", "must match ^ord/[0-9]+\\\\d$"),
        (terrible, "ünïcödé", "must be an integer"),
        ("Achat effectué 🎉 購入完了", "prénom", "must have at least 1 character"),
    ]


def test_a_wrongly_typed_call_fails_to_compile(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    folder = generate(run_cli, plan_repo, tmp_path / "app", "--source", "web").parent
    shutil.copy(APPS / "wrong.ts", folder / "wrong.ts")
    result = tsc("--noEmit", "--strict", "wrong.ts", cwd=folder)
    assert result.returncode != 0
    errors = [line for line in result.stdout.splitlines() if line.startswith("wrong.ts(")]
    assert [line.split(":")[0] for line in errors] == [
        "wrong.ts(4,58)",
        "wrong.ts(5,88)",
        "wrong.ts(6,19)",
        "wrong.ts(7,74)",
        "wrong.ts(8,29)",
    ]
    assert "Type 'string' is not assignable to type 'number'" in errors[0]
    assert "Type '\"bitcoin\"' is not assignable to type" in errors[1] and '"apple_pay"' in errors[1]
    assert "Property 'plan' is missing" in errors[2]
    assert "'colour' does not exist in type 'ProductViewed'" in errors[3]
    assert "Property 'email' is missing" in errors[4]

"""The generated Python passes `mypy --strict` (and a caller's wrongly typed calls do not),
and sends what the plan says through a fake transport."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.codegen.support import CODEGEN_DATA, git, mypy_strict, use_hostile_plan
from tests.helpers import CliRunnerCall

APPS = CODEGEN_DATA / "python"


def generate(run_cli: CliRunnerCall, repo: Path, folder: Path, *options: str) -> Path:
    folder.mkdir(exist_ok=True)
    result = run_cli("-C", repo, "codegen", "--lang", "python", *options, "-o", folder / "tracking.py")
    assert result.exit_code == 0, result.output
    return folder / "tracking.py"


@pytest.mark.parametrize("validate", ["none", "dev", "always"])
def test_mypy_strict_accepts_the_generated_files_and_a_typed_caller(
    validate: str, plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    template = generate(run_cli, plan_repo, tmp_path / "template", "--source", "web", "--validate", validate)
    if validate == "dev":  # the caller turns the checks off, which only dev offers
        shutil.copy(APPS / "app.py", template.parent / "app.py")
    use_hostile_plan(plan_repo)
    hostile = generate(run_cli, plan_repo, tmp_path / "hostile", "--validate", validate)
    for folder in (template.parent, hostile.parent):
        result = mypy_strict(*sorted(folder.glob("*.py")), cwd=folder)
        assert result.returncode == 0, result.stdout
        assert result.stdout.startswith("Success: no issues found")


def test_mypy_strict_rejects_wrongly_typed_calls(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    folder = generate(run_cli, plan_repo, tmp_path / "app", "--source", "web").parent
    shutil.copy(APPS / "wrong.py", folder / "wrong.py")
    result = mypy_strict(folder / "tracking.py", folder / "wrong.py", cwd=folder)
    assert result.returncode == 1
    errors = [line for line in result.stdout.splitlines() if ": error: " in line]
    assert errors == [
        'wrong.py:7: error: Argument "revenue" to "checkout_completed" has incompatible type "str"; expected "float"  [arg-type]',
        'wrong.py:8: error: Argument "payment_method" to "checkout_completed" has incompatible type "Literal[\'bitcoin\']"; '
        "expected \"Literal['card', 'paypal', 'apple_pay', 'invoice']\"  [arg-type]",
        'wrong.py:9: error: Missing named argument "plan" for "signed_up"  [call-arg]',
        'wrong.py:10: error: Unexpected keyword argument "colour" for "product_viewed"  [call-arg]',
        'wrong.py:11: error: Missing named argument "email" for "identify"  [call-arg]',
    ]


def run_app(folder: Path) -> dict[str, Any]:
    shutil.copy(APPS / "app.py", folder / "app.py")
    ran = subprocess.run([sys.executable, "app.py"], cwd=folder, capture_output=True, text=True, check=True)
    doc: dict[str, Any] = json.loads(ran.stdout)
    return doc


def test_calls_reach_the_transport_as_the_plan_says(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    doc = run_app(generate(run_cli, plan_repo, tmp_path / "app", "--source", "web").parent)
    context = {
        "plan": "Test plan",
        "commit": git(plan_repo, "rev-parse", "HEAD"),
        "source": "web",
        "event": "Checkout Completed",
        "event_version": "2-0-0",
        "user_properties": [],
        "extra": {},
    }
    assert doc["calls"][0] == {
        "kind": "track",
        "name": "order_completed",  # Segment's name (x-name-mapping): the transport sends to Segment
        "properties": {"currency": "EUR", "order_id": "ord_0123456789", "payment_method": "card", "revenue": 42.5},
        "context": context,
    }
    assert doc["calls"][1]["context"] == {
        **context,
        "event": "Signed Up",
        "event_version": "1-0-1",
        "user_properties": ["plan"],
        "extra": {"anonymous_id": "anon-1"},
    }
    assert doc["calls"][2] == {
        "kind": "identify",
        "user_id": "user-1",
        "traits": {"email": "ada@example.com", "plan": "team"},
        "event": "$identify",
    }
    assert [c["name"] for c in doc["calls"][3:]] == [
        "order_completed",
        "Search Performed",
        "Search Performed",
        "Product Viewed",
    ]
    assert doc["violations"] == [
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
    # Without on_violation a violation raises (a boolean is no number); validate=False checks nothing.
    assert doc["raised"] == "trackplan: Product Viewed: price must be a number"
    assert doc["calls"][6]["properties"] == {"currency": "EUR", "price": 1, "product_id": 7}


def test_a_call_before_setup_raises(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    folder = generate(run_cli, plan_repo, tmp_path / "app", "--source", "web").parent
    script = "import tracking; tracking.signed_up(signup_method='email', plan='pro')"
    ran = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, check=False)
    assert ran.returncode == 1
    assert ran.stderr.splitlines()[-1] == "RuntimeError: trackplan: call setup(transport) before tracking"


def test_optional_nullable_properties_tell_null_from_absent(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    use_hostile_plan(plan_repo)
    folder = generate(run_cli, plan_repo, tmp_path / "app").parent
    script = """
import json, tracking
sent = []
class Transport:
    def track(self, name, properties, context): sent.append(dict(properties))
    def identify(self, user_id, traits, context): sent.append(dict(traits))
    def group(self, group_id, traits, context): sent.append(dict(traits))
tracking.setup(Transport())
tracking.identify("u1", plan="pro", e_mail=None, user_id_2="u1")
tracking.identify("u2", plan="free")
tracking.class_(value="empty", options="lower", options_2="upper", return_="r")
print(json.dumps(sent, ensure_ascii=False))
"""
    ran = subprocess.run([sys.executable, "-c", script], cwd=folder, capture_output=True, text=True, check=True)
    assert json.loads(ran.stdout) == [
        {"plan": "pro", "e-mail": None, "user_id": "u1"},
        {"plan": "free"},
        {"": "empty", "Options": "lower", "options": "upper", "return": "r"},
    ]

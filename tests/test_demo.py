"""`make demo`: a reason before every step, and the plan left where the last line says."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pygit2

DEMO = Path(__file__).resolve().parents[1] / "scripts" / "demo.py"


def step_reasons() -> list[str]:
    """The first docstring line of each function `main` runs with `step`, in order."""
    tree = ast.parse(DEMO.read_text())
    functions = {node.name: node for node in tree.body if isinstance(node, ast.FunctionDef)}
    called = [
        call.args[0].id
        for call in ast.walk(functions["main"])
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Name) and call.func.id == "step"
        if isinstance(call.args[0], ast.Name)
    ]
    return [(ast.get_docstring(functions[name]) or "").splitlines()[0] for name in called]


def test_the_demo_says_why_before_each_step_and_leaves_the_plan(tmp_path: Path) -> None:
    work = tmp_path / "demo"
    result = subprocess.run(
        [sys.executable, str(DEMO), str(work)], capture_output=True, text=True, timeout=300, check=False
    )
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()

    reasons = step_reasons()
    assert reasons[:2] == [
        "A new plan repository from the bundled template, and the events it holds.",
        "A plan change, committed with plain git, so there is an older ref to look at.",
    ]
    assert lines[:3] == ["", f"# {reasons[0]}", ""]
    assert lines[3].startswith("$ trackplan init ")
    found = [lines.index(f"# {reason}") for reason in reasons]
    assert found == sorted(found)
    for at in found:  # each reason opens its step: a blank line, then the step's first command
        assert lines[at + 1] == ""
        assert lines[at + 2].startswith("$ ")

    plan = work / "plan"
    trackplan = Path(sys.executable).with_name("trackplan")
    assert lines[-1] == (
        f"The demo plan is left in {plan}: cd there and try `{trackplan} events` or `git log --oneline --all`."
    )
    assert (plan / "trackplan.yaml").is_file()
    branches = set(pygit2.Repository(str(plan)).branches.local)
    assert {"main", "import/avo", "layout/sharded", "plan/klarna", "plan/ideal", "api/import"} <= branches

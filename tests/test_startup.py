"""What a process imports before it does its work: `--version` no click, a warm export no
pygit2 and no model, a command module no model, a `trackplan.model` module only itself. The
cost of each is in docs/architecture.md (Start-up); these hold the shape that gives it."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import trackplan.model
from tests.helpers import ROOT

# What a process loaded, as one module name a line on stderr at its exit.
LOADED = (
    "import atexit, sys; atexit.register(lambda: print(*sorted(sys.modules), sep='\\n', file=sys.stderr));"
    " from trackplan.cli import main; main()"
)
PYGIT2_AND_MODEL = ("pygit2", "trackplan.model.plan", "trackplan.model.settings", "yaml", "sqlite3")


def loaded(*args: str | Path) -> set[str]:
    """The modules a whole `trackplan ARGS` process imported (its output is discarded)."""
    command = [sys.executable, "-c", LOADED, *map(str, args)]
    done = subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, check=True)
    return set(done.stderr.split())


def test_version_loads_no_click() -> None:
    modules = loaded("--version")
    assert "click" not in modules
    assert sorted(m for m in modules if m.startswith("trackplan")) == ["trackplan", "trackplan.cli", "trackplan.errors"]


def test_a_warm_export_loads_neither_pygit2_nor_the_model(plan_repo: Path) -> None:
    # Kept by a process of its own: the key names the code as it is now, which a test session
    # that started before an edit of the source would not.
    loaded("-C", plan_repo, "export", "--ref", "main")
    modules = loaded("-C", plan_repo, "export", "--ref", "main")
    assert [m for m in PYGIT2_AND_MODEL if m in modules] == []
    assert sorted(m for m in modules if m.startswith("trackplan.formats.")) == []
    assert "trackplan.exporting.avo_json_cache" not in modules


def test_a_cold_export_loads_what_it_needs(plan_repo: Path) -> None:
    modules = loaded("-C", plan_repo, "export", "--ref", "main")
    assert {"pygit2", "trackplan.model.plan", "trackplan.exporting.avo_json_cache"} <= modules


def imported_with(module: str) -> set[str]:
    """The modules a fresh interpreter holds once it has imported `module`."""
    code = f"import sys, {module}; print(*sorted(sys.modules), sep='\\n')"
    return set(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split())


def test_the_shared_options_load_no_model() -> None:
    modules = imported_with("trackplan.cli.options")
    assert sorted(m for m in modules if m.startswith(("trackplan.model", "trackplan.ci", "trackplan.codegen"))) == []


def test_a_model_module_loads_alone() -> None:
    modules = imported_with("trackplan.model.slugs")
    assert sorted(m for m in modules if m.startswith("trackplan.model")) == ["trackplan.model", "trackplan.model.slugs"]


def test_the_model_s_names_are_its_typed_imports() -> None:
    tree = ast.parse((ROOT / "src" / "trackplan" / "model" / "__init__.py").read_text())
    [typed] = [node for node in tree.body if isinstance(node, ast.If)]
    imported = {
        node.module: tuple(alias.name for alias in node.names)
        for node in typed.body
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported == trackplan.model._LAZY
    assert sorted(trackplan.model.__all__) == sorted(trackplan.model._MODULE_OF)
    assert trackplan.model.Plan.__module__ == "trackplan.model.plan"
    assert trackplan.model.EVENTS_LAYOUTS == ("flat", "sharded")

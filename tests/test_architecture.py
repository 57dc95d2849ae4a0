"""The shape of the source tree: package boundaries that import-linter cannot state (environment,
files, the git executable), the import contracts themselves failing when broken, the top-level
modules and the length of functions."""

from __future__ import annotations

import ast
import os
import re
import shutil
import subprocess
import sys
import tomllib
from collections.abc import Iterator
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from tests.helpers import ROOT

PACKAGE = ROOT / "src" / "trackplan"
TOP_LEVEL_MODULES = {"__init__", "__main__", "errors", "catalogue", "memory", "yamlio"}
MAX_FUNCTION_LINES = 80

ENVIRONMENT = {"environ", "getenv", "putenv", "unsetenv"}
FILE_METHODS = {"open", "read_text", "read_bytes", "write_text", "write_bytes", "mkdir", "touch", "unlink"}
PROCESS_CALLS = ("system", "popen", "exec", "spawn", "posix_spawn")


def sources(folder: Path) -> Iterator[tuple[Path, ast.Module]]:
    """Each module under `folder`, as its path from the checkout and its syntax tree."""
    for path in sorted(folder.rglob("*.py")):
        yield path.relative_to(ROOT), ast.parse(path.read_text(encoding="utf-8"), str(path))


def os_attribute(node: ast.AST) -> str:
    """`name` for an `os.name` expression, else ""."""
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "os":
        return node.attr
    return ""


def environment_and_file_uses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if os_attribute(node) in ENVIRONMENT:
            yield getattr(node, "lineno", 0), f"os.{os_attribute(node)}"
        if isinstance(node, ast.ImportFrom) and node.module == "os":
            for alias in node.names:
                if alias.name in ENVIRONMENT:
                    yield node.lineno, f"from os import {alias.name}"
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id == "open":
                yield node.lineno, "open()"
            if isinstance(node.func, ast.Attribute) and node.func.attr in FILE_METHODS:
                yield node.lineno, f".{node.func.attr}()"


def process_uses(tree: ast.Module) -> Iterator[tuple[int, str]]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] == "subprocess":
                    yield node.lineno, f"import {alias.name}"
        if isinstance(node, ast.ImportFrom) and node.module == "subprocess":
            yield node.lineno, "from subprocess import"
        if os_attribute(node).startswith(PROCESS_CALLS):
            yield getattr(node, "lineno", 0), f"os.{os_attribute(node)}"


def imported_packages(tree: ast.Module) -> Iterator[str]:
    """The top-level names of the modules a module imports, but its own package's."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name.split(".")[0] for alias in node.names)
        if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.module.split(".")[0]


def distribution(requirement: str) -> str:
    """A requirement's distribution name in normal form (PEP 503): `ruamel.yaml>=0.18` -> `ruamel-yaml`."""
    name = re.match(r"[A-Za-z0-9._-]+", requirement)
    assert name is not None, requirement
    return re.sub(r"[-_.]+", "-", name.group()).lower()


def test_the_declared_dependencies_are_the_ones_src_imports() -> None:
    names = {name for _, tree in sources(PACKAGE) for name in imported_packages(tree)}
    third_party = names - set(sys.stdlib_module_names) - {"trackplan"}
    installed = packages_distributions()
    imported = {distribution(dist) for name in third_party for dist in installed.get(name, [name])}
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["dependencies"]
    assert imported == {distribution(requirement) for requirement in declared}


def test_report_reads_no_environment_and_touches_no_files() -> None:
    found = [
        f"{path}:{line} {what}"
        for path, tree in sources(PACKAGE / "report")
        for line, what in environment_and_file_uses(tree)
    ]
    assert found == [], "renderers return text; the caller reads the environment and writes files:\n" + "\n".join(found)


def test_only_repo_git_runs_processes() -> None:
    git = (PACKAGE / "repo" / "git").relative_to(ROOT)
    found = [
        f"{path}:{line} {what}"
        for path, tree in sources(PACKAGE)
        if not path.is_relative_to(git)
        for line, what in process_uses(tree)
    ]
    assert found == [], "the git executable is run only in trackplan.repo.git:\n" + "\n".join(found)


def test_the_scan_sees_environment_files_and_processes() -> None:
    tree = ast.parse(
        "import os, subprocess\nfrom os import getenv\n"
        "x = os.environ['A']\nopen('f')\npath.write_text('')\nos.system('git')\n"
    )
    assert sorted(environment_and_file_uses(tree)) == [
        (2, "from os import getenv"),
        (3, "os.environ"),
        (4, "open()"),
        (5, ".write_text()"),
    ]
    assert sorted(process_uses(tree)) == [(1, "import subprocess"), (6, "os.system")]


@pytest.mark.parametrize(
    ("module", "source", "contract", "chain"),
    [
        (
            "report/breach.py",
            "import click\n",
            "trackplan.report renders results without the repository, the CLI or click",
            "trackplan.report.breach -> click",
        ),
        (
            "formats/breach.py",
            "import pygit2\n",
            "pygit2 is imported only in trackplan.repo.git",
            "trackplan.formats.breach -> pygit2",
        ),
        (
            "model/breach.py",
            "from trackplan.repo import workspace\n",
            "trackplan.model imports nothing of the project but trackplan.errors",
            "trackplan.model.breach -> trackplan.repo.workspace",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, module: str, source: str, contract: str, chain: str
) -> None:
    shutil.copytree(PACKAGE, tmp_path / "src" / "trackplan", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    (tmp_path / "src" / "trackplan" / module).write_text(source)
    lint_imports = Path(sys.executable).with_name("lint-imports")
    env = {**os.environ, "PYTHONPATH": str(tmp_path / "src"), "COLUMNS": "200"}
    result = subprocess.run(
        [lint_imports, "--no-cache"], cwd=tmp_path, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{contract} BROKEN" in result.stdout
    assert chain in result.stdout


def test_the_top_level_holds_only_the_shared_modules() -> None:
    modules = {path.stem for path in PACKAGE.glob("*.py")}
    assert modules <= TOP_LEVEL_MODULES, f"modules to move into a package: {sorted(modules - TOP_LEVEL_MODULES)}"


def test_no_function_is_longer_than_80_lines() -> None:
    too_long = [
        f"{path}:{node.lineno} {node.name} ({node.end_lineno - node.lineno + 1} lines)"
        for path, tree in sources(PACKAGE)
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and node.end_lineno is not None
        and node.end_lineno - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert too_long == [], f"functions over {MAX_FUNCTION_LINES} lines:\n" + "\n".join(too_long)

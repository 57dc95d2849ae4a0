"""The library API in trackplan/__init__.py, and docs/library.md run as written."""

from __future__ import annotations

import ast
import inspect
import re
import subprocess
import sys
from pathlib import Path

import pytest

import trackplan
from tests.helpers import ROOT

LIBRARY_DOC = ROOT / "docs" / "library.md"
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def python_blocks() -> list[tuple[int, str]]:
    """(line of the block's first code line, code) for each ```python block of docs/library.md."""
    text = LIBRARY_DOC.read_text(encoding="utf-8")
    return [(text.count("\n", 0, match.start(1)) + 1, match.group(1)) for match in PYTHON_BLOCK.finditer(text)]


def test_every_public_name_resolves_and_is_listed() -> None:
    for name in trackplan.__all__:
        assert getattr(trackplan, name) is not None
    assert set(trackplan.__all__) <= set(dir(trackplan))
    assert trackplan.Checker.__module__ == "trackplan.checking.checker"


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'Missing'"):
        trackplan.Missing  # noqa: B018


def test_the_lazy_names_are_the_ones_type_checkers_see() -> None:
    tree = ast.parse((ROOT / "src" / "trackplan" / "__init__.py").read_text(encoding="utf-8"))
    guarded = next(node for node in tree.body if isinstance(node, ast.If) and ast.unparse(node.test) == "TYPE_CHECKING")
    imported = {
        node.module: tuple(alias.name for alias in node.names)
        for node in guarded.body
        if isinstance(node, ast.ImportFrom) and node.module
    }
    assert imported == trackplan._LAZY
    eager = {name for name in trackplan.__all__ if name in vars(trackplan)}
    assert set(trackplan.__all__) == eager | set(trackplan._MODULE_OF)


def test_importing_trackplan_loads_only_the_errors() -> None:
    code = "import sys, trackplan; print(sorted(m for m in sys.modules if m.startswith('trackplan')))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout == "['trackplan', 'trackplan.errors']\n"


def test_the_library_page_shows_every_entry_function() -> None:
    code = "\n".join(block for _, block in python_blocks())
    functions = [name for name in trackplan.__all__ if inspect.isfunction(getattr(trackplan, name))]
    assert [name for name in functions if f"trackplan.{name}(" not in code] == []


def test_the_library_page_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    namespace: dict[str, object] = {"__name__": "library_md"}
    blocks = python_blocks()
    assert len(blocks) == 7
    for line, block in blocks:
        # Padding keeps the page's line numbers in tracebacks.
        exec(compile("\n" * (line - 1) + block, str(LIBRARY_DOC), "exec"), namespace)

"""The shared options: --color's styles and NO_COLOR."""

from __future__ import annotations

import pytest

from trackplan.cli.options import severity_style


def test_color_always_styles_each_severity(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_COLOR", "1")  # always wins over NO_COLOR, as --color always says
    style = severity_style("always")
    assert style is not None
    assert style("breaking", "breaking") == "\x1b[31m\x1b[1mbreaking\x1b[0m"
    assert style("warning ", "warning") == "\x1b[33m\x1b[22mwarning \x1b[0m"
    assert style("info    ", "info") == "\x1b[36m\x1b[22minfo    \x1b[0m"


def test_color_never_and_auto_off_a_terminal_or_under_no_color(monkeypatch: pytest.MonkeyPatch) -> None:
    assert severity_style("never") is None
    monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    assert severity_style("auto") is not None
    monkeypatch.setenv("NO_COLOR", "1")
    assert severity_style("auto") is None
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setattr("sys.stdout.isatty", lambda: False)
    assert severity_style("auto") is None

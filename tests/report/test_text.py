"""The text renderers: the caller's style colours severity labels; lint lines carry the path prefix."""

from __future__ import annotations

from trackplan.diffing.records import Change, DiffResult
from trackplan.linting.findings import Finding, LintReport
from trackplan.report import diff, lint
from trackplan.report.context import ReportContext


def test_the_style_callable_gets_each_label_and_its_severity() -> None:
    changes = [
        Change("remove", "event", "TP002", "breaking", "event `A` removed", "A"),
        Change("add", "event", "TP001", "info", "event `B` added", "B"),
    ]
    context = ReportContext("main", "work tree", style=lambda label, severity: f"<{severity}>{label.strip()}</>")
    assert diff.render(DiffResult(changes, []), "text", context) == (
        "main -> work tree: 2 events changed, 1 breaking, 0 warnings, 1 info\n"
        "\naddOnly (1)\n  <info>info</> TP001  event `B` added\n"
        "\nremove (1)\n  <breaking>breaking</> TP002  event `A` removed\n"
    )
    plain = diff.render(DiffResult(changes, []), "text", ReportContext("main", "work tree"))
    assert "  breaking TP002  event `A` removed\n" in plain


def test_lint_text_and_github_formats() -> None:
    report = LintReport([Finding("TP108", "warning", "events/a.yaml", "domain `X` is not declared", 4, 1)], 3)
    text = lint.render(report, "text", "plan/")
    assert text == (
        "plan/events/a.yaml:4:1: warning TP108 domain `X` is not declared "
        "(Declare the domain under `domains:` or fix the name.)\n"
        "3 files checked: 0 errors, 1 warning, 0 info\n"
    )
    assert lint.render(report, "github", "plan/") == "\n".join(lint.annotations(report, "plan/")) + "\n" + text

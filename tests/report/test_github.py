"""GitHub workflow commands: one annotation builder serves the diff's changes and the lint's findings."""

from __future__ import annotations

from trackplan.diffing.records import Change, DiffResult
from trackplan.linting.findings import Finding, LintReport
from trackplan.report import _github, diff, lint
from trackplan.report.context import ReportContext

EVENT_TEXT = "title: Order, Placed\nproperties:\n  order_id:\n    type: string\n"


def test_the_builder_escapes_properties_and_data() -> None:
    line = _github.annotation("breaking", "TP022 a:b", "50%\nnext\r", file="plan/a,b:c.yaml", line=3, column=5)
    assert line == "::error file=plan/a%2Cb%3Ac.yaml,line=3,col=5,title=TP022 a%3Ab::50%25%0Anext%0D"
    assert _github.annotation("info", "trackplan", "no position") == "::notice title=trackplan::no position"


def test_a_lint_finding_in_a_path_with_a_comma() -> None:
    finding = Finding("TP109", "error", "events/a,b.yaml", "status `x` is not one of draft, live", 7, 1)
    [line] = lint.annotations(LintReport([finding], 1), "plan/")
    assert line == (
        "::error file=plan/events/a%2Cb.yaml,line=7,col=1,title=TP109 invalid-status::"
        "status `x` is not one of draft, live — Use one of the allowed values."
    )


def test_a_diff_change_in_a_path_with_a_comma_points_at_its_property() -> None:
    change = Change(
        "update",
        "property",
        "TP020",
        "warning",
        "`order_id`: narrowed",
        "Order, Placed",
        "order_id",
        path="events/a,b.yaml",
    )
    context = ReportContext("main", "head", source_text=lambda path: EVENT_TEXT, path_prefix="plan/")
    first = diff.render(DiffResult([change], []), "github", context).splitlines()[0]
    assert first == "::warning file=plan/events/a%2Cb.yaml,line=3,title=TP020 warning::`order_id`: narrowed"


def test_annotations_stop_at_the_limit() -> None:
    findings = [Finding("TP115", "warning", f"events/e{i}.yaml", "no description") for i in range(60)]
    report = LintReport(findings, 60)
    assert len(lint.annotations(report)) == 50
    assert [line.split(",")[0] for line in lint.annotations(report, limit=2)] == [
        "::warning file=events/e0.yaml",
        "::warning file=events/e1.yaml",
    ]


def test_lint_step_summary_is_a_table_or_nothing() -> None:
    assert lint.step_summary(LintReport([], 3)) is None
    finding = Finding("TP109", "error", "events/a.yaml", "bad status", 7, 1)
    assert lint.step_summary(LintReport([finding], 3), "plan/") == (
        "### Plan lint\n\n| | Where | Rule | Finding |\n|---|---|---|---|\n"
        "| error | `plan/events/a.yaml:7` | TP109 | bad status |\n\n"
    )


def test_diff_step_summary_is_the_markdown_report_and_github_output_leaves_it_out() -> None:
    change = Change("add", "event", "TP001", "info", "event `Order Placed` added", "Order Placed")
    result, context = DiffResult([change], []), ReportContext("main", "head")
    summary = diff.step_summary(result, context)
    assert summary == diff.render(result, "markdown", context) + "\n"
    assert summary.startswith("<!-- trackplan:trackplan:review -->\n### Tracking plan · 1 event changed")
    assert "Tracking plan" not in diff.render(result, "github", context)

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import DATA, NEEDS_CHROMIUM, CliRunnerCall, chromium


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


@pytest.fixture
def feature(plan_repo: Path) -> Path:
    """A branch with a breaking change, a warning, an addition, a removal and a rename."""
    git(plan_repo, "checkout", "-qb", "feature")
    events = plan_repo / "events"
    checkout = events / "checkout-completed.yaml"
    checkout.write_text(
        checkout.read_text().replace("enum: [card, paypal, apple_pay, invoice]", "enum: [card, paypal]")
    )
    signed = events / "signed-up.yaml"
    signed.write_text(signed.read_text().replace("required: [signup_method, plan]", "required: [signup_method]"))
    viewed = events / "product-viewed.yaml"
    viewed.write_text(
        viewed.read_text()
        .replace("x-version: 1-1-0", "x-version: 1-2-0")
        .replace(
            "required: [product_id",
            "  referrer:\n    type: string\n    description: Where from.\nrequired: [product_id",
        )
    )
    (events / "search-performed.yaml").unlink()
    cancelled = events / "subscription-cancelled.yaml"
    cancelled.write_text(cancelled.read_text().replace("title: Subscription Cancelled", "title: Subscription Ended"))
    git(plan_repo, "add", "-A")
    git(plan_repo, "commit", "-qm", "feature changes")
    return plan_repo


def test_json_change_sets(feature: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", feature, "diff", "main", "feature", "--format", "json")
    assert result.exit_code == 0, result.output
    doc = json.loads(result.stdout)
    rules = {(c["event"], c["rule"]) for s in doc["changeSets"].values() for c in s}
    assert ("Checkout Completed", "TP022") in rules  # enum values removed: breaking
    assert ("Signed Up", "TP027") in rules  # required -> optional: warning
    assert ("Product Viewed", "TP010") in rules  # optional property added
    assert ("Search Performed", "TP002") in rules  # removed
    assert ("Subscription Ended", "TP003") in rules  # renamed in place: one record
    assert not any(r == ("Subscription Cancelled", "TP002") for r in rules)
    assert doc["counts"]["breaking"] >= 3 and doc["counts"]["warning"] >= 1
    removed = [c for c in doc["changeSets"]["update"] if c["rule"] == "TP022"]  # a property changes
    assert {c["before"] for c in removed} == {"apple_pay", "invoice"}
    checkout = next(v for v in doc["versions"] if v["event"] == "Checkout Completed")
    assert checkout["needed"] == "model" and checkout["expected"] == "3-0-0" and checkout["tooSmall"]
    assert next(v for v in doc["versions"] if v["event"] == "Product Viewed")["tooSmall"] is False


def test_fail_on_and_default_range(feature: Path, run_cli: CliRunnerCall) -> None:
    assert run_cli("-C", feature, "diff", "--fail-on", "breaking").exit_code == 1
    assert run_cli("-C", feature, "diff", "main..feature", "--fail-on", "never").exit_code == 0
    assert run_cli("-C", feature, "diff", "main...feature", "--fail-on", "warning").exit_code == 1
    assert run_cli("-C", feature, "diff", "feature", "feature", "--fail-on", "breaking").exit_code == 0


def test_formatting_only_change_is_no_change(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    file = plan_repo / "events" / "signed-up.yaml"
    file.write_text("# a new comment\n" + file.read_text().replace("[signup_method, plan]", "[plan, signup_method]"))
    result = run_cli("-C", plan_repo, "diff", "--format", "json")
    assert json.loads(result.stdout)["counts"] == {"breaking": 0, "warning": 0, "info": 0}


def test_markdown_comment(feature: Path, run_cli: CliRunnerCall) -> None:
    md = run_cli("-C", feature, "diff", "main", "feature", "--format", "markdown").output
    assert md.startswith("<!-- trackplan:trackplan:review -->\n### Tracking plan · ")
    assert "❌" in md and "> ❌ **Breaking**" in md
    assert (
        '| ❌ breaking | Checkout Completed | payment_method: enum value `"invoice"` removed | 2-0-0 → needs 3-0-0 | TP022 |'
        in md
    )
    assert "<details><summary>Checkout Completed · schema diff</summary>" in md
    assert "-  - invoice" in md or "- invoice" in md


def test_markdown_is_trimmed_to_githubs_limit() -> None:
    from trackplan.diffing.events import diff_plans
    from trackplan.model import Event, Plan, Property
    from trackplan.report.context import ReportContext
    from trackplan.report.diff import render

    old = Plan(events=tuple(Event(f"Event {i}", properties=(Property.build("p", type="string"),)) for i in range(600)))
    new = Plan(
        events=tuple(
            Event(f"Event {i}", description="x" * 200, properties=(Property.build("p", type="integer"),))
            for i in range(600)
        )
    )
    md = render(diff_plans(old, new), "markdown", ReportContext("a", "b"))
    assert len(md) <= 65_536
    assert "left out to fit GitHub's 65,536-character limit" in md or "Report cut" in md


def test_github_annotations_and_step_summary(
    feature: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    out = run_cli("-C", feature, "diff", "main", "feature", "--format", "github").output
    errors = [line for line in out.splitlines() if line.startswith("::error ")]
    assert errors and all("file=events/" in e and ",line=" in e for e in errors)
    enum_error = next(e for e in errors if "payment_method" in e)
    line = int(enum_error.split("line=")[1].split(",")[0])
    assert (
        (feature / "events" / "checkout-completed.yaml")
        .read_text()
        .splitlines()[line - 1]
        .strip()
        .startswith("payment_method:")
    )
    assert "title=TP022 breaking" in enum_error
    assert summary.read_text().startswith("<!-- trackplan:trackplan:review -->")
    assert "main -> feature" in out  # the full report is in the log


def test_annotation_escaping() -> None:
    from trackplan.report._github import escape_data, escape_property

    assert escape_data("50%\nnext\r") == "50%25%0Anext%0D"
    assert escape_property("a:b,c") == "a%3Ab%2Cc"


def test_sarif(feature: Path, run_cli: CliRunnerCall) -> None:
    doc = json.loads(run_cli("-C", feature, "diff", "main", "feature", "--format", "sarif").stdout)
    assert doc["version"] == "2.1.0"
    run = doc["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert result["ruleId"] in ids and ids[result["ruleIndex"]] == result["ruleId"]
        assert result["level"] in ("error", "warning", "note")
        assert result["partialFingerprints"]["trackplanChange/v1"]
    assert any(r["level"] == "error" for r in run["results"])


def test_fix_versions_rewrites_files_keeping_comments(feature: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", feature, "diff", "main", "WORKTREE", "--fix-versions")
    assert result.exit_code == 0
    text = (feature / "events" / "checkout-completed.yaml").read_text()
    assert "x-version: 3-0-0" in text and "# Revenue reporting reads this event" in text
    again = json.loads(run_cli("-C", feature, "diff", "main", "WORKTREE", "--format", "json").output)
    assert not any(v["tooSmall"] for v in again["versions"])


def test_no_color_and_color_always(feature: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch) -> None:
    assert "\x1b[" in run_cli("-C", feature, "diff", "main", "feature", "--color", "always").output
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run_cli("-C", feature, "diff", "main", "feature").output


@NEEDS_CHROMIUM
def test_markdown_comment_renders_in_a_browser(feature: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    markdown_it = pytest.importorskip("markdown_it")
    md = run_cli("-C", feature, "diff", "main", "feature", "--format", "markdown").stdout
    html = markdown_it.MarkdownIt("commonmark").enable("table").render(md)
    assert "<table>" in html and "<details>" in html and "<blockquote>" in html
    page = tmp_path / "pr.html"
    page.write_text(f"<html><head><meta charset=utf-8></head><body>{html}</body></html>")
    shot = tmp_path / "pr.png"
    chromium("--window-size=1000,800", f"--screenshot={shot}", page.as_uri(), profile=tmp_path / "p")
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_property_changes_name_their_event_in_every_format(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """Issue 13.1: `coupon: optional -> required` named no event, and `currency` made optional
    on two events printed two identical lines."""
    events = plan_repo / "events"
    checkout = events / "checkout-completed.yaml"
    checkout.write_text(
        checkout.read_text().replace(
            "required: [order_id, revenue, currency, payment_method]", "required: [order_id, revenue, coupon]"
        )
    )
    viewed = events / "product-viewed.yaml"
    viewed.write_text(viewed.read_text().replace("required: [product_id, price, currency]", "required: [product_id]"))
    text = run_cli("-C", plan_repo, "diff", "--color", "never").stdout
    assert text.splitlines()[2:] == [
        "update (7)",
        "  breaking TP026  Checkout Completed.coupon: optional -> required",
        "  warning  TP060  Checkout Completed: x-version 2-0-0 is too small for a model change; expected 3-0-0",
        "  warning  TP027  Checkout Completed.currency: required -> optional",
        "  warning  TP027  Checkout Completed.payment_method: required -> optional",
        "  warning  TP060  Product Viewed: x-version 1-1-0 is too small for a revision change; expected 1-2-0",
        "  warning  TP027  Product Viewed.currency: required -> optional",
        "  warning  TP027  Product Viewed.price: required -> optional",
        "",
        "version: Checkout Completed: 2-0-0 -> expected 3-0-0 (model)",
        "",
        "version: Product Viewed: 1-1-0 -> expected 1-2-0 (revision)",
    ]
    doc = json.loads(run_cli("-C", plan_repo, "diff", "--format", "json").stdout)
    messages = [c["message"] for c in doc["changeSets"]["update"]]
    assert "Checkout Completed.coupon: optional -> required" in messages
    assert "Product Viewed.currency: required -> optional" in messages
    sarif = json.loads(run_cli("-C", plan_repo, "diff", "--format", "sarif").stdout)
    assert [r["message"]["text"] for r in sarif["runs"][0]["results"]] == messages
    markdown = run_cli("-C", plan_repo, "diff", "--format", "markdown").stdout
    assert (
        "| ❌ breaking | Checkout Completed | coupon: optional -> required | 2-0-0 → needs 3-0-0 | TP026 |" in markdown
    )


def test_dry_run_header_names_both_sides(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """Issue 13.4: the dry run's diff was headed `import/avo -> import`."""
    export = DATA / "import" / "good" / "avo-export.json"
    dry = run_cli("-C", plan_repo, "import", export, "--branch", "import/avo", "--dry-run").stdout
    assert next(line for line in dry.splitlines() if " -> " in line).startswith("main -> import/avo (after import): ")
    assert run_cli("-C", plan_repo, "import", export, "--branch", "import/avo").exit_code == 0
    itly = DATA / "import" / "good" / "itly.json"
    again = run_cli("-C", plan_repo, "import", itly, "--branch", "import/avo", "--dry-run").stdout
    assert next(line for line in again.splitlines() if " -> " in line).startswith(
        "import/avo -> import/avo (after import): "
    )


def test_messages_say_none_and_counts_in_words(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    """Issue 13.3: `x-version None is too small for a addition change`, `maxLength `null` -> `10``."""
    checkout = plan_repo / "events" / "checkout-completed.yaml"
    checkout.write_text(
        checkout.read_text()
        .replace("x-version: 2-0-0\n", "")
        .replace(
            "    description: Coupon code applied, if any.\n",
            "    description: Coupon code applied, if any.\n    maxLength: 10\n",
        )
    )
    text = run_cli("-C", plan_repo, "diff").stdout
    assert text.splitlines()[0].endswith(": 1 event changed, 1 breaking, 1 warning, 0 info")
    assert "  breaking TP032  Checkout Completed.coupon: maxLength set to `10`" in text
    assert "  warning  TP060  Checkout Completed: no x-version; a model change needs 3-0-0" in text
    assert "version: Checkout Completed: no x-version -> expected 3-0-0 (model)" in text
    assert "None" not in text and "null" not in text


def test_markdown_words_removal_versions_and_the_merge_base_branch(feature: Path, run_cli: CliRunnerCall) -> None:
    """Issue 13.12: emoji-only severities, a blank Version for removals, a bare sha for the merge base."""
    base = git(feature, "merge-base", "main", "feature").strip()
    md = run_cli("-C", feature, "diff", "--format", "markdown").stdout.splitlines()
    assert md[2] == f"`main (merge base {base[:12]})` → `work tree`"
    assert "| Severity | Event | Change | Version | Rule |" in md
    assert "| ❌ breaking | Search Performed | event `Search Performed` removed | 1-0-0 → removed | TP002 |" in md
    assert "| ⚠️ warning | Signed Up | plan: required -> optional | 1-0-1 → needs 1-1-0 | TP027 |" in md
    assert run_cli("-C", feature, "diff", "main...feature").stdout.startswith(
        f"main (merge base {base[:12]}) -> feature: "
    )

"""`trackplan codegen` chooses events by source, by tracking plan or both, at any ref or in the
work tree, and reports bad input in one line with exit code 2."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from tests.codegen.support import commit_all
from tests.helpers import CliRunnerCall


def functions(text: str) -> list[str]:
    return re.findall(r"^export function (\w+)\(", text, flags=re.MULTILINE)


def test_a_tracking_plan_chooses_its_event_specifications(hostile_repo: Path, run_cli: CliRunnerCall) -> None:
    by_name = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "--plan", "Checkout")
    assert by_name.exit_code == 0, by_name.output
    assert functions(by_name.stdout) == ["setup", "identify", "group", "orderShipped", "class_"]
    assert "// Events:   2 (tracking plan Checkout)\n" in by_name.stdout
    by_slug = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "--plan", "checkout")
    assert by_slug.stdout == by_name.stdout.replace("--plan Checkout", "--plan checkout")
    both = run_cli("-C", hostile_repo, "codegen", "--lang", "python", "--plan", "Checkout", "--source", "server")
    assert "# Events:   2 (tracking plan Checkout, source server)\n" in both.stdout
    assert "\ndef order_shipped(\n" in both.stdout and "\ndef class_(\n" in both.stdout


def test_a_source_chooses_the_events_sent_from_it(hostile_repo: Path, run_cli: CliRunnerCall) -> None:
    server = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "--source", "server")
    assert functions(server.stdout) == [
        "setup",
        "identify",
        "group",
        "achatEffectué購入完了",
        "orderShipped",
        "refundIssued",
        "setup_2",
        "class_",
        "購入完了",
        "event",
    ]
    # server has no destinations of its own; an event's name mapping names Segment
    assert 'export type Destination = "Segment";' in server.stdout
    web = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "--source", "web")
    assert 'export type Destination = "Amplitude \\"EU\\"" | "Segment";' in web.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--plan", "Nope"), "no tracking plan 'Nope' at HEAD; known tracking plans: 'Checkout'"),
        (("--source", "nope"), "unknown source 'nope'; known sources: server, web"),
        (("--ref", "nope"), "unknown ref 'nope'"),
    ],
)
def test_bad_input_is_one_line_with_exit_code_2(
    hostile_repo: Path, run_cli: CliRunnerCall, args: tuple[str, ...], message: str
) -> None:
    result = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", *args)
    assert (result.exit_code, result.stderr) == (2, f"trackplan: error: {message}\n")


def test_without_tracking_plans_the_error_says_where_they_would_be(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "codegen", "--lang", "python", "--plan", "Checkout")
    assert (result.exit_code, result.stderr) == (
        2,
        "trackplan: error: no tracking plan 'Checkout' at HEAD; known tracking plans: none in tracking-plans/\n",
    )


def test_a_tracking_plan_naming_unknown_events_is_refused(hostile_repo: Path, run_cli: CliRunnerCall) -> None:
    (hostile_repo / "tracking-plans" / "broken.yaml").write_text(
        f"id: {uuid.uuid4()}\nname: Broken\neventSpecifications:\n"
        + "".join(f"  - {{id: {uuid.uuid4()}, event: {name}}}\n" for name in ("Ghost", "class", "Phantom"))
    )
    commit_all(hostile_repo, "A broken tracking plan")
    result = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "--plan", "Broken")
    assert (result.exit_code, result.stderr) == (
        2,
        "trackplan: error: tracking-plans/broken.yaml: tracking plan 'Broken' names events not in the plan: "
        "'Ghost', 'Phantom'\n",
    )
    (hostile_repo / "tracking-plans" / "broken.yaml").write_text(
        f"id: {uuid.uuid4()}\nname: Broken\neventSpecifications:\n  - {{}}\n"
    )
    result = run_cli("-C", hostile_repo, "codegen", "--lang", "ts", "--plan", "Broken", "--ref", "WORKTREE")
    assert (
        result.stderr
        == "trackplan: error: tracking-plans/broken.yaml: eventSpecifications[0].event: an event specification needs "
        "an event (a name or an Iglu URI)\n"
    )


def test_any_ref_or_the_work_tree(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    event = plan_repo / "events" / "product-viewed.yaml"
    event.write_text(event.read_text().replace("title: Product Viewed", "title: Product Seen"))
    worktree = run_cli("-C", plan_repo, "codegen", "--lang", "ts", "--source", "ios", "--ref", "WORKTREE")
    assert functions(worktree.stdout) == ["setup", "identify", "productSeen", "searchPerformed", "signedUp"]
    assert "// Commit:   none (uncommitted work tree)\n" in worktree.stdout and "  commit: null,\n" in worktree.stdout
    commit_all(plan_repo, "Rename")
    older = run_cli("-C", plan_repo, "codegen", "--lang", "ts", "--source", "ios", "--ref", "HEAD~1")
    assert functions(older.stdout) == ["setup", "identify", "productViewed", "searchPerformed", "signedUp"]
    assert "// Ref:      HEAD~1\n" in older.stdout


def test_validate_modes(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    def generated(mode: str) -> str:
        return run_cli("-C", plan_repo, "codegen", "--lang", "ts", "--source", "web", "--validate", mode).stdout

    none, dev, always = generated("none"), generated("dev"), generated("always")
    assert "_check" not in none and "onViolation" not in none
    assert "readonly validate?: boolean;" in dev and "if (current.validate !== false) _validate(" in dev
    assert "readonly validate?: boolean;" not in always and "  _validate(current, info, properties);\n" in always
    assert "--validate none` again" in none and "--validate always` again" in always

"""`check` judges a payload by the plan at the commit it names in `context.trackingPlan.commit`."""

from __future__ import annotations

import importlib.util
import io
import json
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall
from trackplan.checking.checker import Checker
from trackplan.checking.commits import payload_commit
from trackplan.checking.run import CheckRequest, check_ref
from trackplan.repo.workspace import Workspace

SEARCH = {"query": "shoes", "result_count": 3}  # valid before `filters` became required


def require_filters(repo: Path) -> tuple[str, str]:
    """Commit a change making Search Performed's `filters` required: (older commit, HEAD)."""
    older = Workspace(repo).store.resolve("HEAD")
    file = repo / "events" / "search-performed.yaml"
    file.write_text(
        file.read_text().replace("required: [query, result_count]", "required: [query, result_count, filters]")
    )
    subprocess.run(["git", "commit", "-qam", "filters required"], cwd=repo, check=True)
    return older, Workspace(repo).store.resolve("HEAD")


def track(commit: Any = None, *, context: bool = True) -> dict[str, Any]:
    """A Segment track call as the documented adapter sends it."""
    doc: dict[str, Any] = {"type": "track", "event": "Search Performed", "properties": SEARCH}
    if context:
        doc["context"] = {"trackingPlan": {"plan": "Test plan", "commit": commit, "event": "Search Performed"}}
    return doc


def check(run_cli: CliRunnerCall, repo: Path, docs: list[dict[str, Any]], *args: str) -> tuple[int, dict[str, Any]]:
    lines = "".join(json.dumps(d) + "\n" for d in docs)
    result = run_cli("-C", repo, "check", "-", "--format", "json", *args, input=lines)
    return result.exit_code, json.loads(result.stdout)


def test_a_payload_is_checked_at_the_commit_it_names(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    older, head = require_filters(plan_repo)
    for doc, valid in [(track(older), 1), (track(older[:12]), 1), (track(head), 0), (track(), 0), (track(None), 0)]:
        code, summary = check(run_cli, plan_repo, [doc], "--max-invalid", "0")
        assert (code, summary["invalid"], summary["events"]["Search Performed"]["valid"]) == (
            1 - valid,
            1 - valid,
            valid,
        )
    _, summary = check(run_cli, plan_repo, [track(older), track(head), track(context=False)])
    assert (summary["checked"], summary["invalid"]) == (3, 2)
    assert summary["commits"] == {older: 1, head: 1}
    assert summary["unknownCommits"] == {}
    errors = summary["events"]["Search Performed"]["topErrors"]
    assert errors == [
        {
            "path": "$.properties",
            "message": '"filters" is a required property',
            "count": 2,
            "at": [{"line": 2}, {"line": 3}],
        }
    ]


def test_ignore_payload_commit_checks_every_payload_at_the_ref(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    older, _ = require_filters(plan_repo)
    _, summary = check(run_cli, plan_repo, [track(older)], "--ignore-payload-commit")
    assert (summary["invalid"], summary["commits"]) == (1, {})
    _, summary = check(run_cli, plan_repo, [track(older)], "--ignore-payload-commit", "--ref", older)
    assert (summary["invalid"], summary["commits"]) == (0, {})


def test_an_unknown_commit_is_reported_and_counts_as_invalid(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    older, _ = require_filters(plan_repo)
    missing = "0123456789abcdef0123456789abcdef01234567"
    docs = [track(missing), track(missing), track("main"), track(older)]
    code, summary = check(run_cli, plan_repo, docs, "--max-invalid", "2")
    assert code == 1  # 3 invalid > 2
    assert (summary["checked"], summary["invalid"]) == (4, 3)
    assert summary["unknownCommits"] == {missing: 2, "main": 1}  # a branch name is no commit id
    assert summary["commits"] == {older: 1}
    assert summary["events"]["Search Performed"] == {
        "seen": 1,
        "valid": 1,
        "invalid": 0,
        "errors": 0,
        "topErrors": [],
        "otherErrors": {"kinds": 0, "count": 0},
        "neverSent": ["filters"],
    }
    text = run_cli("-C", plan_repo, "check", "-", input=json.dumps(track(missing)) + "\n").stdout
    assert text == (
        f"unknown commit {missing}: 1 not checked (no plan at that commit in this repository)\n"
        "1 checked, 1 invalid, 0 malformed\n"
    )


def test_the_text_report_names_the_commits_checked(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    older, _ = require_filters(plan_repo)
    text = run_cli("-C", plan_repo, "check", "-", input=json.dumps(track(older)) + "\n").stdout
    assert text == (
        "Search Performed: 1 seen, 1 valid, 0 invalid\n"
        "    never sent: filters\n"
        f"checked at commit {older}: 1\n"
        "1 checked, 0 invalid, 0 malformed\n"
    )


def test_many_payloads_at_one_commit_build_one_checker(plan_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    older, head = require_filters(plan_repo)
    built: list[int] = []
    original = Checker.__init__

    def counting(self: Checker, *args: Any, **kwargs: Any) -> None:
        built.append(1)
        original(self, *args, **kwargs)

    monkeypatch.setattr(Checker, "__init__", counting)
    docs = [track(older)] * 2000 + [track(older[:10])] * 500 + [track(head)] * 500 + [track(context=False)] * 500
    stream = io.BytesIO("".join(json.dumps(d) + "\n" for d in docs).encode())
    outcome = check_ref(Workspace(plan_repo), CheckRequest("-"), stream)
    assert len(built) == 2  # HEAD's (also the --ref's), then the older commit's, each once
    assert (outcome.summary["checked"], outcome.summary["invalid"]) == (3500, 1000)
    assert outcome.summary["commits"] == {older: 2000, older[:10]: 500, head: 500}


@pytest.mark.parametrize(
    ("doc", "commit"),
    [
        ({"event": "E", "context": {"trackingPlan": {"commit": "abcd1234"}}}, "abcd1234"),
        ({"event": "E", "context": {"trackingPlan": {"commit": 42}}}, "42"),
        ({"event": "E", "context": {"trackingPlan": {"commit": None}}}, None),
        ({"event": "E", "context": {"trackingPlan": "abcd1234"}}, None),
        ({"event": "E", "context": []}, None),
        ([], None),
    ],
    ids=["a-commit", "not-a-string", "uncommitted-files", "no-object", "context-not-an-object", "not-an-object"],
)
def test_the_commit_a_payload_names(doc: Any, commit: str | None) -> None:
    assert payload_commit(doc) == commit


def test_generated_calls_are_checked_at_the_commit_they_came_from(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The Python code generated before `filters` became required, sending through the Segment
    # adapter of docs/codegen.md: its payloads stay valid after the plan moves on.
    module = tmp_path / "tracking_at_older.py"
    result = run_cli("-C", plan_repo, "codegen", "--lang", "python", "--source", "web", "-o", module)
    assert result.exit_code == 0, result.output
    older, _ = require_filters(plan_repo)
    spec = importlib.util.spec_from_file_location(module.stem, module)
    assert spec is not None and spec.loader is not None
    tracking = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, module.stem, tracking)  # its dataclasses look their module up
    spec.loader.exec_module(tracking)
    sent: list[dict[str, Any]] = []

    class Segment:
        def track(self, name: str, properties: Mapping[str, object], context: Any, /) -> None:
            sent.append({"type": "track", "event": name, "properties": dict(properties)})
            sent[-1]["context"] = {"trackingPlan": vars(context)}

        def identify(self, user_id: str, traits: Mapping[str, object], context: Any, /) -> None: ...

        def group(self, group_id: str, traits: Mapping[str, object], context: Any, /) -> None: ...

    tracking.setup(Segment(), destination="Segment")
    tracking.search_performed(query="shoes", result_count=3)
    assert sent[0]["context"]["trackingPlan"]["commit"] == older
    _, summary = check(run_cli, plan_repo, sent)
    assert (summary["invalid"], summary["commits"]) == (0, {older: 1})
    assert check(run_cli, plan_repo, sent, "--ignore-payload-commit")[1]["invalid"] == 1

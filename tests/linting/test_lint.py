"""Each lint rule's own examples (the ones in docs/rules.md) are its tests."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import ROOT, CliRunnerCall
from trackplan.linting.engine import lint_files
from trackplan.linting.rules import CATALOGUE, example_files, rules_markdown

DOCS = ROOT / "docs" / "rules.md"


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.id)
def test_valid_example_passes_the_rule(rule: object) -> None:
    report = lint_files(example_files(rule, valid=True))  # type: ignore[arg-type]
    assert [f.rule for f in report.findings] == []


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.id)
def test_invalid_example_is_flagged_by_the_rule(rule: object) -> None:
    report = lint_files(example_files(rule, valid=False))  # type: ignore[arg-type]
    found = [f for f in report.findings if f.rule == rule.id]  # type: ignore[attr-defined]
    assert found, [f.rule for f in report.findings]
    assert all(f.line >= 1 and f.column >= 1 and f.hint for f in found)


def test_docs_rules_md_is_generated_from_the_catalogue() -> None:
    assert DOCS.read_text() == rules_markdown(), (
        "docs/rules.md is stale: run `trackplan rules --markdown > docs/rules.md`"
    )


def test_positions_point_at_the_yaml_node() -> None:
    text = (
        "title: Order Completed\ndescription: x\ntype: object\nx-sources: [web]\nproperties:\n"
        "  order_id:\n    type: string\n    enum: [1, 2]\n    pattern: '^(ord_'\n"
    )
    files = {"trackplan.yaml": b"sources: [web]\n", "events/order-completed.yaml": text.encode()}
    found = {f.rule: (f.line, f.column) for f in lint_files(files).findings}
    assert found["TP122"] == (6, 3)  # the property key
    assert found["TP123"] == (9, 5)  # the pattern key


def test_severity_overrides_off_and_suppressions(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    event = plan_repo / "events" / "signed-up.yaml"
    event.write_text(event.read_text().replace("x-owner: Growth", "x-owner: Growht"))
    result = run_cli("-C", plan_repo, "validate", "--format", "json")
    findings = json.loads(result.stdout)["findings"]
    assert [(f["rule"], f["severity"], f["file"]) for f in findings] == [("TP108", "warning", "events/signed-up.yaml")]
    assert result.exit_code == 0
    assert run_cli("-C", plan_repo, "validate", "--fail-on", "warning").exit_code == 1
    settings = plan_repo / "trackplan.yaml"
    base = settings.read_text()
    settings.write_text(base + "lint:\n  rules: {TP108: error}\n")
    assert run_cli("-C", plan_repo, "validate").exit_code == 1
    settings.write_text(
        base + "lint:\n  suppress:\n    - {rule: TP108, event: Signed Up, reason: typo fixed in app 2.0}\n"
    )
    assert json.loads(run_cli("-C", plan_repo, "validate", "--format", "json").stdout)["findings"] == []
    settings.write_text(base + "lint:\n  rules: {TP108: off}\n")
    assert json.loads(run_cli("-C", plan_repo, "validate", "--format", "json").stdout)["findings"] == []


def test_template_plan_is_clean_and_refs_work(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    assert run_cli("-C", plan_repo, "validate").exit_code == 0
    (plan_repo / "events" / "bad.yaml").write_text("title: [\n")
    assert run_cli("-C", plan_repo, "validate", "--ref", "HEAD").exit_code == 0  # the commit is clean
    result = run_cli("-C", plan_repo, "validate")
    assert result.exit_code == 1 and "events/bad.yaml:2:1: error TP101" in result.stdout


def test_paths_limit_findings_like_pre_commit(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    for name in ("a", "b"):
        (plan_repo / "events" / f"{name}.yaml").write_text(f"title: {name} event\n")
    result = run_cli("-C", plan_repo, "validate", "events/a.yaml", "--format", "json")
    files = {f["file"] for f in json.loads(result.stdout)["findings"]}
    assert files == {"events/a.yaml"}


def test_github_and_sarif_output(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    (plan_repo / "events" / "signed-up.yaml").write_text(
        (plan_repo / "events" / "signed-up.yaml").read_text().replace("x-status: live", "x-status: shipped")
    )
    out = run_cli("-C", plan_repo, "validate", "--format", "github").stdout
    assert out.startswith("::error file=events/signed-up.yaml,line=7,col=1,title=TP109 invalid-status::")
    sarif = json.loads(run_cli("-C", plan_repo, "validate", "--format", "sarif").stdout)
    [result] = sarif["runs"][0]["results"]
    assert result["ruleId"] == "TP109" and result["locations"][0]["physicalLocation"]["region"]["startLine"] == 7


@pytest.mark.corpus
@pytest.mark.parametrize(
    "source",
    [
        "avo/export-example.json",
        "segment-typewriter/plan.json",
        "segment-typewriter/plan-v1.json",
        "iglu-central/schemas",
    ],
)
def test_corpora_import_then_validate_without_crashing(source: str, tmp_path: Path, run_cli: CliRunnerCall) -> None:
    from tests.helpers import corpus

    path = corpus(*source.split("/"))
    repo = tmp_path / "p"
    assert run_cli("init", repo, "--empty").exit_code == 0
    assert run_cli("-C", repo, "import", path, "--branch", "imported").exit_code == 0
    subprocess.run(["git", "checkout", "-q", "imported"], cwd=repo, check=True)
    result = run_cli("-C", repo, "validate", "--format", "json")
    assert result.exit_code in (0, 1)
    doc = json.loads(result.stdout)
    assert doc["files"] > 1


def test_warm_runs_reuse_per_file_results(plan_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from trackplan.linting import engine as linting
    from trackplan.repo.workspace import Workspace

    (plan_repo / "events" / "signed-up.yaml").write_text(
        (plan_repo / "events" / "signed-up.yaml").read_text().replace("x-owner: Growth", "x-owner: Nobody")
    )
    first = linting.lint_ref(Workspace(plan_repo))
    calls: list[str] = []
    original = linting.analyse
    monkeypatch.setattr(linting, "analyse", lambda path, *a: calls.append(path) or original(path, *a))
    second = linting.lint_ref(Workspace(plan_repo))
    assert [f.to_json() for f in second.findings] == [f.to_json() for f in first.findings] != []
    assert calls == []
    (plan_repo / "events" / "product-viewed.yaml").write_text(
        (plan_repo / "events" / "product-viewed.yaml").read_text() + "# edit\n"
    )
    linting.lint_ref(Workspace(plan_repo))
    assert calls == ["events/product-viewed.yaml"]  # only the changed file is read again


def test_a_renamed_file_is_linted_under_its_new_name(plan_repo: Path) -> None:
    from trackplan.linting import engine as linting
    from trackplan.repo.workspace import Workspace

    assert not [f for f in linting.lint_ref(Workspace(plan_repo)).findings if f.rule == "TP105"]
    (plan_repo / "events" / "signed-up.yaml").rename(plan_repo / "events" / "joined.yaml")  # same blob
    findings = linting.lint_ref(Workspace(plan_repo)).findings
    assert [(f.rule, f.file) for f in findings if f.rule == "TP105"] == [("TP105", "events/joined.yaml")]


def test_misplaced_files_of_a_sharded_plan_are_reported(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    settings = plan_repo / "trackplan.yaml"
    settings.write_text(settings.read_text() + "events_layout: sharded\n")
    result = run_cli("-C", plan_repo, "validate", "--format", "json")
    misplaced = [f["file"] for f in json.loads(result.stdout)["findings"] if f["rule"] == "TP127"]
    assert sorted(misplaced) == sorted(f"events/{p.name}" for p in (plan_repo / "events").iterdir())

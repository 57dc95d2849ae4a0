"""Each lint rule's own examples (the ones in docs/rules.md) are its tests."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import ROOT, CliRunnerCall
from tests.trackingplans.flagged import TRACKING_PLAN_FLAGGED
from trackplan.catalogue import Rule
from trackplan.linting.rules import CATALOGUE, RULES, example_files, rules_markdown
from trackplan.linting.run import lint_files

DOCS = ROOT / "docs" / "rules.md"


EVENT = "events/order-completed.yaml"
# Every finding of each rule's flagged example, where buf and ruff would state them: the rule's
# own findings and any another rule raises on the same plan, with file, line and column.
FLAGGED = {
    "TP101": [("TP101", EVENT, 2, 1)],
    "TP102": [("TP102", EVENT, 10, 5)],
    "TP103": [("TP103", EVENT, 1, 1)],
    "TP104": [("TP105", "events/order-completed-copy.yaml", 1, 1), ("TP104", EVENT, 1, 1)],
    "TP105": [("TP105", EVENT, 1, 1)],
    "TP106": [("TP106", EVENT, 6, 1)],
    "TP107": [("TP107", EVENT, 6, 1)],
    "TP108": [("TP108", EVENT, 7, 1)],
    "TP109": [("TP109", EVENT, 5, 1)],
    "TP110": [("TP110", EVENT, 4, 1)],
    "TP111": [("TP111", EVENT, 10, 5)],
    "TP112": [("TP112", EVENT, 14, 7), ("TP112", EVENT, 15, 7)],
    "TP113": [("TP113", EVENT, 1, 1)],
    "TP114": [("TP114", EVENT, 9, 3)],
    "TP115": [("TP115", EVENT, 1, 1)],
    "TP116": [("TP116", EVENT, 9, 3)],
    "TP117": [("TP105", "events/order-completed-x.yaml", 1, 1), ("TP117", EVENT, 1, 1)],
    # YAML 1.1 reads `yes` and `no` as booleans, so the string enum also fails TP122.
    "TP118": [("TP122", EVENT, 9, 3), ("TP122", EVENT, 9, 3), ("TP118", EVENT, 12, 12), ("TP118", EVENT, 12, 17)],
    "TP119": [("TP119", EVENT, 12, 5)],
    "TP120": [("TP120", EVENT, 12, 5)],
    "TP121": [("TP121", EVENT, 12, 1)],
    "TP122": [("TP122", EVENT, 9, 3), ("TP122", EVENT, 9, 3)],
    "TP123": [("TP123", EVENT, 12, 5)],
    "TP124": [("TP124", EVENT, 9, 3)],
    "TP125": [("TP125", "trackplan.yaml", 7, 7)],
    "TP126": [("TP126", "trackplan.yaml", 7, 7)],
    "TP127": [("TP127", EVENT, 1, 1)],
    "TP128": [("TP128", "trackplan.yaml", 1, 1)],
    "TP129": [("TP129", "trackplan.yaml", 5, 1)],
    "TP130": [("TP130", EVENT, 13, 1)],
    "TP131": [("TP131", "trackplan.yaml", 5, 1)],
    "TP132": [("TP132", "trackplan.yaml", 5, 1)],
    **TRACKING_PLAN_FLAGGED,
}


def test_every_rule_has_an_accepted_and_a_flagged_example() -> None:
    assert sorted(FLAGGED) == [rule.id for rule in CATALOGUE]
    assert all([e.fires for e in rule.examples] == [False, True] for rule in CATALOGUE)


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.id)
def test_valid_example_passes_the_rule(rule: Rule) -> None:
    accepted = next(e for e in rule.examples if not e.fires)
    assert lint_files(example_files(accepted)).findings == []


@pytest.mark.parametrize("rule", CATALOGUE, ids=lambda r: r.id)
def test_invalid_example_is_flagged_by_the_rule_at_its_position(rule: Rule) -> None:
    flagged = next(e for e in rule.examples if e.fires)
    findings = lint_files(example_files(flagged)).findings
    assert [(f.rule, f.file, f.line, f.column) for f in findings] == FLAGGED[rule.id]
    assert all(f.hint == RULES[f.rule].hint and f.severity == RULES[f.rule].severity() for f in findings)


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
    from trackplan.linting import run as linting
    from trackplan.repo.workspace import Workspace

    (plan_repo / "events" / "signed-up.yaml").write_text(
        (plan_repo / "events" / "signed-up.yaml").read_text().replace("x-owner: Growth", "x-owner: Nobody")
    )
    first = linting.lint_ref(Workspace(plan_repo))
    calls: list[str] = []
    original = linting.analyse

    def counting(path: str, *args: Any) -> Any:
        calls.append(path)
        return original(path, *args)

    monkeypatch.setattr(linting, "analyse", counting)
    second = linting.lint_ref(Workspace(plan_repo))
    assert [f.to_json() for f in second.findings] == [f.to_json() for f in first.findings] != []
    assert calls == []
    (plan_repo / "events" / "product-viewed.yaml").write_text(
        (plan_repo / "events" / "product-viewed.yaml").read_text() + "# edit\n"
    )
    linting.lint_ref(Workspace(plan_repo))
    assert calls == ["events/product-viewed.yaml"]  # only the changed file is read again


def test_a_renamed_file_is_linted_under_its_new_name(plan_repo: Path) -> None:
    from trackplan.linting import run as linting
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


@pytest.mark.parametrize(
    ("path", "text", "expected"),
    [
        (
            "trackplan.yaml",
            "name: X\nmain_branch: 5\n",
            "trackplan.yaml:2:1: error TP129 main_branch must be a string, not 5",
        ),
        ("trackplan.yaml", "name: X\nsources: 3\n", "trackplan.yaml:2:1: error TP129 sources must be a list, not 3"),
        (
            "trackplan.yaml",
            "name: X\nprotected_branches: {a: 1}\n",
            'trackplan.yaml:2:1: error TP129 protected_branches must be a list of branch names, not {"a": 1}',
        ),
        (
            "events/hand-written.yaml",
            "title: Hand Written\ntype: object\nx-name-mapping: 5\n",
            "events/hand-written.yaml:3:1: error TP130 field 'x-name-mapping' must be a list of {name, destination}",
        ),
        (
            "events/hand-written.yaml",
            "title: Hand Written\ntype: object\nx-sources: !!set {web}\n",
            "events/hand-written.yaml:3:1: error TP130 field 'x-sources' must be a list",
        ),
        (
            "events/hand-written.yaml",
            "title: Hand Written\ntype: object\nx-tags: !!binary aGVsbG8=\n",
            "events/hand-written.yaml:3:1: error TP130 field 'x-tags' must be a list",
        ),
        (
            "events/hand-written.yaml",
            "title: Hand Written\ntype: object\nproperties:\n  p: {type: number, maximum: .nan}\n",
            "events/hand-written.yaml:4:21: error TP102 not a valid JSON Schema at `properties/p/maximum`",
        ),
    ],
)
def test_validate_reports_hand_written_values_of_the_wrong_type(
    plan_repo: Path, run_cli: CliRunnerCall, path: str, text: str, expected: str
) -> None:
    (plan_repo / path).write_text(text)
    subprocess.run(["git", "add", path], cwd=plan_repo, check=True)
    subprocess.run(["git", "commit", "-qm", "hand-written"], cwd=plan_repo, check=True)
    for ref in ((), ("--ref", "HEAD")):
        result = run_cli("-C", plan_repo, "validate", *ref)
        assert result.exit_code == 1, result.output
        assert expected in result.stdout
        assert result.stderr == ""


def _settings_findings(plan_repo: Path, run_cli: CliRunnerCall, added: str) -> tuple[int, list[str]]:
    settings = plan_repo / "trackplan.yaml"
    settings.write_text(settings.read_text() + added)
    result = run_cli("-C", plan_repo, "validate")
    return result.exit_code, [line for line in result.stdout.splitlines() if line.startswith("trackplan.yaml")]


def test_a_misspelt_breaking_profile_is_an_error_at_its_line_with_the_value_meant(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    settings = plan_repo / "trackplan.yaml"
    text = settings.read_text().replace("breaking_profile: validation", "breaking_profile: validaton")
    settings.write_text(text)
    line = text.splitlines().index("breaking_profile: validaton") + 1
    result = run_cli("-C", plan_repo, "validate")
    assert result.exit_code == 1
    assert result.stdout == (
        f"trackplan.yaml:{line}:1: error TP132 breaking_profile: `validaton` is not one of validation, consumer; "
        "did you mean `validation`? (Use one of the values listed.)\n"
        "7 files checked: 1 error, 0 warnings, 0 info\n"
    )


def test_unknown_keys_are_warnings_with_the_closest_known_key(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    lines = len((plan_repo / "trackplan.yaml").read_text().splitlines())
    exit_code, found = _settings_findings(
        plan_repo, run_cli, "colour: auto\nlint:\n  rule: {TP115: off}\nsources_: []\n"
    )
    assert exit_code == 0
    hint = "(Fix the spelling or remove the key.)"
    assert found == [
        f"trackplan.yaml:{lines + 1}:1: warning TP131 unknown key `colour` {hint}",
        f"trackplan.yaml:{lines + 3}:3: warning TP131 unknown key `lint.rule`; did you mean `lint.rules`? {hint}",
        f"trackplan.yaml:{lines + 4}:1: warning TP131 unknown key `sources_`; did you mean `sources`? {hint}",
    ]


def test_rule_ids_levels_and_naming_conventions_are_checked(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    lines = len((plan_repo / "trackplan.yaml").read_text().splitlines())
    exit_code, found = _settings_findings(
        plan_repo,
        run_cli,
        "lint:\n  rules: {TP999: off, TP113: warn, tp115: off}\nbreaking_severity: {TP022: breakin}\n",
    )
    assert exit_code == 1
    hint = "(Use one of the values listed.)"
    assert found == [
        f"trackplan.yaml:{lines + 2}:11: error TP132 lint.rules: `TP999` is not a lint rule {hint}",
        f"trackplan.yaml:{lines + 2}:23: error TP132 lint.rules.TP113: `warn` is not one of error, warning, info, off; "
        f"did you mean `warning`? {hint}",
        f"trackplan.yaml:{lines + 2}:36: error TP132 lint.rules: `tp115` is not a lint rule; did you mean `TP115`? {hint}",
        f"trackplan.yaml:{lines + 3}:21: error TP132 breaking_severity.TP022: `breakin` is not one of breaking, warning, "
        f"info; did you mean `breaking`? {hint}",
    ]
    settings = plan_repo / "trackplan.yaml"
    settings.write_text(settings.read_text().replace("  events: Title Case\n", "  events: '[A-Z'\n"))
    result = run_cli("-C", plan_repo, "validate")  # a pattern that does not compile checks no event name
    assert [line.split(" (")[0] for line in result.stdout.splitlines() if "naming" in line] == [
        "trackplan.yaml:35:3: error TP132 naming.events: `[A-Z` is neither a convention nor a regular expression: "
        "unterminated character set at position 0"
    ]
    assert " warning TP113 " not in result.stdout


def test_a_yaml_error_in_the_settings_names_its_position_once(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    (plan_repo / "trackplan.yaml").write_text("name: X\nsources: [web\n")
    result = run_cli("-C", plan_repo, "validate")
    assert result.exit_code == 1
    assert result.stdout == (
        "trackplan.yaml:3:1: error TP101 invalid YAML: did not find expected ',' or ']' "
        "(Fix the syntax at the position shown.)\n"
        "7 files checked: 1 error, 0 warnings, 0 info\n"
    )


def test_every_setting_of_the_wrong_type_is_reported(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    (plan_repo / "trackplan.yaml").write_text("name: X\nsources: 5\nmain_branch: [a]\nevents_layout: shard\n")
    result = run_cli("-C", plan_repo, "validate")
    assert [line.split(" (")[0] for line in result.stdout.splitlines()] == [
        "trackplan.yaml:2:1: error TP129 sources must be a list, not 5",
        'trackplan.yaml:3:1: error TP129 main_branch must be a string, not ["a"]',
        "trackplan.yaml:4:1: error TP132 events_layout: `shard` is not one of flat, sharded; did you mean `sharded`?",
        "7 files checked: 3 errors, 0 warnings, 0 info",
    ]


def test_messages_name_null_values_as_yaml_writes_them(run_cli: CliRunnerCall) -> None:
    files = {
        "trackplan.yaml": b"name: X\nsources: [web]\n",
        EVENT: b"type: object\nx-sources: [web, null]\nx-status: true\n",
    }
    messages = [(f.rule, f.message) for f in lint_files(files).findings]
    assert messages == [
        ("TP103", "`title` is missing or empty"),
        ("TP115", "the event has no description"),
        ("TP107", "source `null` is not declared in trackplan.yaml"),
        ("TP109", "status `true` is not one of draft, live, deprecated"),
    ]


SCHEMA_ERRORS = """title: Order Completed
description: Sent when an order is placed.
type: object
properties:
  order_id:
    type: text
  total:
    type: number
    maximum: '100'
  note:
    type: string
    minLength: -1
  ratio:
    type: number
    maximum: .nan
"""


def test_every_json_schema_error_of_a_file_is_reported_as_check_jsonschema_lists_them(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    import jsonschema
    import yaml

    (plan_repo / "events" / "order-completed.yaml").write_text(SCHEMA_ERRORS)
    result = run_cli("-C", plan_repo, "validate", "events/order-completed.yaml")
    assert result.exit_code == 1
    assert [line.split(" (")[0] for line in result.stdout.splitlines()] == [
        "events/order-completed.yaml:6:5: error TP102 not a valid JSON Schema at `properties/order_id/type`: "
        "\"text\" is not valid under any of the schemas listed in the 'anyOf' keyword",
        "events/order-completed.yaml:9:5: error TP102 not a valid JSON Schema at `properties/total/maximum`: "
        '"100" is not of type "number"',
        "events/order-completed.yaml:12:5: error TP102 not a valid JSON Schema at `properties/note/minLength`: "
        "-1 is less than the minimum of 0",
        "events/order-completed.yaml:15:5: error TP102 not a valid JSON Schema at `properties/ratio/maximum`: "
        ".nan is not a JSON number",
        "1 file checked: 4 errors, 0 warnings, 0 info",
    ]
    # python-jsonschema, which check-jsonschema runs, finds the same places (NaN is a number to it).
    meta = jsonschema.Draft202012Validator(jsonschema.Draft202012Validator.META_SCHEMA)
    places = sorted("/".join(map(str, e.absolute_path)) for e in meta.iter_errors(yaml.safe_load(SCHEMA_ERRORS)))
    assert places == ["properties/note/minLength", "properties/order_id/type", "properties/total/maximum"]


DRAFT_04 = """title: Click
description: A click, from an Iglu registry.
type: object
x-vendor: com.acme
properties:
  at:
    type: array
    items:
      - type: integer
      - type: integer
  count:
    type: integer
    minimum: 0
    exclusiveMinimum: true
"""


@pytest.mark.parametrize(
    ("marker", "errors"),
    [
        ("x-vendor: com.acme", 0),  # Iglu's self-describing meta-schema extends draft-04
        ("x-meta-schema: http://json-schema.org/draft-04/schema#", 0),
        ("x-meta-schema: https://json-schema.org/draft/2020-12/schema", 2),
        ("x-status: live", 2),  # no dialect named: 2020-12, where both keywords take other values
    ],
)
def test_each_file_is_checked_against_the_dialect_it_declares(
    plan_repo: Path, run_cli: CliRunnerCall, marker: str, errors: int
) -> None:
    (plan_repo / "events" / "click.yaml").write_text(DRAFT_04.replace("x-vendor: com.acme", marker))
    result = run_cli("-C", plan_repo, "validate", "events/click.yaml")
    found = [line for line in result.stdout.splitlines() if "TP102" in line]
    assert len(found) == errors and len(set(found)) == len(found)  # each error once
    assert [line.split("`")[1] for line in found] == ["properties/at/items", "properties/count/exclusiveMinimum"][
        :errors
    ]


def test_a_folder_stands_for_the_plan_files_in_it(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    events = sorted((plan_repo / "events").glob("*.yaml"))
    result = run_cli("-C", plan_repo, "validate", "events/")
    assert (result.exit_code, result.stdout) == (0, f"{len(events)} files checked: 0 errors, 0 warnings, 0 info\n")


def test_a_path_that_names_no_plan_file_is_an_error_and_the_count_is_of_the_paths_given(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    missing = run_cli("-C", plan_repo, "validate", "events/nonexistent.yaml")
    assert (missing.exit_code, missing.stdout) == (2, "")
    assert missing.stderr == "trackplan: error: events/nonexistent.yaml: no such plan file in the work tree\n"
    (plan_repo / "events" / "new-event.yaml").write_text("title: New Event\n")
    at_head = run_cli("-C", plan_repo, "validate", "--ref", "HEAD", "events/new-event.yaml")
    assert (at_head.exit_code, at_head.stderr) == (
        2,
        "trackplan: error: events/new-event.yaml: no such plan file at 'HEAD'\n",
    )
    # pre-commit passes every YAML file: one that is no plan file is left out, and not counted.
    two = run_cli("-C", plan_repo, "validate", "events/signed-up.yaml", "trackplan.yaml", "README.md")
    assert (two.exit_code, two.stdout) == (0, "2 files checked: 0 errors, 0 warnings, 0 info\n")


def test_warm_runs_take_the_positions_of_cross_file_findings_from_the_cache(
    plan_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A plan whose every event has a plan-rule finding composed each file's YAML on every run."""
    from trackplan import yamlio
    from trackplan.linting import run as linting
    from trackplan.repo.workspace import Workspace

    event = plan_repo / "events" / "product-viewed.yaml"
    text = event.read_text()
    event.write_text(text.replace("  currency:\n    type: string", "  currency:\n    type: integer"))
    first = linting.lint_ref(Workspace(plan_repo))
    drift = [(f.file, f.line, f.column) for f in first.findings if f.rule == "TP116"]
    assert drift == [("events/checkout-completed.yaml", 24, 3)]
    composed: list[str] = []
    original = yamlio.key_positions

    def counting(text: str, paths: Any) -> Any:
        composed.append(text)
        return original(text, paths)

    monkeypatch.setattr(yamlio, "key_positions", counting)
    second = linting.lint_ref(Workspace(plan_repo))
    assert [f.to_json() for f in second.findings] == [f.to_json() for f in first.findings]
    assert composed == []


def test_every_x_key_docs_format_md_lists_is_known_to_tp106() -> None:
    from trackplan.linting.file_rules import EVENT_X_KEYS, PROPERTY_X_KEYS

    documented = set(re.findall(r"`(x-[a-z-]+)`", (ROOT / "docs" / "format.md").read_text()))
    assert documented <= EVENT_X_KEYS | PROPERTY_X_KEYS, sorted(documented - EVENT_X_KEYS - PROPERTY_X_KEYS)


@pytest.mark.parametrize(("mode", "kind"), [("160000", "submodule"), ("120000", "symlink")])
def test_a_submodule_or_symlink_named_like_an_event_file_is_reported(
    plan_repo: Path, run_cli: CliRunnerCall, mode: str, kind: str
) -> None:
    def git(*args: str, stdin: bytes | None = None) -> str:
        return subprocess.run(
            ["git", *args], cwd=plan_repo, input=stdin, capture_output=True, check=True
        ).stdout.decode()

    target = (
        "0123456789abcdef0123456789abcdef01234567"
        if mode == "160000"
        else git("hash-object", "-w", "--stdin", stdin=b"/etc/passwd").strip()
    )
    git("update-index", "--add", "--cacheinfo", f"{mode},{target},events/sub.yaml")
    git("commit", "-qm", f"a {kind} among the events")
    result = run_cli("-C", plan_repo, "validate", "--ref", "HEAD", "--format", "json")
    found = [f for f in json.loads(result.stdout)["findings"] if f["file"] == "events/sub.yaml"]
    assert [(f["rule"], f["message"]) for f in found] == [
        ("TP130", f"is a {kind} in the commit, not a file: no command reads it")
    ]
    assert result.exit_code == 1

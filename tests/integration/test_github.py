"""What GitHub and pre-commit run: the composite action, the template's workflow and the hooks."""

from __future__ import annotations

import yaml

from tests.helpers import ROOT


def test_action_passes_inputs_through_env_only() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "mode",
        "integration",
        "base",
        "fail-on",
        "comment",
        "version",
        "working-directory",
    }
    assert set(action["outputs"]) == {"breaking-count", "warning-count", "changed-events"}
    for step in action["runs"]["steps"]:
        assert "${{" not in step["run"], "inputs must reach scripts through env:, never interpolated"


def test_template_workflow_uses_least_permissions() -> None:
    workflow = yaml.safe_load((ROOT / "plan-template/.github/workflows/trackplan.yml").read_text())
    assert workflow[True]["pull_request"] is not None  # `on` reads as True in YAML 1.1
    assert workflow["permissions"] == {"contents": "read"}
    assert workflow["jobs"]["review"]["permissions"] == {"contents": "read", "pull-requests": "write"}


def test_pre_commit_hooks() -> None:
    hooks = {h["id"]: h for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())}
    assert hooks["trackplan-validate"]["entry"] == "trackplan validate"
    assert (
        hooks["trackplan-breaking"]["stages"] == ["pre-push"] and hooks["trackplan-breaking"]["pass_filenames"] is False
    )

"""`event_rows` reads its rows from the parsed documents: they equal the rows of the built
events (what `events` listed before it stopped building them) on real repositories, odd files
included, and a bad file fails with the plan load's own error, in the same order."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import CliRunnerCall, corpus
from trackplan.errors import InputError
from trackplan.repo.browse import ROW_DEPTH, event_rows
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


def built_rows(ws: Workspace, ref: str) -> list[dict[str, Any]]:
    """The rows of the built plan's events, as `events` made them from the model."""
    loaded = ws.load(ref)
    return [
        {
            "name": event.name,
            "path": loaded.event_paths[event.name],
            "id": event.id,
            "version": event.version,
            "status": event.status,
            "sources": list(event.sources),
            "tags": list(event.tags),
            "owner": event.owner,
            "properties": len(event.properties),
        }
        for event in loaded.plan.events
    ]


def nested(levels: int) -> str:
    return "{a: " * levels + "1" + "}" * levels


ODD_FILES = {
    # No title (named after its file), no sources, tags, owner or properties.
    "events/bare.yaml": "type: object\n",
    "events/web/checkout/nested-twice.yaml": "title: Nested Twice\nx-sources: [web, web, ios]\nx-tags: []\n",
    "events/café.yaml": "title: Café ☕ Ordered\nx-owner: ''\nx-version: 2\nx-status: 1.5\nx-id: true\n",
    "events/ünïcode.json": json.dumps(
        {
            "title": "JSON Ünïcode",
            "properties": {"a": True, "b": False, "c": {"type": "string"}},
            "required": ["a", "z"],
        }
    ),
    "events/mapped.yaml": "title: Mapped\nx-name-mapping: [{name: m, destination: Amplitude}]\nx-categories: [1, [2]]\n",
    "events/empty-lists.yaml": "title: Empty Lists\nx-sources: null\nx-tags: null\nx-name-mapping: []\nrequired: []\n",
    # Built: names that are not strings, values that are not plain, nesting past what rows read.
    "events/mixed-names.yaml": "title: Mixed Names\nx-tags: [1, true, b, a]\nx-sources: [{web: 1}, ios]\n",
    "events/odd-values.yaml": "title: Odd Values\nx-owner: {team: a}\nx-version: [1, 0]\n",
    "events/deep.yaml": f"title: Deep\nproperties:\n  p: {nested(ROW_DEPTH + 5)}\n",
    # A second `Signed Up`, first in path order: the plan load keeps it and ignores signed-up.yaml.
    "events/a-second-signed-up.yaml": "title: Signed Up\nx-owner: Someone Else\n",
    "contexts/web.yaml": "title: Web Context\nx-source: web\nproperties: {page: {type: string}}\n",
    "group.yaml": "title: Group\nproperties: {plan: {type: string}}\n",
}
BUILT = {"Mixed Names", "Odd Values", "Deep"}


def write(root: Path, files: dict[str, str]) -> None:
    for path, text in files.items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(text, encoding="utf-8")


def commit(root: Path, message: str) -> None:
    subprocess.run(["git", "add", "-A"], cwd=root, check=True)
    subprocess.run(["git", "commit", "-qm", message], cwd=root, check=True)


def built_names(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    """The names whose events `event_rows` builds from now on."""
    names: set[str] = set()
    build = LoadedPlan.event

    def recorded(self: LoadedPlan, name: str) -> Any:
        names.add(name)
        return build(self, name)

    monkeypatch.setattr(LoadedPlan, "event", recorded)
    return names


def test_rows_of_odd_files_equal_the_built_events_rows(plan_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(plan_repo, ODD_FILES)
    built = built_names(monkeypatch)
    rows = event_rows(Workspace(plan_repo), WORKTREE)
    assert rows == built_rows(Workspace(plan_repo), WORKTREE)
    assert built == BUILT  # every other row came from its document
    by_name = {row["name"]: row for row in rows}
    assert by_name["bare"] == {
        "name": "bare",
        "path": "events/bare.yaml",
        "id": None,
        "version": None,
        "status": None,
        "sources": [],
        "tags": [],
        "owner": None,
        "properties": 0,
    }
    assert (by_name["Café ☕ Ordered"]["id"], by_name["Café ☕ Ordered"]["version"]) == ("True", "2")
    assert (by_name["Café ☕ Ordered"]["status"], by_name["Café ☕ Ordered"]["owner"]) == ("1.5", None)
    assert by_name["Nested Twice"]["sources"] == ["ios", "web"]
    assert by_name["Mixed Names"]["tags"] == ["1", "True", "a", "b"]
    assert by_name["JSON Ünïcode"]["properties"] == 3
    assert by_name["Signed Up"]["path"] == "events/a-second-signed-up.yaml"


def test_rows_at_a_ref_and_from_an_empty_cache_equal_the_built_events_rows(plan_repo: Path) -> None:
    write(plan_repo, ODD_FILES)
    commit(plan_repo, "odd files")
    (plan_repo / "events" / "bare.yaml").unlink()
    commit(plan_repo, "no bare")
    for ref in ("HEAD", "HEAD~1", WORKTREE):
        shutil.rmtree(plan_repo / ".git" / "trackplan", ignore_errors=True)  # every document parsed here
        cold = event_rows(Workspace(plan_repo), ref)
        assert cold == event_rows(Workspace(plan_repo), ref) == built_rows(Workspace(plan_repo), ref)
    assert "bare" in {row["name"] for row in event_rows(Workspace(plan_repo), "HEAD~1")}
    assert "bare" not in {row["name"] for row in event_rows(Workspace(plan_repo), "HEAD")}


def test_kept_rows_are_read_back_for_the_file_each_blob_is_in(plan_repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write(plan_repo, ODD_FILES)
    first = event_rows(Workspace(plan_repo), WORKTREE, kept_under="code-a")
    read: list[str] = []
    document = LoadedPlan.document

    def recorded(self: LoadedPlan, path: str) -> Any:
        read.append(path)
        return document(self, path)

    monkeypatch.setattr(LoadedPlan, "document", recorded)
    assert (
        event_rows(Workspace(plan_repo), WORKTREE, kept_under="code-a")
        == first
        == built_rows(Workspace(plan_repo), WORKTREE)
    )
    by_name = {row["name"]: row["path"] for row in first}
    assert sorted(read) == sorted(by_name[name] for name in BUILT)  # only the files whose rows are not kept
    read.clear()
    assert event_rows(Workspace(plan_repo), WORKTREE, kept_under="code-b") == first  # other code reads again
    assert len(read) == len(first)
    # The same blob in another file: a title-less document is named after the file it is in.
    write(plan_repo, {"events/bare-again.yaml": ODD_FILES["events/bare.yaml"]})
    again = {row["name"]: row for row in event_rows(Workspace(plan_repo), WORKTREE, kept_under="code-a")}
    assert again["bare-again"] == {**again["bare"], "name": "bare-again", "path": "events/bare-again.yaml"}
    # ... and a file name that is no event name is the error it always was, kept row or not.
    write(plan_repo, {"events/ .yaml": ODD_FILES["events/bare.yaml"]})
    with pytest.raises(InputError) as slow:
        _ = Workspace(plan_repo).load(WORKTREE).plan
    with pytest.raises(InputError) as fast:
        event_rows(Workspace(plan_repo), WORKTREE, kept_under="code-a")
    assert (
        str(fast.value) == str(slow.value) == "events/ .yaml: field 'title': the event name must be a non-empty string"
    )


def test_a_sharded_plan_lists_the_rows_its_built_events_give(tmp_path: Path, run_cli: CliRunnerCall) -> None:
    root = tmp_path / "plan"
    assert run_cli("init", root, "--name", "Sharded", "--layout", "sharded").exit_code == 0
    write(root, {"events/0a/extra.yaml": "title: Extra\nx-sources: [web]\n"})
    assert event_rows(Workspace(root), WORKTREE) == built_rows(Workspace(root), WORKTREE)


@pytest.mark.corpus
@pytest.mark.parametrize(
    "source",
    [("segment-typewriter", "plan.json"), ("segment-typewriter", "plan-v1.json"), ("avo", "export-example.json")],
)
def test_rows_of_imported_corpora_equal_the_built_events_rows(
    source: tuple[str, str], tmp_path: Path, run_cli: CliRunnerCall, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "plan"
    assert run_cli("init", root, "--empty").exit_code == 0
    assert run_cli("-C", root, "import", corpus(*source), "--branch", "imported").exit_code == 0
    built = built_names(monkeypatch)
    rows = event_rows(Workspace(root), "imported")
    assert rows == built_rows(Workspace(root), "imported")
    assert len(rows) > 10 and not built


BAD_FILES = {
    "unparsable": ({"events/broken.yaml": "title: [unclosed\n"}, "events/broken.yaml:2:1: invalid YAML"),
    "not a list": ({"events/wrong.yaml": "title: Wrong\nx-tags: web\n"}, "field 'x-tags' must be a list"),
    "blank title": ({"events/blank.yaml": "title: '  '\n"}, "the event name must be a non-empty string"),
    "not a mapping": ({"events/list.yaml": "- a\n- b\n"}, "an event document must be a mapping"),
    "too deep": ({"events/deep.json": "[" * 600 + "]" * 600}, "an event document must be a mapping"),
    "too deep inside": (
        {"events/deep.json": json.dumps({"title": "Deep", "x-extra": json.loads("[" * 600 + "]" * 600)})},
        "events/deep.json: nested too deeply to read",
    ),
    "bad context": ({"contexts/web.yaml": "title: Web\nproperties: 5\n"}, "field 'properties' must be a mapping"),
    "bad settings": ({"trackplan.yaml": "name: T\nevents_layout: spiral\n"}, "events_layout: 'spiral' is not one of"),
    # The first bad event file in path order is the one named; events before contexts and settings.
    "first of several": (
        {
            "events/a-fine.yaml": "title: A Fine One\n",
            "events/b-wrong.yaml": "title: B\nproperties: []\n",
            "events/c-wrong.yaml": "title: C\nx-tags: web\n",
            "contexts/web.yaml": "properties: 5\n",
            "trackplan.yaml": "name: T\nevents_layout: spiral\n",
        },
        "events/b-wrong.yaml: field 'properties' must be a mapping",
    ),
    # A file that does not parse has no name: the index, read first, fails on it.
    "unparsable before wrong": (
        {"events/a-wrong.yaml": "title: A\nproperties: []\n", "events/z-broken.yaml": "title: [\n"},
        "events/z-broken.yaml:2:1: invalid YAML",
    ),
}


@pytest.mark.parametrize("case", list(BAD_FILES))
def test_a_bad_file_fails_as_the_plan_load_fails(plan_repo: Path, run_cli: CliRunnerCall, case: str) -> None:
    files, expected = BAD_FILES[case]
    write(plan_repo, files)
    with pytest.raises(InputError) as slow:
        _ = Workspace(plan_repo).load(WORKTREE).plan
    with pytest.raises(InputError) as fast:
        event_rows(Workspace(plan_repo), WORKTREE)
    assert str(fast.value) == str(slow.value) and expected in str(slow.value)
    commit(plan_repo, case)
    with pytest.raises(InputError) as at_head:
        event_rows(Workspace(plan_repo), "HEAD")
    assert str(at_head.value) == str(slow.value)
    for output in ("text", "json"):
        result = run_cli("-C", plan_repo, "events", "--ref", "HEAD", "--format", output)
        assert (result.exit_code, result.stdout, result.stderr) == (2, "", f"trackplan: error: {slow.value}\n")

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.helpers import DATA, CliRunnerCall
from trackplan.formats import read_source
from trackplan.formats.base import Incoming, InputFile
from trackplan.repo.workspace import Workspace

IMPORTS = DATA / "import"
GOOD = sorted((IMPORTS / "good").iterdir())
BAD = sorted((IMPORTS / "bad").iterdir())


def read_example(name: str) -> Incoming:
    """A good example read as an import reads it, its format told from its shape."""
    path = IMPORTS / "good" / name
    return read_source(InputFile(path.read_bytes(), path.name))


def head(repo: Path, branch: str) -> str:
    return subprocess.run(["git", "rev-parse", branch], cwd=repo, capture_output=True, text=True).stdout.strip()


def do_import(run_cli: CliRunnerCall, repo: Path, file: Path | str, *args: str) -> dict[str, object]:
    result = run_cli("-C", repo, "import", file, "--format", "json", *args)
    assert result.exit_code == 0, result.output
    return json.loads(result.output)  # type: ignore[no-any-return]


@pytest.mark.parametrize("file", GOOD, ids=lambda p: p.name)
def test_every_good_example_imports_and_a_second_import_is_a_no_op(
    file: Path, plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    first = do_import(run_cli, plan_repo, file, "--branch", "import/x")
    assert first["message"] == "Import completed"
    assert set(first) == {"version", "command", "message", "result", "warnings"}
    commit = head(plan_repo, "import/x")
    second = do_import(run_cli, plan_repo, file, "--branch", "import/x")
    assert second["message"] == "Import completed: no changes"
    assert head(plan_repo, "import/x") == commit


@pytest.mark.parametrize("file", BAD, ids=lambda p: p.name)
def test_every_bad_example_fails_with_one_line_and_changes_nothing(
    file: Path, plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    before = head(plan_repo, "main")
    result = run_cli("-C", plan_repo, "import", file, "--branch", "import/bad")
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("trackplan: error: ") and file.name in lines[0]
    assert head(plan_repo, "main") == before
    assert head(plan_repo, "import/bad") in ("", "import/bad")
    status = subprocess.run(["git", "status", "--porcelain"], cwd=plan_repo, capture_output=True, text=True)
    assert status.stdout == ""


@pytest.mark.parametrize(
    ("file", "needle"),
    [
        ("truncated.json", ":2:"),
        ("missing-columns.csv", "missing required columns"),
        ("wrong-types.json", "schema.events.A.properties.x"),
        ("unresolved-ref.json", "unresolved $ref"),
        ("circular-ref.json", "circular $ref"),
        ("bomb.yaml", "aliases"),
        ("bad-bool.csv", ":2: column 'Is Property Required?'"),
        ("garbage.bin", "binary data"),
        ("hostile-name.json", "control characters"),
        ("itly-no-title.json", "events[0].schema.title"),
    ],
)
def test_bad_input_errors_name_the_line_or_field(
    file: str, needle: str, plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    result = run_cli("-C", plan_repo, "import", IMPORTS / "bad" / file, "--branch", "import/bad")
    assert needle in result.output


def test_a_file_over_the_size_limit_is_refused_without_reading_it(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    result = run_cli("-C", plan_repo, "import", big, "--branch", "import/big")
    assert result.exit_code == 2 and "52.4 MB" in result.output and "big.json" in result.output


# -- the reference's warning texts ----------------------------------------------------------------

REFERENCE_WARNINGS = [
    "Unsupported JSON Schema type: 'foo'. Defaulting to 'any'.",
    "Numeric enum value 1 coerced to string",
    "Boolean enum value 'true' coerced to string",
    "Property 'metadata': 'oneOf' is not supported; defaulting to type 'any'.",
    "Duplicate property 'userId': last definition wins.",
    "Invalid sendAs value FooBar; defaulting to EventProperty",
]


def test_standard_json_schema_warnings_and_type_mapping() -> None:
    incoming = read_example("standard.json")
    for warning in REFERENCE_WARNINGS:
        assert warning in incoming.warnings
    assert "Event 'Merged': 'oneOf' branches were merged; results may be imprecise." in incoming.warnings
    for keyword in ("patternProperties", "if", "then", "else", "not"):
        assert f"Event 'Merged': '{keyword}' is not supported in import and will be skipped." in incoming.warnings
    event = incoming.plan.event("Button Clicked")
    assert event is not None
    types = {p.name: p.type for p in event.properties}
    assert types == {
        "button_name": "string",
        "screen": "string",
        "count": "integer",
        "level": "integer",
        "flag": "string",
        "nullable": "string",
        "multi": None,
        "odd": None,
        "metadata": None,
        "kind": "string",
        "tags": "array",
    }
    assert event.get_property("screen").description == "Screen name"  # type: ignore[union-attr]
    assert event.get_property("level").enum == ("1", "2")  # type: ignore[union-attr]
    merged = incoming.plan.event("Merged")
    assert merged is not None and merged.property_names == ["a", "b", "userId"]
    assert merged.get_property("b").required and merged.get_property("userId").type == "integer"  # type: ignore[union-attr]


def test_avo_export_fields() -> None:
    incoming = read_example("avo-export.json")
    assert "Event variant 'Login - Mobile' was skipped. Variants are not supported in import." in incoming.warnings
    assert "Event 'Signed Up': 'groupProperties' is not supported in import and will be skipped." in incoming.warnings
    [event] = incoming.plan.events
    assert (event.id, event.owner, list(event.stakeholders)) == (
        "evt-1",
        "Growth",
        ["Data", "Growth"],
    )
    assert list(event.categories) == []  # goal ids, not names: not imported
    assert [(m.name, m.destination) for m in event.name_mapping] == [("sign_up", "Amplitude")]
    method = event.get_property("method")
    assert method is not None and method.id == "p1" and method.required
    assert [(m.name, m.destination) for m in method.name_mapping] == [("signup_method", "Amplitude")]
    assert event.get_property("app_version").send_as == "SystemProperty"  # type: ignore[union-attr]
    assert event.get_property("email").send_as == "UserProperty"  # type: ignore[union-attr]
    assert incoming.plan.settings.sources[0].destinations == ("Amplitude",)


def test_csv_ultimate_template_columns() -> None:
    incoming = read_example("ultimate.csv")
    app = incoming.plan.event("App Opened")
    assert app is not None
    assert list(app.sources) == ["Android", "Web", "iOS"]
    assert list(app.tags) == ["core", "lifecycle"] and app.owner == "Growth"
    assert list(app.stakeholders) == ["Growth", "Mobile"] and list(app.categories) == ["App Lifecycle"]
    assert [(m.name, m.destination) for m in app.name_mapping] == [("app_open", "Amplitude")]
    device = app.get_property("Device Type")
    assert device is not None and device.description == 'The client type, e.g. "iOS"' and device.required
    assert [(m.name, m.destination) for m in device.name_mapping] == [("device_type", "Segment")]
    assert app.get_property("Launch Count").send_as == "UserProperty"  # type: ignore[union-attr]
    screens = app.get_property("Screens")
    assert screens is not None and screens.type == "array" and screens.schema["items"]["enum"] == ("home", "search")
    assert screens.description == "Screens seen\non this launch"
    platform = app.get_property("Platform")
    assert platform is not None and platform.const == "iOS" and platform.pattern == "^[a-zA-Z]+$"
    assert platform.send_as == "SystemProperty"
    checkout = incoming.plan.event("Checkout Completed")
    assert checkout is not None and checkout.property_names == ["Coupon", "Revenue"]
    assert "Unsupported JSON Schema type: 'weird'. Defaulting to 'any'." in incoming.warnings
    assert "Invalid sendAs value Bogus; defaulting to EventProperty" in incoming.warnings
    assert incoming.plan.event("Login") is not None


def test_csv_variant_rows_are_skipped_with_a_warning() -> None:
    incoming = read_example("ultimate-variant.csv")
    assert "Event variant 'Login - Mobile' was skipped. Variants are not supported in import." in incoming.warnings
    assert incoming.plan.event("Login").property_names == ["method"]  # type: ignore[union-attr]


def test_csv_of_the_import_api_curl_example() -> None:
    incoming = read_example("avo-api-example.csv")
    [event] = incoming.plan.events
    assert event.name == "Imported Event I" and list(event.sources) == ["Android", "Web", "iOS"]


def test_other_csv_layouts() -> None:
    amplitude = read_example("amplitude.csv").plan
    song = amplitude.event("Song Played")
    assert song is not None and song.get_property("subscription").send_as == "UserProperty"  # type: ignore[union-attr]
    mixpanel = read_example("mixpanel.csv").plan
    assert mixpanel.event("Video Watched").get_property("duration").type == "integer"  # type: ignore[union-attr]
    segment = read_example("segment-protocols.csv").plan
    order = segment.event("Order Completed")
    assert order is not None and list(order.tags) == ["area:checkout"] and order.description == "Order done"
    assert order.get_property("order_id").required and not order.get_property("coupon").required  # type: ignore[union-attr]
    assert segment.identify is not None and segment.identify.property_names == ["email"]
    props = read_example("properties.csv")
    assert props.plan.identify is not None and props.plan.identify.property_names == ["plan"]
    assert props.plan.context("system") is not None
    assert "Event property 'orphan' is not linked to any event in this file and was skipped." in props.warnings
    group = read_example("group.csv").plan
    member_count = group.group.get_property("Member Count") if group.group else None
    assert member_count is not None
    assert member_count.schema["x-sent-with"] == ("Invite Accepted", "Member Removed")


# -- methods ----------------------------------------------------------------------------------------


def _write(tmp_path: Path, name: str, events: dict[str, object]) -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"schema": {"events": events}}))
    return path


def test_methods_follow_avo_semantics(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    incoming = _write(
        tmp_path,
        "a.json",
        {
            "Signed Up": {
                "description": "Changed description",
                "properties": {
                    "signup_method": {
                        "type": "string",
                        "description": "New words",
                        "enum": ["email", "sso"],
                    },
                    "new_prop": {"type": "string"},
                },
                "required": ["new_prop"],
            },
        },
    )
    add_only = do_import(run_cli, plan_repo, incoming, "--branch", "b1")
    assert add_only["result"] == {
        "newEvents": 0,
        "updatedEvents": 1,
        "newProperties": 1,
        "updatedProperties": 0,
        "newSources": 0,
        "newStakeholderDomains": 0,
    }
    ws = Workspace(plan_repo)
    event = ws.load("b1").plan.event("Signed Up")
    assert event is not None and event.description.startswith("Sent when")
    assert event.get_property("signup_method").enum == ("apple", "email", "google")  # type: ignore[union-attr]
    assert event.get_property("new_prop").required  # type: ignore[union-attr]

    update = do_import(run_cli, plan_repo, incoming, "--branch", "b2", "--method", "addAndUpdate")
    assert update["result"]["updatedProperties"] == 1 and update["result"]["newProperties"] == 1  # type: ignore[index]
    event = ws.load("b2").plan.event("Signed Up")
    assert event is not None and event.description == "Changed description"
    signup = event.get_property("signup_method")
    assert signup is not None and signup.description == "New words"
    assert signup.enum == ("apple", "email", "google", "sso")
    assert not signup.required  # all imported events agree: optional
    assert event.get_property("plan") is not None and event.get_property("referral_code") is not None

    remove = do_import(run_cli, plan_repo, incoming, "--branch", "b3", "--method", "addUpdateAndRemove")
    assert remove["result"]["updatedEvents"] == 1  # type: ignore[index]
    event = ws.load("b3").plan.event("Signed Up")
    assert event is not None and event.get_property("referral_code") is None  # unlinked
    assert event.get_property("plan") is not None  # a user property is protected
    assert ws.load("b3").plan.event("Product Viewed") is not None  # absent events untouched


def test_plan_wide_property_update_applies_to_every_event(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    incoming = _write(
        tmp_path,
        "c.json",
        {
            "Checkout Completed": {
                "properties": {"currency": {"type": "string", "description": "Three-letter code."}},
                "required": ["currency"],
            }
        },
    )
    do_import(run_cli, plan_repo, incoming, "--branch", "b", "--method", "addAndUpdate")
    plan = Workspace(plan_repo).load("b").plan
    for name in ("Checkout Completed", "Product Viewed"):
        assert plan.event(name).get_property("currency").description == "Three-letter code."  # type: ignore[union-attr]


def test_mixed_presence_is_not_updated(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    # `plan` is required on Signed Up and on Subscription Cancelled; `currency` too. Make a Mixed one first.
    ws = Workspace(plan_repo)
    incoming = _write(
        tmp_path,
        "m.json",
        {"Search Performed": {"properties": {"query": {"type": "string"}}, "required": []}},
    )
    do_import(run_cli, plan_repo, incoming, "--branch", "b", "--method", "addAndUpdate")
    assert not ws.load("b").plan.event("Search Performed").get_property("query").required  # type: ignore[union-attr]
    mixed = _write(
        tmp_path,
        "n.json",
        {"Product Viewed": {"properties": {"currency": {"type": "string"}}, "required": []}},
    )
    base = ws.load("main").plan
    base_presence = {e.name: e.get_property("currency").required for e in base.events if e.get_property("currency")}  # type: ignore[union-attr]
    assert set(base_presence.values()) == {True}
    do_import(run_cli, plan_repo, mixed, "--branch", "c", "--method", "addAndUpdate")
    after = ws.load("c").plan
    assert not after.event("Checkout Completed").get_property("currency").required  # type: ignore[union-attr]


def test_new_sources_and_domains_are_counted_and_declared(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = do_import(run_cli, plan_repo, IMPORTS / "good" / "avo-export.json", "--branch", "b")
    # "Signed Up" is already in the plan (matched by name): updated, not new. `email` is a
    # user trait in identify.yaml already: properties are one namespace, so it is not new.
    assert result["result"] == {
        "newEvents": 0,
        "updatedEvents": 1,
        "newProperties": 2,
        "updatedProperties": 0,
        "newSources": 1,
        "newStakeholderDomains": 1,
    }
    settings = Workspace(plan_repo).load("b").plan.settings
    assert "Web" in settings.source_names and "Data" in settings.domain_names


def test_itly_sync_deletes_absent_events_and_source_import_unlinks(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    ws = Workspace(plan_repo)
    do_import(run_cli, plan_repo, IMPORTS / "good" / "itly.json", "--branch", "sync", "--method", "sync")
    plan = ws.load("sync").plan
    assert [e.name for e in plan.events] == ["User Signed In"]
    assert plan.identify is not None and plan.identify.property_names == ["firstName"]
    assert plan.context("web") is not None
    # Source-specific: `backend` events not in the file lose `backend`; backend-only ones go.
    do_import(
        run_cli,
        plan_repo,
        IMPORTS / "good" / "itly.json",
        "--branch",
        "src",
        "--method",
        "addAndUpdate",
        "--source",
        "backend",
    )
    plan = ws.load("src").plan
    assert plan.event("Subscription Cancelled") is None  # only backend: deleted
    assert list(plan.event("Checkout Completed").sources) == ["web"]  # type: ignore[union-attr]
    assert list(plan.event("User Signed In").sources) == ["backend"]  # type: ignore[union-attr]
    assert plan.event("Product Viewed") is not None  # never on backend: untouched


def test_events_match_by_id_first(plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path) -> None:
    path = tmp_path / "renamed.json"
    path.write_text(
        json.dumps(
            {
                "events": [
                    {
                        "id": "evt_signed_up",
                        "name": "Account Created",
                        "rules": {"properties": {"properties": {"type": "object", "properties": {}}}},
                    }
                ]
            }
        )
    )
    do_import(run_cli, plan_repo, path, "--branch", "r", "--method", "sync")
    plan = Workspace(plan_repo).load("r").plan
    assert plan.event("Account Created") is not None and plan.event("Signed Up") is None
    assert "Account Created" in Workspace(plan_repo).read_text("r", "events/signed-up.yaml")


# -- guards -----------------------------------------------------------------------------------------


def test_protected_branch_is_refused(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    before = head(plan_repo, "main")
    result = run_cli("-C", plan_repo, "import", IMPORTS / "good" / "itly.json")
    assert result.exit_code == 3 and "protected" in result.output and "--branch" in result.output
    assert head(plan_repo, "main") == before


def test_merged_branch_is_refused(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    do_import(run_cli, plan_repo, IMPORTS / "good" / "itly.json", "--branch", "feature")
    subprocess.run(["git", "merge", "-q", "--ff-only", "feature"], cwd=plan_repo, check=True)
    result = run_cli("-C", plan_repo, "import", IMPORTS / "good" / "avo-export.json", "--branch", "feature")
    assert result.exit_code == 3 and "already merged" in result.output


def test_unknown_base_is_an_error(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "import", IMPORTS / "good" / "itly.json", "--branch", "x", "--base", "nope")
    assert result.exit_code == 2 and "--base 'nope'" in result.output


def test_dry_run_writes_nothing(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "import", IMPORTS / "good" / "itly.json", "--branch", "d", "--dry-run")
    assert result.exit_code == 0 and "would write events/user-signed-in.yaml" in result.output
    assert head(plan_repo, "d") in ("", "d")


def test_commit_message_has_summary_counts_and_trailers(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    do_import(run_cli, plan_repo, IMPORTS / "good" / "itly.json", "--branch", "m", "--method", "addAndUpdate")
    message = subprocess.run(
        ["git", "log", "-1", "--format=%B", "m"], cwd=plan_repo, capture_output=True, text=True
    ).stdout
    assert message.splitlines()[0] == "Import itly.json (addAndUpdate): 1 new, 0 updated events"
    assert "newEvents: 1" in message
    assert "Trackplan-Import-Method: addAndUpdate" in message and "Trackplan-Import-Format: itly" in message
    assert "Trackplan-Import-File: itly.json" in message


def test_stdin_import(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    data = (IMPORTS / "good" / "itly.json").read_bytes()
    result = run_cli("-C", plan_repo, "import", "-", "--branch", "s", "--format", "json", input=data)
    assert result.exit_code == 0 and json.loads(result.output)["result"]["newEvents"] == 1


def test_checked_out_branch_import_keeps_uncommitted_edits(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    subprocess.run(["git", "checkout", "-qb", "work"], cwd=plan_repo, check=True)
    file = plan_repo / "events" / "signed-up.yaml"
    file.write_text(file.read_text() + "# mine\n")
    incoming = _write(tmp_path, "s.json", {"Signed Up": {"description": "new", "properties": {}}})
    result = run_cli("-C", plan_repo, "import", incoming, "--method", "addAndUpdate")
    assert result.exit_code == 3 and "uncommitted" in result.output
    assert file.read_text().endswith("# mine\n")
    other = _write(tmp_path, "o.json", {"Brand New": {"properties": {"x": {"type": "string"}}}})
    assert run_cli("-C", plan_repo, "import", other).exit_code == 0
    assert (plan_repo / "events" / "brand-new.yaml").exists()
    assert file.read_text().endswith("# mine\n")


def test_an_import_adding_sources_and_domains_only_adds_lines_to_the_settings(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    export = {
        "events": [
            {
                "name": "Show Watched",
                "sources": [{"id": "tv", "name": "tv"}],
                "stakeholderDomains": [{"id": "d", "name": "Platform", "isOwner": True}],
            }
        ]
    }
    file = tmp_path / "export.json"
    file.write_text(json.dumps(export))
    result = run_cli("-C", plan_repo, "import", file, "--branch", "import/tv")
    assert result.exit_code == 0, result.output
    diff = subprocess.run(
        ["git", "diff", "main", "import/tv", "--", "trackplan.yaml"], cwd=plan_repo, capture_output=True, text=True
    ).stdout
    changed = [line for line in diff.splitlines() if line[:1] in "+-" and line[:3] not in ("+++", "---")]
    # People's entries, their order, form, indentation and comments stay; the new ones are
    # added last, in the form of the others.
    assert changed == ["+  - name: tv", "+    id: tv", "+  - name: Platform"], diff
    written = subprocess.run(
        ["git", "show", "import/tv:trackplan.yaml"], cwd=plan_repo, capture_output=True, text=True
    ).stdout
    assert "  - name: Platform\n\n# Vendor for Snowplow" in written  # the comment still leads to its key
    settings = Workspace(plan_repo).load("import/tv").settings
    assert "tv" in settings.source_names and "Platform" in settings.domain_names

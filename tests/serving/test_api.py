"""The Import and Export APIs through Starlette's test client: every status of the reference's
error table, its exact messages and both response shapes."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import httpx
import pytest

from tests.serving.support import (
    WS,
    Served,
    curl_bodies,
    git,
    mdx_json_blocks,
    path,
    served_plan,
)
from trackplan.errors import ConcurrentUpdateError, InputError
from trackplan.repo.workspace import WRITE_ATTEMPTS
from trackplan.serving.branches import branch_id
from trackplan.serving.config import RateLimit, load_config

CSV = "text/csv"
JSON = "application/json"


@pytest.fixture
def served(tmp_path: Path) -> Served:
    return served_plan(tmp_path)


def post(
    served: Served,
    branch: str,
    body: bytes | str,
    content_type: str = JSON,
    query: str = "",
    ws: str = WS,
    **headers: str,
) -> httpx.Response:
    data = body.encode() if isinstance(body, str) else body
    with served.client() as client:
        response: httpx.Response = client.post(
            path(branch, "import/v1", ws) + query,
            content=data,
            headers={**served.auth, "Content-Type": content_type, **headers},
        )
    return response


def event_json(name: str, *props: str) -> str:
    properties = {p: {"type": "string"} for p in props}
    return json.dumps({"schema": {"events": {name: {"type": "object", "properties": properties}}}})


def error(message: str) -> dict[str, object]:
    return {"message": message, "warnings": []}


ZERO = dict.fromkeys(
    ["newEvents", "updatedEvents", "newProperties", "updatedProperties", "newSources", "newStakeholderDomains"], 0
)


# -- the reference's examples -------------------------------------------------------------------
@pytest.mark.corpus
def test_the_reference_json_example_gives_the_reference_response(served: Served) -> None:
    json_body = next(b for b in curl_bodies() if b.lstrip().startswith("{"))
    response = post(served, "feature/one", json_body, query="?importMethod=addAndUpdate")
    assert response.status_code == 200
    assert response.json() == {
        "message": "Import completed",
        "result": {**ZERO, "newEvents": 1, "newProperties": 2},
        "warnings": [],
    }
    assert list(response.json()) == ["message", "result", "warnings"]
    assert "button-clicked.yaml" in git(served.root, "ls-tree", "-r", "--name-only", "feature/one")


@pytest.mark.corpus
def test_the_reference_csv_example_imports_one_event_into_an_unprotected_main(served: Served) -> None:
    settings = served.root / "trackplan.yaml"
    text = settings.read_text().replace("protected_branches: [main]", "protected_branches: []")
    for source in ("Web", "iOS", "Android"):  # the reference's workspace has its platforms already
        text = text.replace(f"- name: {source.lower()}", f"- name: {source}")
    settings.write_text(text)
    git(served.root, "commit", "-qam", "unprotect main")
    csv_body = next(b for b in curl_bodies() if b.startswith("KPI,"))
    response = post(served, "main", csv_body, CSV)
    assert response.status_code == 200, response.text
    assert response.json() == {"message": "Import completed", "result": {**ZERO, "newEvents": 1}, "warnings": []}


def test_the_avo_export_shape_imports_and_standard_wins_when_both_keys_are_present(served: Served) -> None:
    avo = {"name": "Exported Tracking Plan: x", "events": [{"name": "From Avo", "description": "d", "rules": {}}]}
    assert post(served, "feature/one", json.dumps(avo)).json()["result"]["newEvents"] == 1
    both = {**json.loads(event_json("From Standard")), "events": [{"name": "Not This One"}]}
    assert post(served, "feature/one", json.dumps(both)).status_code == 200
    files = git(served.root, "ls-tree", "-r", "--name-only", "feature/one")
    assert "events/from-avo.yaml" in files and "events/from-standard.yaml" in files
    assert "not-this-one" not in files


def test_the_commit_names_the_service_account_and_a_noop_import_makes_no_commit(served: Served) -> None:
    before = served.commits("feature/one")
    assert post(served, "feature/one", event_json("Signed Up", "plan")).status_code == 200
    assert "Trackplan-Service-Account: ci" in git(served.root, "log", "-1", "--format=%B", "feature/one")
    again = post(served, "feature/one", event_json("Signed Up", "plan"))
    assert again.json() == {"message": "Import completed", "result": ZERO, "warnings": []}
    assert served.commits("feature/one") == before + 1


def test_an_idempotency_key_replays_the_first_answer_without_a_second_commit(served: Served) -> None:
    first = post(served, "feature/one", event_json("Paid"), **{"Idempotency-Key": "k-1"})
    commits = served.commits("feature/one")
    git(served.root, "branch", "-f", "feature/one", "feature/one~1")  # even if the event is gone again
    replay = post(served, "feature/one", event_json("Paid"), **{"Idempotency-Key": "k-1"})
    assert replay.status_code == 200 and replay.json() == first.json()
    assert served.commits("feature/one") == commits - 1
    other = post(served, "feature/one", event_json("Refunded"), **{"Idempotency-Key": "k-1"})
    assert other.status_code == 409
    assert other.json() == error("Idempotency-Key was already used for a different request")


# -- the error table ------------------------------------------------------------------------------
@pytest.mark.parametrize("content_type", ["text/plain", "application/xml", "", "multipart/form-data"])
def test_any_other_content_type_is_400_with_the_reference_message(served: Served, content_type: str) -> None:
    response = post(served, "feature/one", "a,b", content_type)
    assert response.status_code == 400
    assert response.json() == error("Invalid Content-Type. Accepted: text/csv, application/json")


def test_content_type_parameters_are_allowed(served: Served) -> None:
    assert post(served, "feature/one", event_json("A"), "application/json; charset=utf-8").status_code == 200
    assert post(served, "feature/one", event_json("B"), "Application/JSON").status_code == 200


def test_an_unparsable_body_or_an_invalid_structure_is_400(served: Served) -> None:
    unparsable = post(served, "feature/one", "{not json")
    assert unparsable.status_code == 400
    assert unparsable.json()["message"].startswith("Unparsable body: request body:1:2: invalid JSON")
    invalid = post(served, "feature/one", '{"schema": {"events": []}}')
    assert invalid.status_code == 400
    assert invalid.json() == error(
        "Invalid JSON Schema structure: expected schema.events (an object) or events (an array)"
    )
    bad_csv = post(served, "feature/one", "just,a,line\n", CSV)
    assert bad_csv.status_code == 400 and bad_csv.json()["message"].startswith("import-api.csv: missing required")


def test_every_authentication_failure_gets_the_same_401(served: Served) -> None:
    wrong_secret = "Basic " + base64.b64encode(b"ci:wrong").decode()
    unknown = "Basic " + base64.b64encode(b"nobody:secret").decode()
    export_only = served.accounts.add("reader", scopes=("export",)).authorization
    other_ws = served.accounts.add("elsewhere", workspace="other").authorization
    answers = set()
    for header in [
        None,
        "Basic !!!notbase64",
        "Bearer x",
        wrong_secret,
        unknown,
        export_only,
        other_ws,
        "Basic " + "A" * 5000,
    ]:
        with served.client() as client:
            headers = {"Content-Type": JSON} | ({"authorization": header} if header else {})
            response = client.post(path("feature/one", "import/v1"), content=event_json("X"), headers=headers)
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == 'Basic realm="trackplan"'
        answers.add(response.text)
    assert len(answers) == 1
    assert served.commits("feature/one") == served.commits("main")


def test_the_header_name_and_the_scheme_are_case_insensitive(served: Served) -> None:
    value = served.auth["Authorization"].replace("Basic", "basic")
    with served.client() as client:
        response = client.get(path("main", "export/v1"), headers={"AUTHORIZATION": value})
    assert response.status_code == 200


def test_failed_logins_are_limited_per_client_address(served: Served) -> None:
    with served.client() as client:
        statuses = [
            client.get(path("main", "export/v1"), headers={"Authorization": "Basic eDp5"}).status_code
            for _ in range(11)
        ]
        good = client.get(path("main", "export/v1"), headers=served.auth)
    assert statuses == [401] * 10 + [429]
    assert good.status_code == 429 and int(good.headers["retry-after"]) >= 1


def test_the_protected_main_branch_is_403(served: Served) -> None:
    response = post(served, "main", event_json("A"))
    assert response.status_code == 403
    assert response.json()["message"].startswith("branch 'main' is protected")


def test_unknown_branches_and_workspaces_are_404(served: Served) -> None:
    assert post(served, "no-such-branch", event_json("A")).json() == error("Branch not found")
    with served.client() as client:
        response = client.get("/workspaces/nope/branches/main/export/v1", headers=served.auth)
    assert response.status_code == 404 and response.json() == error("Workspace not found")


def test_a_branch_merged_into_main_is_409(served: Served) -> None:
    assert post(served, "feature/one", event_json("A")).status_code == 200
    git(served.root, "merge", "-q", "--ff-only", "feature/one")
    response = post(served, "feature/one", event_json("B"))
    assert response.status_code == 409
    assert response.json() == error(
        "branch 'feature/one' is already merged into 'main'; write to a new branch with --branch"
    )


def test_a_body_over_the_limit_is_413(tmp_path: Path) -> None:
    served = served_plan(tmp_path, max_body_bytes=1000)
    response = post(served, "feature/one", "x" * 1001, CSV)
    assert response.status_code == 413
    assert response.json() == error("Request body too large: the limit is 1000 bytes")


def test_an_unexpected_error_is_500_with_the_error_body(served: Served, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr("trackplan.serving.service.run_import", broken)
    response = post(served, "feature/one", event_json("A"))
    assert response.status_code == 500 and response.json() == error("Unexpected error")


def test_unknown_routes_and_methods_get_the_error_body(served: Served) -> None:
    with served.client() as client:
        assert client.get("/nowhere").json() == error("Not found")
        assert client.delete(path("main", "export/v1")).json() == error("Method not allowed")


# -- bad input ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "branch", ["..%2F..%2Fetc", "a%0Ab", "a%00b", "a..b", "x%7F", "%2Fabs", "a~1", "feature%5Cone", "a" * 300]
)
def test_traversal_and_control_characters_in_a_branch_are_400(served: Served, branch: str) -> None:
    response = post(served, branch, event_json("A"))
    assert response.status_code in (400, 404)  # a newline matches no route at all
    assert response.json()["message"].startswith("Invalid branch id") or response.json() == error("Not found")


@pytest.mark.parametrize("ws", ["..", "a%0Ab", "%2E%2E"])
def test_traversal_in_a_workspace_is_404(served: Served, ws: str) -> None:
    with served.client() as client:
        response = client.post(
            f"/workspaces/{ws}/branches/feature/one/import/v1",
            content=b"{}",
            headers={**served.auth, "Content-Type": JSON},
        )
    assert response.status_code in (401, 404)  # an account for every workspace: 404; the body is the error body
    assert set(response.json()) == {"message", "warnings"}


def test_deep_nesting_and_a_json_bomb_are_400_without_a_write(served: Served) -> None:
    deep = '{"schema": {"events": {"A": ' + '{"a": ' * 200 + "1" + "}" * 200 + "}}}"
    assert post(served, "feature/one", deep).json() == error(
        "Invalid JSON Schema structure: nested deeper than 64 levels"
    )
    bomb = "[" * 100_000 + "]" * 100_000
    response = post(served, "feature/one", bomb)
    assert response.status_code == 400 and response.json()["message"].startswith("Unparsable body")
    assert served.commits("feature/one") == served.commits("main")


def test_a_csv_bomb_is_400_without_a_write(served: Served) -> None:
    header = "KPI,Event Category,Event Name,Event Description,Event Property Name,Property Description,Property Value Type,Is Property Required?,Is Property Array?,Property Enumeration Options,Platforms,Status,Code Snippet\n"
    huge_cell = header + ',,"' + "x" * 300_000 + '",d,,,,,,,,,\n'
    response = post(served, "feature/one", huge_cell, CSV)
    assert response.status_code == 400
    assert response.json() == error("import-api.csv:1: invalid CSV: field larger than field limit (131072)")
    assert post(served, "feature/one", "\x00\x01\x02" * 1000, CSV).status_code == 400
    assert served.commits("feature/one") == served.commits("main")


def test_bad_query_values_and_idempotency_keys_are_400(served: Served) -> None:
    assert post(served, "feature/one", event_json("A"), query="?importMethod=sync").status_code == 400
    assert post(served, "feature/one", event_json("A"), **{"Idempotency-Key": "has space"}).status_code == 400


# -- export ---------------------------------------------------------------------------------------
def get(served: Served, url: str, **headers: str) -> httpx.Response:
    with served.client() as client:
        response: httpx.Response = client.get(url, headers={**served.auth, **headers})
    return response


@pytest.mark.corpus
def test_export_keys_match_the_reference_examples(tmp_path: Path) -> None:
    served = served_plan(tmp_path, n_events=2)
    json_schema, snowplow, ndjson = mdx_json_blocks()
    reference, ours = json.loads(json_schema), get(served, path("main", "export/v1")).json()
    # The avo-json writer leaves out what a plan in git has no data for: metrics, property
    # groups, triggers and codegen actions.
    assert list(ours) == [k for k in reference if k not in ("metrics", "propertyGroups")]
    assert ours["name"] == "Exported Tracking Plan: main"
    reference_event = [k for k in reference["events"][0] if k not in ("triggers", "actions")]
    assert [k for k in ours["events"][0] if k not in ("eventType", "stakeholderDomains")] == reference_event
    assert list(ours["events"][0]["rules"]) == list(reference["events"][0]["rules"])
    iglu = get(served, path("main", "export/v1?payloadFormat=snowplowSchemas&vendor=com.mycompany")).json()
    assert list(iglu) == list(json.loads(snowplow))
    # additionalProperties appears where the event's schema sets it; these generated events do not.
    assert set(iglu["eventSchemas"][0]) | {"additionalProperties"} == set(json.loads(snowplow)["eventSchemas"][0])
    assert iglu["eventSchemas"][0]["self"]["vendor"] == "com.mycompany"
    lines = get(served, path("main", "export/v1?payloadFormat=ndjson")).text.splitlines()
    reference_lines = [json.loads(line) for line in ndjson.splitlines() if line.strip()]
    assert len(lines) == 2 and [list(json.loads(line)) for line in lines] == [list(r) for r in reference_lines]


def test_export_parameters_are_validated(served: Served) -> None:
    bad_format = get(served, path("main", "export/v1?payloadFormat=xml"))
    assert bad_format.status_code == 400
    assert bad_format.json() == error("Invalid payloadFormat 'xml': use one of jsonSchema, snowplowSchemas, ndjson")
    bad_vendor = get(served, path("main", "export/v1?payloadFormat=snowplowSchemas&vendor=com/evil"))
    assert bad_vendor.json() == error(
        "Invalid vendor: only alphanumeric characters, dots, hyphens and underscores are allowed"
    )
    on_main = get(served, path("main", "export/v1?changedEventsOnly=true"))
    assert on_main.status_code == 400
    assert on_main.json() == error("changedEventsOnly is not supported on the main branch")


def test_changed_events_only_lists_the_branch_changes_and_removed_events(tmp_path: Path) -> None:
    served = served_plan(tmp_path, n_events=3)
    git(served.root, "checkout", "-q", "feature/one")
    git(served.root, "rm", "-q", "events/event-0.yaml")
    git(served.root, "commit", "-qm", "drop an event")
    git(served.root, "checkout", "-q", "main")
    assert post(served, "feature/one", event_json("New One")).status_code == 200
    changed = get(served, path("feature/one", "export/v1?changedEventsOnly=1")).json()
    assert [e["name"] for e in changed["events"]] == ["New One"]
    assert changed["removedEvents"] == ["Event 0"]
    assert "removedEvents" not in get(served, path("feature/one", "export/v1")).json()


def test_gzip_etag_and_304(tmp_path: Path) -> None:
    served = served_plan(tmp_path, n_events=5)
    plain = get(served, path("main", "export/v1"))
    zipped = get(served, path("main", "export/v1"), **{"Accept-Encoding": "gzip"})
    assert zipped.headers["content-encoding"] == "gzip" and zipped.content == plain.content  # httpx decodes
    etag = plain.headers["etag"]
    assert zipped.headers["etag"] == etag
    not_modified = get(served, path("main", "export/v1"), **{"If-None-Match": etag})
    assert not_modified.status_code == 304 and not_modified.content == b""
    assert not_modified.headers["etag"] == etag
    assert get(served, path("main", "export/v1"), **{"If-None-Match": f'"other", {etag}'}).status_code == 304
    assert get(served, path("main", "export/v1"), **{"If-None-Match": "*"}).status_code == 304
    assert get(served, path("main", "export/v1?payloadFormat=ndjson"), **{"If-None-Match": etag}).status_code == 200


def test_branches_are_listed_with_stable_ids_that_work_in_paths(served: Served) -> None:
    listed = get(served, f"/workspaces/{WS}/branches").json()["branches"]
    head = git(served.root, "rev-parse", "main").strip()
    assert listed == [
        {"id": branch_id("feature/one"), "name": "feature/one", "head": head, "isMain": False},
        {"id": branch_id("main"), "name": "main", "head": head, "isMain": True},
    ]
    by_id = post(served, branch_id("feature/one"), event_json("Via Id"))
    assert by_id.status_code == 200
    assert "events/via-id.yaml" in git(served.root, "ls-tree", "-r", "--name-only", "feature/one")


def test_main_is_the_plans_main_branch_whatever_it_is_called(served: Served) -> None:
    settings = served.root / "trackplan.yaml"
    settings.write_text(
        settings.read_text().replace("main_branch: main", "main_branch: trunk").replace("[main]", "[trunk]")
    )
    git(served.root, "commit", "-qam", "rename main")
    git(served.root, "branch", "-m", "main", "trunk")
    exported = get(served, path("main", "export/v1")).json()
    assert exported["name"] == "Exported Tracking Plan: trunk"
    assert post(served, "main", event_json("A")).status_code == 403


def test_docs_index_health_and_openapi(served: Served) -> None:
    docs = get(served, path("feature/one", "docs"))
    assert docs.status_code == 200 and docs.headers["content-type"] == "text/html; charset=utf-8"
    assert "<html" in docs.text
    index = get(served, "/")
    assert f'href="/workspaces/{WS}/branches/feature/one/docs"' in index.text
    with served.client() as client:
        assert client.get("/healthz").json() == {"status": "ok"}
        assert client.get("/openapi.json").json()["openapi"] == "3.1.0"
        assert client.get("/").status_code == 401


def test_soft_rate_limits_log_and_serve(tmp_path: Path) -> None:
    served = served_plan(tmp_path, rate=RateLimit(per_second=1.0, burst=1, mode="soft"))
    with served.client() as client:
        statuses = [client.get(path("main", "export/v1"), headers=served.auth).status_code for _ in range(5)]
    assert statuses == [200] * 5


def test_serve_yaml_names_several_workspaces_a_bare_repository_among_them(tmp_path: Path) -> None:
    served = served_plan(tmp_path, n_events=2)
    git(tmp_path, "clone", "-q", "--bare", str(served.root), str(tmp_path / "web.git"))
    config_file = tmp_path / "serve.yaml"
    config_file.write_text("workspaces:\n  web: web.git\n  app: {path: plan, plan_dir: .}\nrate_limit: {burst: 5}\n")
    config = load_config(config_file, served.config.state_dir)
    assert sorted(config.workspaces) == ["app", "web"] and config.rate_limit == RateLimit(1.0, 5, "enforce")
    bare = Served(served.root, config, served.accounts, served.auth)
    exported = get(bare, path("main", "export/v1", ws="web")).json()
    assert [e["name"] for e in exported["events"]] == ["Event 0", "Event 1"]
    assert post(bare, "feature/one", event_json("Into Bare"), ws="web").status_code == 200
    assert "events/into-bare.yaml" in git(tmp_path / "web.git", "ls-tree", "-r", "--name-only", "feature/one")


def test_a_bad_serve_yaml_is_one_line_naming_the_field(tmp_path: Path) -> None:
    config_file = tmp_path / "serve.yaml"
    config_file.write_text("workspaces:\n  web: nowhere\n")
    with pytest.raises(InputError, match=r"serve.yaml: workspaces.web: .*nowhere: no such folder"):
        load_config(config_file, tmp_path / "state")
    config_file.write_text("workspaces: {web: .}\nrate_limit: {per_second: -1}\n")
    with pytest.raises(InputError, match=r"serve.yaml: rate_limit.per_second: expected a positive number, not -1"):
        load_config(config_file, tmp_path / "state")


def test_a_branch_kept_moving_by_another_writer_is_409_after_a_few_tries(
    served: Served, monkeypatch: pytest.MonkeyPatch
) -> None:
    tries: list[int] = []

    def moved(*args: object) -> None:
        tries.append(1)
        raise ConcurrentUpdateError("branch 'feature/one' moved while this change was prepared")

    monkeypatch.setattr("trackplan.repo.git.store.GitStore.commit_changes", moved)
    response = post(served, "feature/one", event_json("A"))
    assert response.status_code == 409
    assert response.json() == error("branch 'feature/one' moved while this change was prepared")
    assert len(tries) == WRITE_ATTEMPTS


def test_the_front_page_lists_only_the_workspaces_the_account_may_export(served: Served) -> None:
    other = served.accounts.add("elsewhere", workspace="other").authorization
    with served.client() as client:
        own = client.get("/", headers=served.auth).text
        foreign = client.get("/", headers={"Authorization": other}).text
    assert f'<section class="workspace" id="{WS}">' in own
    assert "<section" not in foreign

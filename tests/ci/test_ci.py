"""`trackplan ci` with a fake GitHub environment and a local stub of the comments API."""

from __future__ import annotations

import json
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any, ClassVar

import pytest
import yaml

from tests.helpers import ROOT, CliRunnerCall


class CommentsAPI(BaseHTTPRequestHandler):
    comments: ClassVar[list[dict[str, Any]]] = []
    calls: ClassVar[list[tuple[str, str]]] = []

    def _reply(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _body(self) -> Any:
        return json.loads(self.rfile.read(int(self.headers["Content-Length"])))

    def do_GET(self) -> None:
        self.calls.append(("GET", self.path))
        self._reply(200, self.comments)

    def do_POST(self) -> None:
        self.calls.append(("POST", self.path))
        assert self.headers["Authorization"] == "Bearer test-token"
        comment = {"id": 100 + len(self.comments), "body": self._body()["body"]}
        self.comments.append(comment)
        self._reply(201, comment)

    def do_PATCH(self) -> None:
        self.calls.append(("PATCH", self.path))
        comment_id = int(self.path.rsplit("/", 1)[-1])
        for comment in self.comments:
            if comment["id"] == comment_id:
                comment["body"] = self._body()["body"]
        self._reply(200, {"id": comment_id})

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def api() -> Iterator[str]:
    CommentsAPI.comments = [{"id": 7, "body": "an unrelated comment"}]
    CommentsAPI.calls = []
    server = HTTPServer(("127.0.0.1", 0), CommentsAPI)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_ci_creates_then_updates_one_sticky_comment(
    plan_repo: Path, run_cli: CliRunnerCall, api: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=plan_repo, capture_output=True, text=True).stdout.strip()
    subprocess.run(["git", "checkout", "-qb", "feature"], cwd=plan_repo, check=True)
    event = plan_repo / "events" / "checkout-completed.yaml"
    event.write_text(event.read_text().replace("enum: [card, paypal, apple_pay, invoice]", "enum: [card, paypal]"))
    subprocess.run(["git", "commit", "-qam", "drop payment methods"], cwd=plan_repo, check=True)
    payload = {
        "number": 42,
        "pull_request": {
            "number": 42,
            "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/plan"}},
            "head": {"sha": "x", "repo": {"full_name": "acme/plan"}},
        },
    }
    (tmp_path / "event.json").write_text(json.dumps(payload))
    outputs, summary = tmp_path / "out.txt", tmp_path / "summary.md"
    for name, value in {
        "GITHUB_EVENT_PATH": tmp_path / "event.json",
        "GITHUB_REPOSITORY": "acme/plan",
        "GITHUB_API_URL": api,
        "GITHUB_OUTPUT": outputs,
        "GITHUB_STEP_SUMMARY": summary,
        "GITHUB_TOKEN": "test-token",
        "GITHUB_WORKFLOW": "trackplan",
        "GITHUB_JOB": "review",
    }.items():
        monkeypatch.setenv(name, str(value))

    first = run_cli("-C", plan_repo, "ci")
    assert first.exit_code == 1  # breaking changes fail by default
    assert "::error file=events/checkout-completed.yaml" in first.stdout
    assert "Review comment created (id 101)." in first.stdout
    assert [c[0] for c in CommentsAPI.calls] == ["GET", "POST"]
    assert CommentsAPI.calls[1][1] == "/repos/acme/plan/issues/42/comments"
    body = CommentsAPI.comments[-1]["body"]
    assert body.startswith("<!-- trackplan:trackplan:review -->") and "❌" in body

    second = run_cli("-C", plan_repo, "ci", "--fail-on", "never")
    assert second.exit_code == 0 and "Review comment updated (id 101)." in second.stdout
    assert CommentsAPI.calls[-1] == ("PATCH", "/repos/acme/plan/issues/comments/101")
    assert len(CommentsAPI.comments) == 2  # still one trackplan comment
    lines = outputs.read_text().splitlines()
    assert "breaking-count=2" in lines and 'changed-events=["Checkout Completed"]' in lines
    assert summary.read_text().count("<!-- trackplan:trackplan:review -->") == 2


def test_ci_on_a_shallow_clone_says_how_to_fetch_the_base(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path
) -> None:
    shallow = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth=1", plan_repo.as_uri(), str(shallow)], check=True)
    result = run_cli("-C", shallow, "ci", "--base", "0123456789abcdef0123456789abcdef01234567", "--no-comment")
    assert result.exit_code == 2
    assert "git fetch --no-tags --depth=1 origin 0123456789abcdef0123456789abcdef01234567" in result.output


def test_action_passes_inputs_through_env_only() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert set(action["inputs"]) == {"base", "fail-on", "comment", "version", "working-directory"}
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


def test_log(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    for i in range(3):
        event = plan_repo / "events" / "signed-up.yaml"
        event.write_text(event.read_text() + f"# revision {i}\n")
        subprocess.run(["git", "commit", "-qam", f"change {i}"], cwd=plan_repo, check=True)
    (plan_repo / "README.md").write_text("outside the plan files\n")
    subprocess.run(["git", "commit", "-qam", "docs only"], cwd=plan_repo, check=True)
    entries = json.loads(run_cli("-C", plan_repo, "log", "--format", "json").stdout)
    assert [e["message"] for e in entries][:3] == ["change 2", "change 1", "change 0"]
    assert entries[0]["changes"]["updated"] == ["Signed Up"]
    assert entries[-1]["changes"]["added"] == [
        "Checkout Completed",
        "Product Viewed",
        "Search Performed",
        "Signed Up",
        "Subscription Cancelled",
    ]
    assert "docs only" not in [e["message"] for e in entries]
    limited = json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--limit", "1", "--offset", "1").stdout)
    assert [e["message"] for e in limited] == ["change 1"]
    ascending = json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--order", "asc").stdout)
    assert ascending[0]["message"].startswith("Create tracking plan")
    only = json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--event", "Product Viewed").stdout)
    assert len(only) == 1
    assert (
        json.loads(run_cli("-C", plan_repo, "log", "--format", "json", "--before", "2000-01-01T00:00:00Z").stdout) == []
    )

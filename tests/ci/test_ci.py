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

from tests.helpers import CliRunnerCall


class CommentsAPI(BaseHTTPRequestHandler):
    comments: ClassVar[list[dict[str, Any]]] = []
    calls: ClassVar[list[tuple[str, str]]] = []
    post_status: ClassVar[int] = 201  # another status stands for GitHub failing the comment

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
        if self.post_status != 201:
            self._reply(self.post_status, {"message": "refused"})
            return
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
    CommentsAPI.post_status = 201
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


def test_ci_outside_a_pull_request_needs_a_base(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    result = run_cli("-C", plan_repo, "ci")
    assert (result.exit_code, result.stdout) == (2, "")
    assert (
        result.stderr
        == "trackplan: error: no base to compare with: pass --base REF (outside a pull_request workflow)\n"
    )


@pytest.mark.parametrize(
    ("head_repo", "token", "said"),
    [
        ("someone/plan", "test-token", "Pull request from a fork: the token is read-only, so no comment is posted."),
        (
            "acme/plan",
            None,
            "::notice::No GITHUB_TOKEN: the review comment is skipped (the job summary has the report).",
        ),
    ],
)
def test_ci_says_why_it_posts_no_comment(
    plan_repo: Path,
    run_cli: CliRunnerCall,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    head_repo: str,
    token: str | None,
    said: str,
) -> None:
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=plan_repo, capture_output=True, text=True).stdout.strip()
    payload = {
        "pull_request": {
            "number": 7,
            "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/plan"}},
            "head": {"sha": base, "repo": {"full_name": head_repo}},
        }
    }
    (tmp_path / "event.json").write_text(json.dumps(payload))
    monkeypatch.setenv("GITHUB_EVENT_PATH", str(tmp_path / "event.json"))
    monkeypatch.setenv("GITHUB_REPOSITORY", "acme/plan")
    monkeypatch.setenv("GITHUB_OUTPUT", str(tmp_path / "out.txt"))
    if token:
        monkeypatch.setenv("GITHUB_TOKEN", token)
    result = run_cli("-C", plan_repo, "ci")
    assert result.exit_code == 0
    head = base[:7]
    assert (
        result.stdout
        == f"main@{head} -> {head}: 0 events changed, 0 breaking, 0 warnings, 0 info\nNo changes.\n{said}\n"
    )
    assert (tmp_path / "out.txt").read_text() == "breaking-count=0\nwarning-count=0\nchanged-events=[]\n"


@pytest.mark.parametrize(
    ("status", "reason", "fail_on", "exit_code"),
    [
        (500, "Internal Server Error", "never", 0),
        (403, "Forbidden", "never", 0),
        (500, "Internal Server Error", "breaking", 1),
    ],
)
def test_ci_keeps_the_reviews_exit_code_when_the_comment_fails(
    plan_repo: Path,
    run_cli: CliRunnerCall,
    api: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    status: int,
    reason: str,
    fail_on: str,
    exit_code: int,
) -> None:
    base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=plan_repo, capture_output=True, text=True).stdout.strip()
    event = plan_repo / "events" / "checkout-completed.yaml"
    event.write_text(event.read_text().replace("enum: [card, paypal, apple_pay, invoice]", "enum: [card, paypal]"))
    subprocess.run(["git", "commit", "-qam", "drop payment methods"], cwd=plan_repo, check=True)
    payload = {
        "pull_request": {
            "number": 9,
            "base": {"sha": base, "ref": "main", "repo": {"full_name": "acme/plan"}},
            "head": {"sha": "x", "repo": {"full_name": "acme/plan"}},
        }
    }
    (tmp_path / "event.json").write_text(json.dumps(payload))
    for name, value in {
        "GITHUB_EVENT_PATH": str(tmp_path / "event.json"),
        "GITHUB_REPOSITORY": "acme/plan",
        "GITHUB_API_URL": api,
        "GITHUB_TOKEN": "test-token",
    }.items():
        monkeypatch.setenv(name, value)
    CommentsAPI.post_status = status

    result = run_cli("-C", plan_repo, "ci", "--fail-on", fail_on)
    assert result.exit_code == exit_code
    assert [c[0] for c in CommentsAPI.calls] == ["GET", "POST"]
    assert result.stdout.endswith(
        "::warning::the review comment was not posted: "
        f"GitHub API POST /repos/acme/plan/issues/9/comments: HTTP {status} {reason}\n"
    )
    assert result.stderr == ""
    assert "test-token" not in result.output

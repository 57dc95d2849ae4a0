"""Everything trackplan knows of GitHub: the Actions environment (the pull request, the
workflow run), one sticky comment (found by its hidden marker, then updated in place or
created), and the files a step writes: $GITHUB_OUTPUT and $GITHUB_STEP_SUMMARY.

Renderers return text; only this module writes it where GitHub reads it."""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trackplan.errors import GitHubError


@dataclass(frozen=True)
class PullRequest:
    repository: str  # owner/name
    number: int
    base_sha: str | None
    base_ref: str | None
    head_sha: str | None
    from_fork: bool


@dataclass(frozen=True)
class WorkflowRun:
    """The job this runs in: its name makes the comment marker, its run the report's link."""

    workflow: str
    job: str
    run_url: str | None

    @property
    def marker(self) -> str:
        return f"trackplan:{self.workflow}:{self.job}"


def workflow_run(env: Mapping[str, str] = os.environ) -> WorkflowRun:
    server, repository, run_id = (env.get(k) for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID"))
    return WorkflowRun(
        workflow=env.get("GITHUB_WORKFLOW", "trackplan"),
        job=env.get("GITHUB_JOB", "review"),
        run_url=f"{server}/{repository}/actions/runs/{run_id}" if server and repository and run_id else None,
    )


def pull_request_from_env(env: Mapping[str, str] = os.environ) -> PullRequest | None:
    """The PR this workflow runs for, from $GITHUB_EVENT_PATH (None outside a PR)."""
    path = env.get("GITHUB_EVENT_PATH")
    if not path or not Path(path).is_file():
        return None
    try:
        event = json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return None
    pr = event.get("pull_request") if isinstance(event, dict) else None
    if not isinstance(pr, dict):
        return None
    repository = env.get("GITHUB_REPOSITORY") or pr.get("base", {}).get("repo", {}).get("full_name", "")
    head_repo = pr.get("head", {}).get("repo", {}) or {}
    return PullRequest(
        repository=repository,
        number=int(pr.get("number") or event.get("number") or 0),
        base_sha=pr.get("base", {}).get("sha"),
        base_ref=pr.get("base", {}).get("ref") or env.get("GITHUB_BASE_REF"),
        head_sha=pr.get("head", {}).get("sha"),
        from_fork=bool(head_repo.get("full_name")) and head_repo.get("full_name") != repository,
    )


class GitHub:
    """The REST API at `api_url` ($GITHUB_API_URL; github.com's by default)."""

    def __init__(self, token: str, api_url: str | None = None) -> None:
        self.token = token
        self.api_url = (api_url or "https://api.github.com").rstrip("/")

    def request(self, method: str, path: str, body: Any = None) -> Any:
        import urllib.error  # loaded here: every diff imports this module, few call the API
        import urllib.request

        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.api_url}{path}", data=data, method=method)
        req.add_header("Authorization", f"Bearer {self.token}")
        req.add_header("Accept", "application/vnd.github+json")
        req.add_header("X-GitHub-Api-Version", "2022-11-28")
        if data is not None:
            req.add_header("Content-Type", "application/json")
        try:
            with urllib.request.urlopen(req, timeout=30) as response:
                payload = response.read()
        except urllib.error.HTTPError as exc:
            raise GitHubError(f"GitHub API {method} {path}: HTTP {exc.code} {exc.reason}") from None
        except urllib.error.URLError as exc:
            raise GitHubError(f"GitHub API {method} {path}: {exc.reason}") from None
        try:
            return json.loads(payload) if payload else None
        except ValueError:
            raise GitHubError(f"GitHub API {method} {path}: the response is not JSON") from None

    def upsert_comment(self, pr: PullRequest, marker: str, body: str) -> tuple[str, int]:
        """Update the comment carrying `marker`, or create it. Returns (action, comment id)."""
        page = 1
        while True:
            comments = self.request(
                "GET", f"/repos/{pr.repository}/issues/{pr.number}/comments?per_page=100&page={page}"
            )
            for comment in comments or []:
                if f"<!-- {marker} -->" in (comment.get("body") or ""):
                    self.request("PATCH", f"/repos/{pr.repository}/issues/comments/{comment['id']}", {"body": body})
                    return "updated", int(comment["id"])
            if not comments or len(comments) < 100:
                break
            page += 1
        created = self.request("POST", f"/repos/{pr.repository}/issues/{pr.number}/comments", {"body": body})
        return "created", int(created["id"])


def write_outputs(values: dict[str, str], env: Mapping[str, str] = os.environ) -> None:
    """Append step outputs to $GITHUB_OUTPUT (multi-line values use a delimiter)."""
    target = env.get("GITHUB_OUTPUT")
    if not target:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        for name, value in values.items():
            if "\n" in value:
                handle.write(f"{name}<<TRACKPLAN_EOF\n{value}\nTRACKPLAN_EOF\n")
            else:
                handle.write(f"{name}={value}\n")


def append_step_summary(text: str | None, env: Mapping[str, str] = os.environ) -> None:
    """Append Markdown to $GITHUB_STEP_SUMMARY, the job's summary page (nothing outside Actions)."""
    target = env.get("GITHUB_STEP_SUMMARY")
    if not target or not text:
        return
    with Path(target).open("a", encoding="utf-8") as handle:
        handle.write(text)

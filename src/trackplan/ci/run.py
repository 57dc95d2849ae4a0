"""`trackplan ci`, the one command a pull request runs: lint the plan at HEAD, diff it from the
merge base with the pull request's base, and report where GitHub shows it: annotations and
the full report in the job's log, the job summary, step outputs and one sticky comment."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from trackplan.ci.github import (
    GitHub,
    PullRequest,
    append_step_summary,
    pull_request_from_env,
    workflow_run,
    write_outputs,
)
from trackplan.ci.review import changes_fail, source_text_at
from trackplan.codeowners import run as codeowners
from trackplan.diffing.records import DiffResult
from trackplan.diffing.run import diff_refs
from trackplan.errors import GitHubError, InputError
from trackplan.linting.run import lint_ref
from trackplan.repo.merge import driver_warning
from trackplan.report import _github
from trackplan.report import diff as diff_report
from trackplan.report import lint as lint_report
from trackplan.report.context import ReportContext

if TYPE_CHECKING:
    from trackplan.repo.workspace import Workspace

Log = Callable[[str], None]  # receives the job log's text as it is produced


@dataclass(frozen=True)
class CiRequest:
    base: str | None = None  # the ref to compare with; default: the pull request's base
    fail_on: str = "breaking"
    comment: bool = True  # create or update the sticky comment (with a token, not from a fork)
    token: str | None = None


@dataclass(frozen=True)
class CiOutcome:
    result: DiffResult
    failed: bool  # lint errors, changes at fail_on or worse, or a stale CODEOWNERS block: the job fails


def run_ci(ws: Workspace, request: CiRequest, env: Mapping[str, str], log: Log) -> CiOutcome:
    """Review HEAD against the base; `env` is the Actions environment, `log` the job's log."""
    pr = pull_request_from_env(env)
    base_ref = _base_ref(request.base, pr)
    base_commit = ws.resolve_base(base_ref)
    lint = lint_ref(ws, "HEAD")
    log("".join(f"{annotation}\n" for annotation in lint_report.annotations(lint, ws.path_prefix)))
    owners = codeowners.check(ws, "HEAD", codeowners.committed_text(ws, "HEAD"))
    if not owners.up_to_date:
        log(f"::error file={codeowners.CODEOWNERS_FILE}::{_github.escape_data(owners.message)}\n")
    if warning := driver_warning(ws):
        log(f"::warning::{_github.escape_data(warning)}\n")
    head = ws.store.resolve("HEAD")
    result = diff_refs(ws, ws.store.merge_base(base_commit, head) or base_commit, "HEAD")
    run = workflow_run(env)
    context = ReportContext(
        base_label=f"{pr.base_ref}@{base_commit[:7]}" if pr and pr.base_ref else base_ref,
        head_label=head[:7],
        source_text=source_text_at(ws, "HEAD"),
        marker=run.marker,
        run_url=run.run_url,
        updated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        path_prefix=ws.path_prefix,
    )
    log(diff_report.render(result, "github", context))
    append_step_summary(diff_report.step_summary(result, context), env)
    counts = result.counts()
    write_outputs(
        {
            "breaking-count": str(counts["breaking"]),
            "warning-count": str(counts["warning"]),
            "changed-events": json.dumps(result.changed_events),
        },
        env,
    )
    if request.comment and pr is not None:
        log(_comment(pr, request.token, result, context, env) + "\n")
    return CiOutcome(result, lint.has_errors or changes_fail(counts, request.fail_on) or not owners.up_to_date)


def _base_ref(base: str | None, pr: PullRequest | None) -> str:
    if base:
        return base
    if pr is not None and pr.base_sha:
        return pr.base_sha
    if pr is not None and pr.base_ref:
        return f"origin/{pr.base_ref}"
    raise InputError("no base to compare with: pass --base REF (outside a pull_request workflow)")


def _comment(
    pr: PullRequest, token: str | None, result: DiffResult, context: ReportContext, env: Mapping[str, str]
) -> str:
    """Post or update the sticky comment where the token allows; what happened, for the log.
    The comment only repeats the review, so failing to post it is a warning, never the job's verdict."""
    if pr.from_fork:
        return "Pull request from a fork: the token is read-only, so no comment is posted."
    if not token:
        return "::notice::" + _github.escape_data(
            "No GITHUB_TOKEN: the review comment is skipped (the job summary has the report)."
        )
    body = diff_report.render(result, "markdown", context)
    try:
        action, comment_id = GitHub(token, env.get("GITHUB_API_URL")).upsert_comment(pr, context.marker, body)
    except GitHubError as exc:
        return "::warning::" + _github.escape_data(f"the review comment was not posted: {exc}")
    return f"Review comment {action} (id {comment_id})."

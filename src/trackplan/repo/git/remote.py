"""Talking to a remote through the git executable (libgit2 has no credential helpers or SSH
agent of its own, and CI checkouts are set up for git): fetching a base missing from a
shallow clone, and a pushed commit a served repository does not have yet."""

from __future__ import annotations

from pathlib import Path

from trackplan.errors import RefError
from trackplan.repo.git.command import git_errors
from trackplan.repo.git.store import GitStore


def fetch_base(store: GitStore, cwd: Path, base_ref: str) -> str:
    """The commit of `base_ref`, fetched shallowly from origin (a CI checkout of depth 1 has
    no base branch): `base_ref` if the fetch created it, else FETCH_HEAD. A RefError says
    how to fetch it by hand when that fails."""
    target = base_ref.removeprefix("origin/")
    command = ["fetch", "--no-tags", "--depth=1", "origin", target]
    _, stderr = git_errors(cwd, *command)
    for candidate in (base_ref, "FETCH_HEAD"):
        try:
            return store.resolve(candidate)
        except RefError:
            continue
    raise RefError(
        f"the base {base_ref!r} is not in this clone (shallow checkout?) and fetching it failed "
        f"({stderr.splitlines()[-1] if stderr else 'no remote'}); run "
        f"`git {' '.join(command)}` or check out with fetch-depth: 0"
    )


def fetch_missing_commit(store: GitStore, cwd: Path, commit: str, branch: str) -> None:
    """Make sure the repository has `commit`: when it lacks it, fetch `branch` from the remote
    that branch tracks (`branch.<branch>.remote`, else origin), which brings a commit pushed
    there. Only objects and remote-tracking refs are fetched; no local branch moves. A RefError
    names the commit and the remote when it is still missing."""
    if _has(store, commit):
        return
    config = store.repo.config
    key = f"branch.{branch}.remote"
    remote = str(config[key]) if key in config else "origin"
    fetched, stderr = git_errors(cwd, "fetch", "--no-tags", remote, f"refs/heads/{branch}")
    if not _has(store, commit):
        lines = stderr.splitlines() or ["git failed"]
        failed = "" if fetched else f" ({next((line for line in lines if line.startswith('fatal:')), lines[-1])})"
        raise RefError(
            f"commit {commit} is not in this repository, and fetching {branch} from {remote} did not bring it{failed}"
        )


def _has(store: GitStore, commit: str) -> bool:
    try:
        store.resolve(commit)
    except RefError:
        return False
    return True

"""Talking to a remote through the git executable (libgit2 has no credential helpers or SSH
agent of its own, and CI checkouts are set up for git): fetching a base missing from a
shallow clone."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from trackplan.errors import RefError
from trackplan.repo.git.store import GitStore


def fetch_base(store: GitStore, cwd: Path, base_ref: str) -> str:
    """The commit of `base_ref`, fetched shallowly from origin (a CI checkout of depth 1 has
    no base branch): `base_ref` if the fetch created it, else FETCH_HEAD. A RefError says
    how to fetch it by hand when that fails."""
    target = base_ref.removeprefix("origin/")
    command = ["git", "fetch", "--no-tags", "--depth=1", "origin", target]
    try:
        stderr = subprocess.run(
            command,
            cwd=cwd,
            capture_output=True,
            text=True,
            check=False,
            stdin=subprocess.DEVNULL,
            env={**os.environ, "GIT_TERMINAL_PROMPT": "0"},  # never wait for credentials in CI
        ).stderr.strip()
    except OSError as exc:  # no git executable
        stderr = str(exc)
    for candidate in (base_ref, "FETCH_HEAD"):
        try:
            return store.resolve(candidate)
        except RefError:
            continue
    raise RefError(
        f"the base {base_ref!r} is not in this clone (shallow checkout?) and fetching it failed "
        f"({stderr.splitlines()[-1] if stderr else 'no remote'}); run "
        f"`{' '.join(command)}` or check out with fetch-depth: 0"
    )

"""Running the git executable, for the questions git answers faster than loading pygit2
(see worktree.py, revisions.py, tree_diffs.py): output on success, None when git cannot
answer (no executable, a repository it refuses, an unknown ref)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

LOCAL_ENV = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
    "GIT_DIR",
    "GIT_GRAFT_FILE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX",
    "GIT_REPLACE_REF_BASE",
    "GIT_SHALLOW_FILE",
    "GIT_WORK_TREE",
)
"""What `git rev-parse --local-env-vars` lists, and the ceiling: pygit2 opens the repository
found above a folder whatever they say (a hook's GIT_DIR and GIT_INDEX_FILE included), so
git is asked without them, about the same repository and index. libgit2 does not read
refs/replace/ either: git is told not to (GIT_NO_REPLACE_OBJECTS)."""


def git_output(folder: Path, *args: str, stdin: bytes | None = None) -> bytes | None:
    process = start(folder, *args, piped=stdin is not None)
    return finish(process, stdin) if process is not None else None


def start(folder: Path, *args: str, piped: bool = False) -> subprocess.Popen[bytes] | None:
    env = {name: value for name, value in os.environ.items() if name not in LOCAL_ENV}
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    try:
        return subprocess.Popen(
            ["git", *args],
            cwd=folder,
            env=env,
            stdin=subprocess.PIPE if piped else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError:  # no git executable, or the folder is gone
        return None


def finish(process: subprocess.Popen[bytes], stdin: bytes | None = None) -> bytes | None:
    out, _ = process.communicate(stdin)
    return out if process.returncode == 0 else None

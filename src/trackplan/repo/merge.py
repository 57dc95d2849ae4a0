"""Merges of a plan's repository, for the merge verbs: a tree merge of two refs into a merge
commit, the conflicted files of a merge in progress, the merge driver's git config and
`.gitattributes` lines. Paths here are paths from the repository root, as git's are.
"""

from __future__ import annotations

import shlex
import sys

from trackplan.repo.git import merging as gitmerging
from trackplan.repo.git.merging import FileConflict, TreeMerge, merge_file
from trackplan.repo.git.store import GitStore
from trackplan.repo.paths import (
    CONTEXTS_DIR,
    EVENTS_DIR,
    GROUP_FILE,
    IDENTIFY_FILE,
    SETTINGS_FILE,
    TRACKING_PLANS_DIR,
)
from trackplan.repo.workspace import Workspace

DRIVER = "trackplan"
DRIVER_DESCRIPTION = "trackplan semantic merge of plan files"
ATTRIBUTES_FILE = ".gitattributes"
ATTRIBUTE_PATTERNS = (
    SETTINGS_FILE,
    IDENTIFY_FILE,
    GROUP_FILE,
    f"{EVENTS_DIR}/**/*.yaml",
    f"{EVENTS_DIR}/**/*.yml",
    f"{EVENTS_DIR}/**/*.json",
    f"{CONTEXTS_DIR}/*.yaml",
    f"{TRACKING_PLANS_DIR}/*.yaml",
)
ATTRIBUTE_LINES = tuple(f"{pattern} merge={DRIVER}" for pattern in ATTRIBUTE_PATTERNS)

__all__ = [
    "ATTRIBUTES_FILE",
    "DRIVER",
    "FileConflict",
    "TreeMerge",
    "attributes_name_driver",
    "attributes_text",
    "declare_driver",
    "driver_command",
    "driver_configured",
    "driver_warning",
    "in_progress_conflicts",
    "merge_file",
    "set_up_driver",
    "stage_resolution",
    "tree_merge",
]


def tree_merge(ws: Workspace, ours: str, theirs: str) -> TreeMerge:
    """git's tree merge of two commits (ids) from their merge base, in memory."""
    return TreeMerge(ws.store, ours, theirs)


def in_progress_conflicts(ws: Workspace) -> list[FileConflict]:
    return gitmerging.index_conflicts(ws.store)


def stage_resolution(ws: Workspace, repo_path: str, data: bytes) -> None:
    gitmerging.stage_resolution(ws.store, repo_path, data)


def attributes_name_driver(ws: Workspace) -> bool:
    """Whether the plan's `.gitattributes` sends files to the trackplan merge driver."""
    file = ws.root / ATTRIBUTES_FILE
    if not file.is_file():
        return False
    return any(f"merge={DRIVER}" in line.split()[1:] for line in file.read_text().splitlines())


def driver_configured(ws: Workspace) -> bool:
    return gitmerging.merge_driver(ws.store, DRIVER) is not None


def driver_command() -> str:
    """The driver's command line: this interpreter running trackplan, so git finds the same
    installation whatever its PATH (%O base, %A ours and the result, %B theirs, %L marker
    size, %P the path)."""
    return f"{shlex.quote(sys.executable)} -m trackplan merge-driver %O %A %B %L %P"


def attributes_text(existing: str) -> str | None:
    """`.gitattributes` with the driver's lines added, or None when they are all there."""
    present = {line.strip() for line in existing.splitlines()}
    missing = [line for line in ATTRIBUTE_LINES if line not in present]
    if not missing:
        return None
    separator = "" if not existing or existing.endswith("\n") else "\n"
    return existing + separator + "\n".join(missing) + "\n"


def declare_driver(store: GitStore) -> None:
    """Declare the driver in the repository's own git config."""
    gitmerging.set_merge_driver(store, DRIVER, DRIVER_DESCRIPTION, driver_command())


def set_up_driver(ws: Workspace) -> bool:
    """Add the driver's lines to the plan's `.gitattributes` and declare it in .git/config.
    Returns whether `.gitattributes` changed."""
    file = ws.root / ATTRIBUTES_FILE
    text = attributes_text(file.read_text() if file.is_file() else "")
    if text is not None:
        file.write_text(text)
    declare_driver(ws.store)
    return text is not None


def driver_warning(ws: Workspace) -> str | None:
    """The warning for a clone whose `.gitattributes` names the driver that its git config
    lacks: git then merges plan files line by line (or stops, when the section is half there)."""
    if not attributes_name_driver(ws) or driver_configured(ws):
        return None
    return (
        f"{ws.repo_path(ATTRIBUTES_FILE)} sends plan files to the trackplan merge driver, but this clone's "
        "git config does not declare it; run `trackplan setup-merge-driver`"
    )

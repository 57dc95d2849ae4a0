"""Finding the plan's folder: the nearest folder at or above a start that holds trackplan.yaml,
never above a repository's root (`repo.workspace.find_plan_root` raises when there is none).
Strings and os.path only: the quick default diff (cli/quick.py) finds the plan before
pathlib is loaded."""

from __future__ import annotations

import os

from trackplan.repo.paths import SETTINGS_FILE


def nearest(start: str) -> str | None:
    """The plan folder at or above `start` (resolved), or None."""
    folder = os.path.realpath(start)
    while True:
        if os.path.isfile(os.path.join(folder, SETTINGS_FILE)):
            return folder
        parent = os.path.dirname(folder)
        if parent == folder or os.path.exists(os.path.join(folder, ".git")):
            return None
        folder = parent

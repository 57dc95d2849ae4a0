"""What git says of a default `diff`'s work tree: the merge base of the plan's main branch and
HEAD, the paths `git status` lists in the plan folder, and whether nothing the diff reads
differs from the base (then the diff is empty, and is answered without reading the plan).

The full diff (`diffing.ranges.worktree_state`) and the quick one, answered before click
loads (cli/quick.py), ask git here alike; they differ only in how they learn the main
branch. Nothing here loads pathlib, dataclasses or the plan's model: the quick diff's
whole budget is about one `git status`.
"""

from __future__ import annotations

import os

from trackplan.repo.git import worktree
from trackplan.repo.paths import CONTEXTS_DIR, EVENTS_DIR, TRACKING_PLANS_DIR, is_plan_file

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from trackplan.repo.git.worktree import Checkout


class Base:
    """A default diff's base, and what `git status` lists below the plan folder."""

    __slots__ = ("checkout", "commit", "listed", "main_branch")

    def __init__(self, checkout: Checkout, main_branch: str, commit: str, listed: tuple[str, ...] | None) -> None:
        self.checkout = checkout
        self.main_branch = main_branch
        self.commit = commit
        """The merge base of the main branch and HEAD."""
        self.listed = listed
        """The paths `git status` lists below the plan folder, from it (folders end in "/");
        None when it could not tell."""


_HANDED: dict[str, Base] = {}
"""What git told a quick diff that could not answer, by plan folder, for the full diff of the
same process: asking again would cost a changed work tree's diff a second `git status`."""


def hand_over(root: Path | str, base: Base) -> None:
    """Leave `base` to the next `default_base` of this plan folder in this process."""
    _HANDED[os.fspath(root)] = base


def default_base(root: Path | str, main_branch: Callable[[Checkout], str | None]) -> Base | None:
    """The base of a default diff of the plan in `root`, and what git lists in the work tree;
    None when git cannot tell (no work tree, a shallow clone, no single merge base, no git),
    or `main_branch` (given the checkout) names none. `git status` runs all the while. What
    a quick diff handed over is taken once `main_branch` names the branch it was asked about."""
    handed = _HANDED.pop(os.fspath(root), None)
    if handed is None:
        return _asked(root, main_branch)
    main = main_branch(handed.checkout)
    return handed if main == handed.main_branch else _asked(root, lambda checkout: main)


def _asked(root: Path | str, main_branch: Callable[[Checkout], str | None]) -> Base | None:
    with worktree.Status(root) as status:
        checkout = worktree.checkout_of(root)
        if checkout is None:
            return None
        main = main_branch(checkout)
        if main is None:
            return None
        commit = worktree.merge_base(root, main, checkout.head)
        if commit is None:
            return None
        paths = status.paths()
    listed = None if paths is None else tuple(path.removeprefix(checkout.prefix) for path in paths)
    return Base(checkout, main, commit, listed)


def unchanged(root: Path | str, base: Base) -> bool:
    """Whether the plan files and tracking plans of the work tree are the base's."""
    # Tracking plans are parsed by every diff, and an unreadable one is an error even when unchanged.
    listed = base.listed
    if listed is None or os.path.isdir(os.path.join(root, TRACKING_PLANS_DIR)):
        return False
    if any(_may_hold_plan_files(path) for path in listed):
        return False
    return base.commit == base.checkout.head or worktree.same_folder(root, base.commit, base.checkout.head)


def _may_hold_plan_files(path: str) -> bool:
    """Whether a path `git status` lists (from the plan folder) is, or is a folder that may
    hold, a file the diff reads: a plan file or a tracking plan."""
    if path.endswith("/") or not path:  # a folder git did not look into, or the plan folder itself
        return not path or path.startswith((f"{EVENTS_DIR}/", f"{CONTEXTS_DIR}/", f"{TRACKING_PLANS_DIR}/"))
    return is_plan_file(path) or path.startswith(f"{TRACKING_PLANS_DIR}/")

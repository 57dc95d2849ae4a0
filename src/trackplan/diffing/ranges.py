"""What a diff compares: BASE and HEAD from the command line or the defaults, and the default
diff of a work tree that git's index shows unchanged, answered without reading the plan.

A default `diff` on a clean work tree is the common case before a commit or in a hook, and
there nothing differs: `worktree_state` asks the git executable (`diffing.clean`) whether
the plan's files may differ from the base, so pygit2 and the diffing engine are not loaded
to find nothing. Whenever git's answer is not a plain "unchanged", the full diff runs, on
just the paths git listed. The settings it accepts are kept, so that the next such diff is
answered before click loads (cli/quick.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from trackplan.diffing import clean
from trackplan.diffing.profiles import breaking_profile
from trackplan.errors import InputError
from trackplan.repo import settings_memo
from trackplan.repo.paths import SETTINGS_FILE
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import blob_cache, plan_root, worktree_bytes, worktree_settings

if TYPE_CHECKING:
    from trackplan.model import Settings
    from trackplan.repo.git.worktree import Checkout
    from trackplan.repo.workspace import Workspace


@dataclass(frozen=True)
class Range:
    base: str
    head: str
    merge_base_of: str | None = None  # the branch whose merge base with HEAD `base` is

    @property
    def base_label(self) -> str:
        """BASE as reports name it: a merge base by its branch, `main (merge base 1a2b3c4d5e6f)`."""
        if self.merge_base_of is None:
            return self.base
        return f"{self.merge_base_of} (merge base {self.base[:12]})"


def parse_range(ws: Workspace, base: str | None, head: str | None) -> Range:
    """`BASE..HEAD`, `BASE...HEAD` (merge base), or defaults: the merge base of the plan's
    main branch and HEAD, against the work tree."""
    if base is None:
        main = ws.settings(WORKTREE if ws.store.workdir else "HEAD").main_branch
        main_commit = ws.resolve_main(main)
        merge_base = ws.store.merge_base(main_commit, ws.store.resolve("HEAD"))
        if merge_base is None:
            return Range(main_commit, head or WORKTREE)
        return Range(merge_base, head or WORKTREE, main)
    left, right, from_merge_base = split_range(base, head)
    if not from_merge_base:
        return Range(left, right)
    merge_base = ws.store.merge_base(ws.store.resolve(left), ws.store.resolve(right))
    if merge_base is None:
        raise InputError(f"{left!r} and {right!r} have no common ancestor")
    return Range(merge_base, right, left)


def split_range(base: str, head: str | None) -> tuple[str, str, bool]:
    """BASE and HEAD as given, and whether BASE stands for their merge base: `BASE...HEAD`
    (HEAD defaults to HEAD), `BASE..HEAD`, or BASE and HEAD (the work tree by default)."""
    if "..." in base and head is None:
        left, right = base.split("...", 1)
        return left, right or "HEAD", True
    if ".." in base and head is None:
        left, right = base.split("..", 1)
        return left, right or "HEAD", False
    return base, head or WORKTREE, False


@dataclass(frozen=True)
class WorktreeState:
    """What git says of a default diff's work tree."""

    span: Range
    path_prefix: str
    """The plan folder from the repository root: "" or "folder/"."""
    listed: tuple[str, ...]
    """The paths `git status` lists below the plan folder, from it (folders end in "/")."""
    unchanged: bool
    """The plan files and tracking plans are the base's: the diff is empty."""


def worktree_state(cwd: Path, plan_dir: Path | None, profile: str | None) -> WorktreeState | None:
    """The default range of `diff` (the merge base of the plan's main branch and HEAD, to the
    work tree) and what `git status` lists in the plan folder; None when git cannot tell
    (no work tree, a shallow clone, no single merge base, no git). Raises what the full diff
    raises first for the settings (an unreadable trackplan.yaml, an unknown breaking_profile).
    Settings it accepts are kept for the quick diff (`repo.settings_memo`)."""
    root = plan_root(cwd, plan_dir)
    read: list[tuple[bytes | None, Settings]] = []

    def main_branch(checkout: Checkout) -> str:
        cache = blob_cache(Path(checkout.git_dir))
        data = worktree_bytes(root, SETTINGS_FILE)
        read.append((data, worktree_settings(root, cache)))
        cache.flush()
        return read[0][1].main_branch

    base = clean.default_base(root, main_branch)
    if base is None:
        return None
    data, settings = read[0]
    breaking_profile(settings, profile)
    if base.listed is None:
        return None
    if profile is None or _default_profile_known(settings):  # what a quick `diff` without --profile reads
        settings_memo.remember(base.checkout.git_dir, str(root), data, settings.main_branch)
    span = Range(base.commit, WORKTREE, settings.main_branch)
    return WorktreeState(span, base.checkout.prefix, base.listed, clean.unchanged(root, base))


def _default_profile_known(settings: Settings) -> bool:
    try:
        breaking_profile(settings)
    except InputError:
        return False
    return True

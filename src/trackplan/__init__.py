"""trackplan: an analytics tracking plan as code in git.

The library API (docs/library.md): one entry function per command, with its request type,
the `Workspace` they all take, the model's values, `Checker` and the errors. Every name but
the errors loads on first use, so `import trackplan` and the CLI's start-up import none of
the packages behind them.
"""

from __future__ import annotations

from trackplan.errors import (
    ConcurrentUpdateError,
    DirtyWorktreeError,
    GitError,
    GitHubError,
    IdentityError,
    InputError,
    MergedBranchError,
    PlanNotFoundError,
    ProtectedBranchError,
    RefError,
    RefNameError,
    RefusedError,
    TrackplanError,
)

TYPE_CHECKING = False  # typing.TYPE_CHECKING, without loading typing (8 ms of every start-up)
if TYPE_CHECKING:
    from trackplan.catalogue import all_rules
    from trackplan.checking.checker import Checker
    from trackplan.checking.run import CheckRequest, check_ref, run_checks
    from trackplan.ci.run import CiRequest, run_ci
    from trackplan.diffing.history import LogRequest, history
    from trackplan.diffing.run import diff_refs
    from trackplan.exporting.run import ExportRequest, render
    from trackplan.importing.run import ImportRequest, run_import
    from trackplan.linting.run import lint_files, lint_ref
    from trackplan.model import Event, Plan, Property, SchemaVer, Settings
    from trackplan.repo.browse import event_rows, find_event
    from trackplan.repo.refs import WORKTREE
    from trackplan.repo.relayout import relayout
    from trackplan.repo.scaffold import init_plan
    from trackplan.repo.workspace import Workspace

# The one place the version is written (pyproject reads it): importlib.metadata would cost
# `trackplan --version` half its time.
__version__ = "0.1.0"

# The modules behind the lazily loaded names: the same imports as the block above.
_LAZY = {
    "trackplan.catalogue": ("all_rules",),
    "trackplan.checking.checker": ("Checker",),
    "trackplan.checking.run": ("CheckRequest", "check_ref", "run_checks"),
    "trackplan.ci.run": ("CiRequest", "run_ci"),
    "trackplan.diffing.history": ("LogRequest", "history"),
    "trackplan.diffing.run": ("diff_refs",),
    "trackplan.exporting.run": ("ExportRequest", "render"),
    "trackplan.importing.run": ("ImportRequest", "run_import"),
    "trackplan.linting.run": ("lint_files", "lint_ref"),
    "trackplan.model": ("Event", "Plan", "Property", "SchemaVer", "Settings"),
    "trackplan.repo.browse": ("event_rows", "find_event"),
    "trackplan.repo.refs": ("WORKTREE",),
    "trackplan.repo.relayout": ("relayout",),
    "trackplan.repo.scaffold": ("init_plan",),
    "trackplan.repo.workspace": ("Workspace",),
}
_MODULE_OF = {name: module for module, names in _LAZY.items() for name in names}

__all__ = [
    "WORKTREE",
    "CheckRequest",
    "Checker",
    "CiRequest",
    "ConcurrentUpdateError",
    "DirtyWorktreeError",
    "Event",
    "ExportRequest",
    "GitError",
    "GitHubError",
    "IdentityError",
    "ImportRequest",
    "InputError",
    "LogRequest",
    "MergedBranchError",
    "Plan",
    "PlanNotFoundError",
    "Property",
    "ProtectedBranchError",
    "RefError",
    "RefNameError",
    "RefusedError",
    "SchemaVer",
    "Settings",
    "TrackplanError",
    "Workspace",
    "__version__",
    "all_rules",
    "check_ref",
    "diff_refs",
    "event_rows",
    "find_event",
    "history",
    "init_plan",
    "lint_files",
    "lint_ref",
    "relayout",
    "render",
    "run_checks",
    "run_ci",
    "run_import",
]


def __getattr__(name: str) -> object:
    module = _MODULE_OF.get(name)
    if module is None:
        raise AttributeError(f"module 'trackplan' has no attribute {name!r}")
    from importlib import import_module  # with warnings, 0.7 ms that a quick `diff` does without

    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})

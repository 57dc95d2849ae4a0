"""The project's exception hierarchy. Every error a user can cause is one of these.

Exit codes follow the design contract: 2 for usage or invalid input, 3 for a refusal by a
guard (protected or merged branch, concurrent update, dirty work tree). Two more belong to
the CLI: INTERNAL_ERROR for an exception that is none of these (a bug), and INTERRUPTED for
Ctrl-C, as shells report a process ended by SIGINT.
"""

from __future__ import annotations

INTERNAL_ERROR = 70  # sysexits.h EX_SOFTWARE: not the user's fault
INTERRUPTED = 130  # 128 + SIGINT


class TrackplanError(Exception):
    """Base class; `exit_code` is what the CLI exits with."""

    exit_code = 2


class InputError(TrackplanError):
    """A file, option or value the user gave cannot be used."""


class PlanNotFoundError(InputError):
    """No trackplan.yaml was found."""


class RefError(InputError):
    """A git ref cannot be resolved."""


class RefNameError(RefError):
    """A branch name git does not accept (the rules of `git check-ref-format`)."""


class GitError(TrackplanError):
    """The repository cannot be read or written."""


class RefusedError(TrackplanError):
    """A guard refused the operation; nothing was changed."""

    exit_code = 3


class ProtectedBranchError(RefusedError):
    pass


class MergedBranchError(RefusedError):
    pass


class ConcurrentUpdateError(RefusedError):
    pass


class DirtyWorktreeError(RefusedError):
    pass


class IdentityError(TrackplanError):
    """No author or committer identity is configured."""


class GitHubError(TrackplanError):
    """The GitHub API refused or failed a request."""

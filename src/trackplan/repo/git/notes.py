"""Git notes: text attached to a commit under a notes ref, kept apart from the commit itself,
so a record about a commit (a delivery of it, say) travels with the repository without
changing its history."""

from __future__ import annotations

import pygit2

from trackplan.errors import GitError
from trackplan.repo.git.store import GitStore


def read_note(store: GitStore, commit_id: str, notes_ref: str) -> str | None:
    """The note on `commit_id` under `notes_ref`, or None."""
    try:
        return str(store.repo.lookup_note(commit_id, notes_ref).message)
    except KeyError:
        return None
    except (pygit2.GitError, ValueError) as exc:
        raise GitError(f"cannot read the note on {commit_id[:12]} in {notes_ref}: {exc}") from None


def write_note(store: GitStore, commit_id: str, text: str, notes_ref: str) -> None:
    """Set the note on `commit_id` under `notes_ref` to `text`, replacing any earlier one."""
    author, committer = store.signature()
    try:
        store.repo.create_note(text, author, committer, commit_id, notes_ref, True)
    except (pygit2.GitError, ValueError) as exc:
        raise GitError(f"cannot write the note on {commit_id[:12]} in {notes_ref}: {exc}") from None

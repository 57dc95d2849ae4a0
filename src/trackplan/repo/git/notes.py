"""Git notes: text attached to a commit under a notes ref, kept apart from the commit itself,
so a record about a commit (a delivery of it, say) travels with the repository without
changing its history.

A note is changed by reading it and writing it back, and libgit2 moves the notes ref for each
write: two processes writing at once would lose one's line, or fail on the ref's lock. Writers
here take turns under a lock of their own in the git dir, and wait out a `git notes` holding
the ref's lock."""

from __future__ import annotations

import time
from collections.abc import Callable

import pygit2

from trackplan.errors import GitError
from trackplan.repo.file_lock import exclusive
from trackplan.repo.git.store import GitStore

NOTES_LOCK = "trackplan/notes.lock"
WRITE_ATTEMPTS = 5


def read_note(store: GitStore, commit_id: str, notes_ref: str) -> str | None:
    """The note on `commit_id` under `notes_ref`, or None."""
    try:
        return str(store.repo.lookup_note(commit_id, notes_ref).message)
    except KeyError:
        return None
    except (pygit2.GitError, ValueError, OSError) as exc:
        raise GitError(f"cannot read the note on {commit_id[:12]} in {notes_ref}: {exc}") from None


def update_note(store: GitStore, commit_id: str, notes_ref: str, edit: Callable[[str | None], str]) -> None:
    """Set the note on `commit_id` under `notes_ref` to `edit(the note now)`, one writer at a time."""
    author, committer = store.signature()
    guard = store.common_dir / NOTES_LOCK
    try:
        guard.parent.mkdir(parents=True, exist_ok=True)
        with exclusive(guard):
            for attempt in range(WRITE_ATTEMPTS):
                text = edit(read_note(store, commit_id, notes_ref))
                try:
                    store.repo.create_note(text, author, committer, commit_id, notes_ref, True)
                    return
                except OSError as exc:  # the notes ref's lock, held by a writer outside ours (git notes)
                    if attempt == WRITE_ATTEMPTS - 1 or "lock" not in str(exc):
                        raise
                    time.sleep(0.05 * 2**attempt)
    except (pygit2.GitError, ValueError, OSError) as exc:
        raise GitError(f"cannot write the note on {commit_id[:12]} in {notes_ref}: {exc}") from None

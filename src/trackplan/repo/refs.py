"""Names for refs that are not git refs (kept apart from the git layer so the CLI can use
them without loading pygit2 at start-up)."""

WORKTREE = "WORKTREE"
"""The work tree, uncommitted edits included, read like a commit."""

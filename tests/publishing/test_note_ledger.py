"""Deliveries recorded in git notes by several processes at once: every line lands (none is
lost to another writer's read-modify-write) and no writer fails on the notes ref's lock."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.serving.support import git
from trackplan.publishing.ledger import NOTES_REF, NoteLedger
from trackplan.repo.git.store import GitStore

RECORD = """
import sys
from pathlib import Path
from trackplan.publishing.ledger import NoteLedger
from trackplan.repo.git.store import GitStore
ledger = NoteLedger(GitStore(Path(sys.argv[1])))
for commit in sys.argv[3:]:
    ledger.record(sys.argv[2], commit, f"delivery-{sys.argv[2]}-{commit[:7]}")
"""
WRITERS = ("alpha", "beta", "gamma")


def test_writers_at_once_lose_no_line(plan_repo: Path) -> None:
    for i in range(12):
        git(plan_repo, "commit", "-q", "--allow-empty", "-m", f"merge {i}")
    commits = git(plan_repo, "rev-list", "-n", "12", "HEAD").split()
    writers = [
        subprocess.Popen([sys.executable, "-c", RECORD, str(plan_repo), name, *commits], stderr=subprocess.PIPE)
        for name in WRITERS
    ]
    failures = [w.communicate(timeout=120)[1] for w in writers]
    assert [w.returncode for w in writers] == [0, 0, 0], failures
    ledger = NoteLedger(GitStore(plan_repo))
    for name in WRITERS:
        assert ledger.delivered(name, commits) == {c: f"delivery-{name}-{c[:7]}" for c in commits}
    note = git(plan_repo, "notes", "--ref", NOTES_REF, "show", commits[0])
    assert sorted(json.loads(line)["integration"] for line in note.splitlines()) == list(WRITERS)

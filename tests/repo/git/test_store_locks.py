"""A ref lock left by a writer killed with SIGKILL: a young one is refused in one line naming
the lock file and what to do; one older than STALE_LOCK_SECONDS that no process has open is
removed and the write goes on; a live writer's lock is never removed, however old."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import DATA, CliRunnerCall
from tests.repo.git.test_errors import snapshot
from trackplan.errors import ConcurrentUpdateError
from trackplan.repo.git.ref_locks import STALE_LOCK_SECONDS
from trackplan.repo.git.store import GitStore

HOLD_LOCK = """
import sys, time
import pygit2
repo = pygit2.Repository(sys.argv[1])
with repo.transaction() as txn:
    txn.lock_ref(sys.argv[2])
    print("locked", flush=True)
    time.sleep(120)
"""


@contextmanager
def writer_holding(repo: Path, refname: str) -> Iterator[subprocess.Popen[str]]:
    """A real process that took git's lock on `refname` (through libgit2, as every write does) and waits."""
    process = subprocess.Popen([sys.executable, "-c", HOLD_LOCK, str(repo), refname], stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None and process.stdout.readline() == "locked\n"
        yield process
    finally:
        process.kill()
        process.wait(10)


def killed_writer(repo: Path, refname: str) -> Path:
    """The lock file a writer killed with SIGKILL while it held `refname`'s lock left behind."""
    with writer_holding(repo, refname):
        pass  # leaving kills it (SIGKILL): no chance to remove its lock
    lock = repo / ".git" / f"{refname}.lock"
    assert lock.exists()
    return lock


def age(file: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(file, (then, then))


def test_a_fresh_lock_left_by_a_killed_writer_is_refused_in_one_line_naming_it(
    plan_repo: Path, run_cli: CliRunnerCall
) -> None:
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    lock = killed_writer(plan_repo, "refs/heads/feature")
    before = snapshot(plan_repo)
    with pytest.raises(ConcurrentUpdateError) as caught:
        store.create_branch("feature", head)
    assert str(caught.value) == (
        f"branch 'feature' is locked by another writer; nothing was written. Run the command again; if no git "
        f"command is running, a killed one left {lock}: remove it (one older than {STALE_LOCK_SECONDS // 60} "
        "minutes that no process has open is removed by itself)"
    )
    assert (snapshot(plan_repo), lock.exists()) == (before, True)
    result = run_cli("-C", plan_repo, "import", DATA / "import" / "good" / "standard.json", "--branch", "feature")
    assert (result.exit_code, result.output) == (3, f"trackplan: error: {caught.value}\n")
    refs, _, status = snapshot(plan_repo)  # the import wrote its objects: unreachable, for git gc
    assert (refs, status, lock.exists()) == (before[0], before[2], True)


def test_a_stale_lock_no_process_holds_is_removed_and_the_write_lands(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    head = GitStore(plan_repo).resolve("main")
    lock = killed_writer(plan_repo, "refs/heads/import/standard")
    age(lock, STALE_LOCK_SECONDS + 1)
    source = DATA / "import" / "good" / "standard.json"
    result = run_cli("-C", plan_repo, "import", source, "--branch", "import/standard")
    assert result.exit_code == 0, result.output
    assert not lock.exists()
    assert GitStore(plan_repo).resolve("import/standard~1") == head
    assert subprocess.run(["git", "fsck", "--strict"], cwd=plan_repo, capture_output=True, check=False).returncode == 0


def test_a_live_writers_lock_is_never_removed_however_old(plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    lock = plan_repo / ".git" / "refs" / "heads" / "feature.lock"
    with writer_holding(plan_repo, "refs/heads/feature") as writer:
        age(lock, STALE_LOCK_SECONDS * 10)
        before = snapshot(plan_repo)
        with pytest.raises(ConcurrentUpdateError) as caught:
            store.create_branch("feature", head)
        assert re.fullmatch(
            f"branch 'feature' is locked by another writer \\(process {writer.pid} has {re.escape(str(lock))} "
            "open\\); nothing was written, run the command again",
            str(caught.value),
        )
        assert (snapshot(plan_repo), lock.exists()) == (before, True)
    # the writer was killed holding it: now the old lock is provably stale
    store.create_branch("feature", head)
    assert (store.branch_head("feature"), lock.exists()) == (head, False)

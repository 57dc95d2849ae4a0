"""Faults: concurrent writers, kill -9, a damaged cache, a full disk. Each leaves the plan whole."""

from __future__ import annotations

import errno
import json
import os
import random
import signal
import sqlite3
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from tests.helpers import CliRunnerCall
from trackplan.repo.cache import cache_file
from trackplan.repo.git.store import GitStore
from trackplan.repo.workspace import Workspace

ROUNDS = 2
WRITERS = 16
KILLS = 4


def trackplan(*args: str | Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trackplan", *map(str, args)], cwd=cwd, capture_output=True, text=True, check=False
    )


def schema_file(folder: Path, name: str, events: list[str]) -> Path:
    doc = {"schema": {"events": {e: {"type": "object", "properties": {"n": {"type": "string"}}} for e in events}}}
    path = folder / f"{name}.json"
    path.write_text(json.dumps(doc))
    return path


def event_names(repo: Path, ref: str) -> set[str]:
    return {event.name for event in Workspace(repo).load(ref).plan.events}


def fsck(repo: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "fsck", "--strict"], cwd=repo, capture_output=True, text=True, check=False)


def test_sixteen_concurrent_imports_into_one_branch_lose_nothing(plan_repo: Path, tmp_path: Path) -> None:
    store = GitStore(plan_repo)
    store.create_branch("shared", store.resolve("HEAD"))
    landed: set[str] = set()
    for round_ in range(ROUNDS):
        files = [schema_file(tmp_path, f"r{round_}w{w}", [f"Round {round_} writer {w}"]) for w in range(WRITERS)]
        with ThreadPoolExecutor(WRITERS) as pool:
            results = list(pool.map(lambda f: trackplan("import", f, "--branch", "shared", cwd=plan_repo), files))
        for w, result in enumerate(results):
            if result.returncode == 0:
                landed.add(f"Round {round_} writer {w}")
            else:  # a refusal says so, changes nothing and may be run again
                assert result.returncode == 3, result.stderr
                assert result.stderr.strip().endswith("run the command again"), result.stderr
        assert landed <= event_names(plan_repo, "shared")
    assert len(landed) == ROUNDS * WRITERS  # the retry on the new head lands every one
    assert fsck(plan_repo).returncode == 0


def test_kill_9_during_a_large_import_leaves_the_old_or_the_new_commit(plan_repo: Path, tmp_path: Path) -> None:
    big = schema_file(tmp_path, "big", [f"Big event {i}" for i in range(3000)])
    started = time.perf_counter()
    assert trackplan("import", big, "--branch", "timed", cwd=plan_repo).returncode == 0
    duration = time.perf_counter() - started
    wanted = event_names(plan_repo, "timed")
    moments = random.Random(9)
    for run in range(KILLS):
        branch = f"killed/{run}"
        process = subprocess.Popen(
            [sys.executable, "-m", "trackplan", "import", str(big), "--branch", branch],
            cwd=plan_repo,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(moments.uniform(0.2, 1.0) * duration)
        process.send_signal(signal.SIGKILL)
        process.wait()
        head = GitStore(plan_repo).branch_head(branch)
        assert head is None or event_names(plan_repo, branch) == wanted  # the old (no branch) or the new commit
        checked = fsck(plan_repo)
        assert checked.returncode == 0 and "error" not in checked.stderr, checked.stderr
        again = trackplan("import", big, "--branch", branch, cwd=plan_repo)  # the next command works
        assert again.returncode == 0, again.stderr
        assert event_names(plan_repo, branch) == wanted


def damage_truncated(cache: Path) -> None:
    cache.write_bytes(cache.read_bytes()[: cache.stat().st_size // 2])


def damage_garbage(cache: Path) -> None:
    cache.write_bytes(bytes(random.Random(3).randrange(256) for _ in range(8192)))


def damage_unreadable(cache: Path) -> None:
    cache.unlink()
    cache.mkdir()  # as root, no file mode makes a file unreadable: a folder cannot be opened either


def damage_flipped_byte(cache: Path) -> None:
    with sqlite3.connect(cache) as db:
        db.execute("UPDATE blobs SET doc = replace(doc, 'Signed', 'Signee')")


def damage_swapped_rows(cache: Path) -> None:
    with sqlite3.connect(cache) as db:
        rows = db.execute("SELECT id, doc, doc_sum, title, title_sum FROM blobs WHERE title IS NOT NULL").fetchall()
        first, second = rows[0], rows[1]
        for target, source in ((first, second), (second, first)):
            db.execute(
                "UPDATE blobs SET doc = ?, doc_sum = ?, title = ?, title_sum = ? WHERE id = ?", (*source[1:], target[0])
            )


@pytest.mark.parametrize(
    "damage",
    [damage_truncated, damage_garbage, damage_unreadable, damage_flipped_byte, damage_swapped_rows],
    ids=lambda f: f.__name__.removeprefix("damage_"),
)
def test_a_damaged_cache_never_changes_a_read(damage: object, plan_repo: Path, run_cli: CliRunnerCall) -> None:
    reads = (["export"], ["export", "--to", "csv"], ["events"], ["show", "Signed Up"], ["validate", "--ref", "HEAD"])
    expected = [run_cli("-C", plan_repo, *args).stdout for args in reads]
    cache = cache_file(plan_repo / ".git")
    with sqlite3.connect(cache) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # every row in the main file, as a damage finds it
    damage(cache)  # type: ignore[operator]
    assert [run_cli("-C", plan_repo, *args).stdout for args in reads] == expected


def full_disk(*args: object, **kwargs: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


def status(repo: Path) -> str:
    return subprocess.run(["git", "status", "--porcelain"], cwd=repo, capture_output=True, text=True, check=True).stdout


def test_a_full_disk_leaves_nothing_half_written(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    imported = schema_file(tmp_path, "new", ["Disk Full"])
    monkeypatch.setattr(store.__class__, "_write_objects", full_disk)
    result = run_cli("-C", plan_repo, "import", imported, "--branch", "import/disk")
    assert result.exit_code == 2 and "No space left on device" in result.stderr
    assert (store.branch_head("import/disk"), store.resolve("HEAD"), status(plan_repo)) == (None, head, "")

    output = tmp_path / "plan.json"
    output.write_text("old\n")
    monkeypatch.setattr(os, "fdopen", lambda fd, mode: os.close(fd) or full_disk())  # type: ignore[func-returns-value]
    result = run_cli("-C", plan_repo, "export", "-o", output)
    assert (result.exit_code, result.stderr) == (
        2,
        f"trackplan: error: -o {output}: cannot write: No space left on device\n",
    )
    assert (output.read_text(), sorted(p.name for p in tmp_path.iterdir())) == (
        "old\n",
        ["new.json", "plan", "plan.json"],
    )


def test_a_work_tree_update_that_fails_names_the_one_command_that_repairs_it(
    plan_repo: Path, run_cli: CliRunnerCall, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    subprocess.run(["git", "checkout", "-q", "-b", "feature"], cwd=plan_repo, check=True)
    store, branch = GitStore(plan_repo), "feature"
    monkeypatch.setattr(store.__class__, "_update_worktree", full_disk)
    result = run_cli("-C", plan_repo, "import", schema_file(tmp_path, "new", ["Disk Full"]))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert f"branch {branch!r} moved to " in line and "but the work tree did not follow" in line
    repair = line.split("run `", 1)[1].split("`", 1)[0]
    assert status(plan_repo) != ""
    subprocess.run(repair, shell=True, cwd=plan_repo, check=True)
    assert status(plan_repo) == ""
    assert "Disk Full" in event_names(plan_repo, "HEAD")

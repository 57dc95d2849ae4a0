"""The blob cache's file is named by its format: a cache another version of trackplan filled
(with other parsing rules) is never read, and older ones are removed once this one is made."""

from __future__ import annotations

import sqlite3
import subprocess
from pathlib import Path

from tests.helpers import CliRunnerCall
from trackplan import yamlio
from trackplan.repo import cache as caches
from trackplan.repo.workspace import Workspace


def git(root: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True).stdout.strip()


def test_a_document_an_older_format_parsed_leniently_is_not_served(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    path = plan_repo / "events" / "signed-up.yaml"
    text = path.read_text()
    path.write_text(text.replace("x-owner: Growth\n", "x-owner: Growth\nx-owner: Payments\n"))
    git(plan_repo, "commit", "-qam", "A key written twice")
    lenient = yamlio.load(text.replace("x-owner: Growth", "x-owner: Payments").encode(), "events/signed-up.yaml")
    older = plan_repo / ".git" / "trackplan" / "blobs.sqlite"
    older.parent.mkdir(exist_ok=True)
    cache = caches.BlobCache(older)
    cache.put(git(plan_repo, "rev-parse", "HEAD:events/signed-up.yaml"), lenient)
    cache.flush()
    cache.close()
    with sqlite3.connect(older) as db:
        db.execute("UPDATE meta SET value = '6' WHERE key = 'format'")

    result = run_cli("-C", plan_repo, "events", "--ref", "main")

    assert result.exit_code == 2, result.output
    assert "events/signed-up.yaml:12:1: invalid YAML: duplicate key 'x-owner' (first on line 11)" in result.output


def test_making_this_format_removes_the_older_ones_only(plan_repo: Path) -> None:
    folder = plan_repo / ".git" / "trackplan"
    folder.mkdir(exist_ok=True)
    older = [
        "blobs.sqlite",
        "blobs.sqlite-wal",
        "blobs.sqlite-shm",
        "blobs.sqlite.lock",
        f"blobs-{caches.FORMAT - 1}.sqlite",
    ]
    kept = [f"blobs-{caches.FORMAT + 1}.sqlite", "hooks.sqlite", "blobs-notes.txt"]
    for name in older + kept:
        (folder / name).write_bytes(b"x")

    Workspace(plan_repo).load("main")

    assert caches.cache_file(plan_repo / ".git").name == f"blobs-{caches.FORMAT}.sqlite"
    assert sorted(p.name for p in folder.iterdir() if p.name in older + kept) == sorted(kept)

"""The blob cache's fragments are bounded: rows of another version of a family go when a new
version is written, the oldest rows go past `FRAGMENTS_KEPT` while the ones still read stay,
and two processes keeping and dropping at once lose nothing the other relies on."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from trackplan.exporting import avo_json_cache, outputs
from trackplan.exporting.run import ExportRequest, render
from trackplan.repo import cache as caches
from trackplan.repo.cache import BlobCache
from trackplan.repo.workspace import Workspace


def keys(path: Path) -> list[str]:
    with sqlite3.connect(path) as db:
        return sorted(row[0] for row in db.execute("SELECT key FROM fragments"))


def kept(path: Path, *written: str) -> BlobCache:
    cache = BlobCache(path)
    for key in written:
        cache.put_fragment(key, key.encode())
    cache.flush()
    return cache


def test_a_new_version_of_a_family_drops_the_other_versions(tmp_path: Path) -> None:
    path = tmp_path / "blobs.sqlite"
    kept(path, "avo-json/5/s/a", "avo-json/5/s/b", "lint/3/s/a", "lint-at/b/[]", "avo-jsonx/1/a").close()
    kept(path, "avo-json/5/s/c").close()  # the same version: nothing dropped
    assert keys(path) == [
        "avo-json/5/s/a",
        "avo-json/5/s/b",
        "avo-json/5/s/c",
        "avo-jsonx/1/a",
        "lint-at/b/[]",
        "lint/3/s/a",
    ]
    cache = kept(path, "avo-json/6/s/a")
    assert keys(path) == ["avo-json/6/s/a", "avo-jsonx/1/a", "lint-at/b/[]", "lint/3/s/a"]
    assert cache.get_fragments(["avo-json/6/s/a", "avo-json/5/s/a"]) == {"avo-json/6/s/a": b"avo-json/6/s/a"}


def test_the_oldest_rows_go_and_those_read_stay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(caches, "FRAGMENTS_KEPT", 8)
    path = tmp_path / "blobs.sqlite"
    cache = kept(path, "lint-at/hot")
    for n in range(40):
        assert cache.get_fragments(["lint-at/hot"]) == {"lint-at/hot": b"lint-at/hot"}  # read by every run
        cache.put_fragment(f"lint-at/{n:02}", b"x")
        cache.flush()
        assert len(keys(path)) <= 8 + 8 // 4
    assert {"lint-at/36", "lint-at/37", "lint-at/38", "lint-at/39", "lint-at/hot"} <= set(keys(path))
    assert "lint-at/00" not in keys(path)


def test_an_export_after_a_rendering_change_keeps_only_the_new_pieces(
    plan_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = render(Workspace(plan_repo), ExportRequest()).data
    path = caches.cache_file(plan_repo / ".git")
    old = [key for key in keys(path) if key.startswith(f"avo-json/{avo_json_cache.FRAGMENT_VERSION}/")]
    assert len(old) == 5  # one per event
    monkeypatch.setattr(avo_json_cache, "FRAGMENT_VERSION", 999)
    monkeypatch.setattr(outputs, "code_digest", lambda: "other code")  # no kept output serves it
    assert render(Workspace(plan_repo), ExportRequest()).data == first
    assert [key for key in keys(path) if key.startswith("avo-json/")] == sorted(k.replace("/6/", "/999/") for k in old)


WRITER = """
import sys
from pathlib import Path
from trackplan.repo import cache as caches
caches.FRAGMENTS_KEPT = 400
path, name, version, rounds = Path(sys.argv[1]), sys.argv[2], sys.argv[3], int(sys.argv[4])
cache = caches.BlobCache(path)
missed = 0
for n in range(rounds):
    written = [f"avo-json/{version}/{name}/{n}/{i}" for i in range(5)]
    for key in written:
        cache.put_fragment(key, key.encode() * 20)
    cache.flush()
    found = cache.get_fragments(written)
    missed += sum(found.get(key) != key.encode() * 20 for key in written)
print(missed, cache.path is not None)
"""


@pytest.mark.parametrize("versions", [("6", "6"), ("6", "7")])
def test_two_processes_keeping_and_dropping_at_once(tmp_path: Path, versions: tuple[str, str]) -> None:
    path = tmp_path / "blobs.sqlite"
    BlobCache(path).flush()
    writers = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), name, version, "150"], stdout=subprocess.PIPE)
        for name, version in zip("ab", versions, strict=True)
    ]
    results = [writer.communicate()[0].split() for writer in writers]
    assert [writer.returncode for writer in writers] == [0, 0]
    assert all(still_used == b"True" for _, still_used in results)  # no process gave up on the cache
    if versions[0] == versions[1]:
        assert [missed for missed, _ in results] == [b"0", b"0"]  # each read back all it had just written
    with sqlite3.connect(path) as db:
        assert db.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        rows = db.execute("SELECT key, value FROM fragments").fetchall()
    assert 0 < len(rows) <= 500
    assert all(bytes(value) == key.encode() * 20 for key, value in rows)


def test_the_rows_of_events_listed_by_older_code_are_dropped(tmp_path: Path) -> None:
    path = tmp_path / "blobs.sqlite"
    kept(path, "event-row/old/blob-a", "event-row/old/blob-b").close()
    kept(path, "event-row/new/blob-a").close()
    assert keys(path) == ["event-row/new/blob-a"]

"""Trees and packs written by trackplan itself must be exactly what git writes and reads."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from trackplan.errors import GitError
from trackplan.repo.git import objects as gitobjects
from trackplan.repo.git.store import PACK_MIN_OBJECTS, GitStore

# Names whose order differs between plain byte order and git's (a folder sorts as "name/").
AWKWARD = ["a.yaml", "a/x.yaml", "a-b.yaml", "a0.yaml", "ab/c.yaml", "Z.yaml", "é.yaml", "deep/er/est.yaml"]


def git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=repo, capture_output=True, text=True, check=True).stdout


def _repo(tmp_path: Path) -> tuple[Path, GitStore]:
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    return repo, GitStore(repo)


def _loose_and_packs(repo: Path) -> tuple[int, int]:
    objects = repo / ".git" / "objects"
    loose = sum(1 for d in objects.iterdir() if len(d.name) == 2 for _ in d.iterdir())
    return loose, len(list((objects / "pack").glob("*.idx")))


def test_trees_match_the_ones_git_writes(tmp_path: Path) -> None:
    repo, store = _repo(tmp_path)
    files: dict[str, bytes | None] = {name: name.encode() for name in AWKWARD}
    commit = store.commit_changes("main", None, files, "awkward names")
    for name, data in files.items():
        assert data is not None
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_bytes(data)
    git(repo, "add", "-A")
    assert git(repo, "write-tree").strip() == git(repo, "rev-parse", f"{commit}^{{tree}}").strip()


def test_a_large_commit_is_one_pack_that_git_verifies(tmp_path: Path) -> None:
    repo, store = _repo(tmp_path)
    first = store.commit_changes("main", None, {"trackplan.yaml": b"name: x\n"}, "small")
    assert _loose_and_packs(repo) == (3, 0)  # blob, tree, commit: loose, as git commit writes them
    files: dict[str, bytes | None] = {
        f"events/{i % 16:02x}/e{i}.yaml": b"event %d\n" % i for i in range(PACK_MIN_OBJECTS)
    }
    second = store.commit_changes("main", first, files, "large")
    loose, packs = _loose_and_packs(repo)
    assert packs == 1 and loose == 3 + 1  # only the commit object itself is loose
    git(repo, "fsck", "--strict", "--no-dangling")
    (idx,) = (repo / ".git" / "objects" / "pack").glob("*.idx")
    verified = git(repo, "verify-pack", "-v", str(idx))
    assert f"non delta: {PACK_MIN_OBJECTS + 16 + 2}" in verified  # blobs, 16 shards, events/, root
    assert git(repo, "show", f"{second}:events/03/e3.yaml") == "event 3\n"
    # Reading back through libgit2 in the same process finds the new pack.
    assert store.read_blob(store.blob_at(second, "events/0f/e15.yaml") or "") == b"event 15\n"


def test_pack_index_round_trips_large_offsets() -> None:
    entries = [(bytes([i]) * 20, i, (1 << 31) + i if i % 2 else i) for i in range(4)]
    idx = gitobjects._index(entries, b"\0" * 20)
    offsets_at = 8 + 256 * 4 + 4 * 20 + 4 * 4
    small = [int.from_bytes(idx[offsets_at + 4 * i : offsets_at + 4 * i + 4], "big") for i in range(4)]
    assert small == [0, 0x80000000, 2, 0x80000001]
    large = [int.from_bytes(idx[offsets_at + 16 + 8 * i : offsets_at + 24 + 8 * i], "big") for i in range(2)]
    assert large == [(1 << 31) + 1, (1 << 31) + 3]


@pytest.mark.parametrize("size", [0, 15, 16, 2047, 2048, 1 << 20])
def test_object_headers_encode_sizes(size: int) -> None:
    header = gitobjects._object_header(gitobjects.BLOB, size)
    assert header[0] >> 4 & 7 == gitobjects.BLOB
    decoded, shift = header[0] & 0x0F, 4
    for byte in header[1:]:
        decoded |= (byte & 0x7F) << shift
        shift += 7
    assert decoded == size and all(b & 0x80 for b in header[:-1]) and not header[-1] & 0x80


def test_a_failed_pack_write_leaves_the_branch_and_no_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repo, store = _repo(tmp_path)
    first = store.commit_changes("main", None, {"a.yaml": b"a\n"}, "small")

    def full_disk(path: Path, data: bytes) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(gitobjects, "_write_new", full_disk)
    files: dict[str, bytes | None] = {f"e{i}.yaml": b"%d\n" % i for i in range(PACK_MIN_OBJECTS)}
    with pytest.raises(GitError, match="cannot write to branch 'main': .*No space left"):
        store.commit_changes("main", first, files, "large")
    assert store.branch_head("main") == first
    assert _loose_and_packs(repo) == (3, 0)


def test_a_failed_index_write_removes_its_pack(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = gitobjects._write_new

    def fail_on_index(path: Path, data: bytes) -> None:
        if path.suffix == ".idx":
            raise OSError(28, "No space left on device")
        original(path, data)

    monkeypatch.setattr(gitobjects, "_write_new", fail_on_index)
    with pytest.raises(OSError):
        gitobjects.write_pack(tmp_path, [(gitobjects.BLOB, b"x")])
    assert list(tmp_path.iterdir()) == []

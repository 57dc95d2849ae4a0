"""A large folder is edited as a sorted list of its entries (objects.SortedTree), kept by the
store from one commit to the next: every edit must give the bytes parse_tree + format_tree give,
and the commits the trees git itself writes."""

from __future__ import annotations

import os
import random
import subprocess
from pathlib import Path

import pytest

from trackplan.repo.git import objects as gitobjects
from trackplan.repo.git import store as stores
from trackplan.repo.git.store import GitStore

# Names whose order differs between plain byte order and git's (a folder sorts as "name/").
AWKWARD = [b"a.yaml", b"a", b"a-b.yaml", b"a0.yaml", b"ab", b"Z.yaml", "é.yaml".encode(), b"a b.yaml", b"a\xff"]


def _git(repo: Path, env: dict[str, str], *args: str, stdin: bytes | None = None) -> bytes:
    return subprocess.run(["git", *args], cwd=repo, env=env, input=stdin, capture_output=True, check=True).stdout


def _oid(rng: random.Random) -> bytes:
    return bytes(rng.randrange(256) for _ in range(20))


@pytest.mark.parametrize("seed", range(20))
def test_edits_give_the_bytes_format_tree_gives(seed: int) -> None:
    rng = random.Random(seed)
    entries: dict[bytes, tuple[bytes, bytes]] = {}
    for name in rng.sample(AWKWARD, rng.randint(0, len(AWKWARD))):
        entries[name] = (rng.choice([gitobjects.BLOB_MODE, gitobjects.TREE_MODE]), _oid(rng))
    tree = gitobjects.SortedTree.parse(gitobjects.format_tree(entries))
    for _ in range(30):
        name = rng.choice(AWKWARD)
        if rng.random() < 0.3:
            entries.pop(name, None)
            tree.remove(name)
        else:  # a new entry, a new id, or a file turned folder (or back)
            mode, oid = rng.choice([gitobjects.BLOB_MODE, gitobjects.TREE_MODE, b"100755"]), _oid(rng)
            entries[name] = (mode, oid)
            tree.put(name, mode, oid)
        assert tree.raw() == gitobjects.format_tree(entries)
        assert len(tree) == len(entries)
        assert tree.get(name) == entries.get(name)
        assert gitobjects.SortedTree.parse(tree.raw()).raw() == tree.raw()


def test_a_copy_is_edited_apart_from_its_original() -> None:
    tree = gitobjects.SortedTree.of({b"b": (gitobjects.BLOB_MODE, b"1" * 20)})
    copy = tree.copy()
    copy.put(b"a", gitobjects.BLOB_MODE, b"2" * 20)
    copy.remove(b"b")
    assert tree.raw() == b"100644 b\0" + b"1" * 20
    assert copy.raw() == b"100644 a\0" + b"2" * 20


def test_a_tree_git_would_not_write_is_read_as_parse_tree_reads_it() -> None:
    """Out of order, or one name twice: parse_tree keeps the last, format_tree sorts."""
    unordered = b"100644 b\0" + b"1" * 20 + b"100644 a\0" + b"2" * 20 + b"100644 b\0" + b"3" * 20
    tree = gitobjects.SortedTree.parse(unordered)
    assert tree.raw() == gitobjects.format_tree(gitobjects.parse_tree(unordered))
    assert tree.get(b"b") == (gitobjects.BLOB_MODE, b"3" * 20)


def test_commits_into_a_large_kept_folder_write_the_trees_git_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(stores, "LARGE_TREE_ENTRIES", 5)
    repo = tmp_path / "r"
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    store = GitStore(repo)
    rng = random.Random(3)
    files = {f"events/e{i}.yaml": b"%d\n" % i for i in range(12)}
    head = store.commit_changes("main", None, dict(files), "seed")
    for step in range(15):
        changes: dict[str, bytes | None] = {}
        for name in rng.sample([f"events/e{i}.yaml" for i in range(20)] + ["events/sub/x.yaml", "top.yaml"], 3):
            gone = name in files and rng.random() < 0.4
            changes[name] = None if gone else b"%d %s\n" % (step, name.encode())
        for name, data in changes.items():
            if data is None:
                files.pop(name, None)
            else:
                files[name] = data
        head = store.commit_changes("main", head, changes, f"step {step}")
        assert store._sorted_trees, "the events folder is kept"
        # git's own tree of the same files, built from scratch in an index of its own
        env = {**os.environ, "GIT_INDEX_FILE": str(tmp_path / f"index-{step}")}
        for name, data in files.items():
            blob = _git(repo, env, "hash-object", "-w", "--stdin", stdin=data).decode().strip()
            _git(repo, env, "update-index", "--add", "--cacheinfo", f"100644,{blob},{name}")
        assert _git(repo, env, "rev-parse", f"{head}^{{tree}}") == _git(repo, env, "write-tree"), step
    subprocess.run(["git", "fsck", "--strict"], cwd=repo, check=True, capture_output=True)

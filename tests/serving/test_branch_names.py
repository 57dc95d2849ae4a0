"""The API takes a branch name git takes and refuses the others: serving.branches.is_valid_name
compared with `git check-ref-format --branch` itself, name by name."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from trackplan.serving.branches import branch_id, is_valid_name

TRICKY = [
    # fine
    *["main", "feature/x", "a/b/c", "release-1.2", "a_b", "0", "x-", "a.b.c", "a.lockx", "lock", "head", "HEAD/x"],
    *["x/HEAD", "@", "@@", "a@b", "@a", "a@", "a/@", "@/a", "é", "ü/ß", "日本", "\U0001f600", "a\u00a0b", "a\u200bb"],
    *["a{b", "a}b", "a]b", "a!b", "a#b", "a%b", "a'b", 'a"b', "a<b", "a>b", "a|b", "a,b", "a;b", "a=b", "a+b"],
    *["a&b", "a$b", "a`b", "a(b)", "a/-b", "a\u2028b", "x" * 250],
    # refused
    *["", " ", "-", "-x", "--", "HEAD", "@{", "a@{b", "@{-1}", "a/@{x}/b", "a..b", "...", ".", "..", "a/./b"],
    *["a/../b", "a/.", "a/..", "a.", ".a", "a/.b", "a/b.", "a.lock", "a.lock/b", "a/b.lock", ".lock", "a//b", "/a"],
    *["a/", "a b", "a\tb", "a\nb", "a~b", "a^b", "a:b", "a?b", "a*b", "a[b", "a\\b", "a\x7fb", "a\x01b", "a\x00b"],
    *["refs/heads/x", "refs"],
]


def _git_takes(cwd: Path, name: str) -> bool:
    if "\x00" in name:
        return False  # no argument can hold it: git never sees such a name
    done = subprocess.run(["git", "check-ref-format", "--branch", name], cwd=cwd, capture_output=True, check=False)
    return done.returncode == 0


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A repository with no branch history, so `@{-1}` names nothing, as in a served one."""
    root = tmp_path_factory.mktemp("names")
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    return root


@pytest.mark.parametrize("name", TRICKY, ids=repr)
def test_a_branch_name_is_valid_when_git_takes_it(repo: Path, name: str) -> None:
    assert is_valid_name(name) == _git_takes(repo, name)


def test_the_list_holds_names_git_takes_and_names_it_refuses() -> None:
    assert {is_valid_name(name) for name in TRICKY} == {True, False}


def test_a_part_too_long_for_a_file_name_is_refused_though_git_takes_it(repo: Path) -> None:
    """git's rules set no length; a branch is a file under .git/refs, whose name holds 255
    bytes, and git adds `.lock` while it writes one."""
    assert _git_takes(repo, "x" * 251)
    assert not is_valid_name("x" * 251)
    assert not is_valid_name("a/" + "é" * 126)  # 252 bytes


def test_text_git_cannot_store_is_refused() -> None:
    assert not is_valid_name("a\ud800b")


def test_every_branch_id_is_a_valid_name() -> None:
    assert all(is_valid_name(branch_id(name)) for name in TRICKY)

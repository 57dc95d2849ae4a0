"""Branch names git cannot store are refused as invalid names (an InputError, exit 2), before
anything is read or written: a NUL, which libgit2 would read as the end of the name ("a\\0b" as
"a"), and text that is not UTF-8 (a lone surrogate, which is how Python hands over argv bytes
that are not UTF-8)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import DATA
from tests.repo.git.test_errors import message, snapshot
from trackplan.errors import InputError, RefNameError
from trackplan.repo.git.store import GitStore, branch_ref, init_repository

UNSTORABLE = [
    pytest.param("a\x00b", id="NUL inside"),
    pytest.param("a\x00", id="NUL last"),
    pytest.param("main\x00x", id="NUL after an existing branch's name"),
    pytest.param("\x00", id="only a NUL"),
    pytest.param("feature/\x00x", id="NUL in a part"),
    pytest.param("\ud800", id="lone high surrogate"),
    pytest.param("\udfff", id="lone low surrogate"),
    pytest.param("bad\udcff", id="argv byte 0xff"),
    pytest.param("ok\udc80/x", id="argv byte 0x80 in a part"),
]


@pytest.mark.parametrize("name", UNSTORABLE)
def test_a_name_git_cannot_store_is_an_invalid_name(name: str, plan_repo: Path) -> None:
    with pytest.raises(RefNameError, match=f"^{re.escape(message(name))}$") as caught:
        branch_ref(name)
    assert isinstance(caught.value, InputError) and caught.value.exit_code == 2
    store = GitStore(plan_repo)
    head = store.resolve("HEAD")
    before = snapshot(plan_repo)
    with pytest.raises(RefNameError):
        store.create_branch(name, head)
    with pytest.raises(RefNameError):
        store.commit_changes(name, head, {"events/new.yaml": b"title: New\n"}, "refused")
    with pytest.raises(RefNameError):
        init_repository(plan_repo.parent / "new", name)
    assert snapshot(plan_repo) == before
    assert not (plan_repo.parent / "new").exists()


def test_a_branch_argument_that_is_not_utf8_is_one_line_exit_2(plan_repo: Path) -> None:
    before = snapshot(plan_repo)
    source = os.fsencode(DATA / "import" / "good" / "standard.json")
    command = [os.fsencode(sys.executable), b"-m", b"trackplan", b"import", source, b"--branch", b"plan/\xff"]
    done = subprocess.run(command, cwd=plan_repo, capture_output=True, check=False)
    assert (done.returncode, done.stdout) == (2, b"")
    assert done.stderr == f"trackplan: error: {message('plan/' + chr(0xDCFF))}\n".encode()
    assert snapshot(plan_repo) == before


@pytest.mark.parametrize("name", UNSTORABLE)
def test_reading_a_name_git_cannot_store_finds_no_branch(name: str, plan_repo: Path) -> None:
    store = GitStore(plan_repo)
    assert store.branch_head(name) is None
    assert store.branch_creation_point(name) is None

"""Completing an event name whose name has spaces or shell characters, through click's
completion protocol (COMP_WORDS, COMP_CWORD, _TRACKPLAN_COMPLETE) and, for bash, through the
script click generates: the reply bash puts on the line is one word, the name itself."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ODD = "Café it's (beta) & more $x"


def trackplan(root: Path, env: dict[str, str]) -> str:
    """What `trackplan` answers a completion request, run as the shell runs it."""
    command = [sys.executable, "-c", "from trackplan.cli import main; main()"]
    return subprocess.run(command, cwd=root, env={**os.environ, **env}, capture_output=True, text=True).stdout


@pytest.fixture
def odd_plan(plan_repo: Path) -> Path:
    (plan_repo / "events" / "cafe.yaml").write_text(f'title: "{ODD}"\ntype: object\nproperties: {{}}\n')
    return plan_repo


def bash_replies(root: Path, words: list[str]) -> list[str]:
    """COMPREPLY after click's bash function runs for `words` (the last one being completed),
    each reply read back as bash reads the line it is put on."""
    script = trackplan(root, {"_TRACKPLAN_COMPLETE": "bash_source"})
    shim = root.parent / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "trackplan").write_text(f'#!/bin/sh\nexec {sys.executable} -c "from trackplan.cli import main; main()"\n')
    (shim / "trackplan").chmod(0o755)
    quoted = " ".join("'" + w.replace("'", "'\\''") + "'" for w in words)
    run = (
        f"{script}\nCOMP_WORDS=({quoted}); COMP_CWORD={len(words) - 1}; _trackplan_completion {quoted}\n"
        'for reply in "${COMPREPLY[@]}"; do eval "set -- $reply"; printf "%s|%s\\n" "$#" "$1"; done'
    )
    env = {**os.environ, "PATH": f"{shim}:{os.environ['PATH']}"}
    out = subprocess.run(["bash", "-c", run], cwd=root, env=env, capture_output=True, text=True, check=True).stdout
    return out.splitlines()


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("Sig", ["1|Signed Up"]),
        ("Signed\\ U", ["1|Signed Up"]),  # the word as bash's own escaping left it
        ("'Signed U", ["1|Signed Up"]),  # an open quote
        ("caf", [f"1|{ODD}"]),
        ("Subscription", ["1|Subscription Cancelled"]),
    ],
)
def test_bash_puts_each_name_on_the_line_as_one_word(odd_plan: Path, typed: str, expected: list[str]) -> None:
    assert bash_replies(odd_plan, ["trackplan", "show", typed]) == expected


@pytest.mark.parametrize(
    ("shell", "cword", "reply"),
    [
        ("bash_complete", "2", "plain,Signed\\\\ Up\n"),  # escaped, and `read` takes one level of backslashes
        ("zsh_complete", "2", "plain\nSigned Up\n_\n"),  # compadd quotes what it inserts
        ("fish_complete", "Signed", "plain,Signed Up\n"),  # fish sends the word being completed
    ],
)
def test_each_shell_gets_the_name_as_it_inserts_it(plan_repo: Path, shell: str, cword: str, reply: str) -> None:
    env = {"COMP_WORDS": "trackplan show Signed", "COMP_CWORD": cword, "_TRACKPLAN_COMPLETE": shell}
    assert trackplan(plan_repo, env) == reply

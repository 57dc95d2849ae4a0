"""Running the git executable, for the questions git answers faster than loading pygit2
(see worktree.py, revisions.py, tree_diffs.py): output on success, None when git cannot
answer (no executable, a repository it refuses, an unknown ref).

A question without input is spawned with `os.posix_spawnp`: `subprocess` and what it loads
(signal, threading, selectors, locale) cost a Python process more than git takes to answer,
and the quick default diff (cli/quick.py) asks three questions before it prints.
"""

from __future__ import annotations

import os

TYPE_CHECKING = False
if TYPE_CHECKING:
    import subprocess
    from pathlib import Path

LOCAL_ENV = (
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_CEILING_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_CONFIG",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
    "GIT_DIR",
    "GIT_GRAFT_FILE",
    "GIT_IMPLICIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_INTERNAL_SUPER_PREFIX",
    "GIT_OBJECT_DIRECTORY",
    "GIT_PREFIX",
    "GIT_REPLACE_REF_BASE",
    "GIT_SHALLOW_FILE",
    "GIT_WORK_TREE",
)
"""What `git rev-parse --local-env-vars` lists, and the ceiling: pygit2 opens the repository
found above a folder whatever they say (a hook's GIT_DIR and GIT_INDEX_FILE included), so
git is asked without them, about the same repository and index. libgit2 does not read
refs/replace/ either: git is told not to (GIT_NO_REPLACE_OBJECTS)."""


class Process:
    """A running git, its output read from a pipe; its input and errors are /dev/null."""

    def __init__(self, pid: int, output: int) -> None:
        self.pid = pid
        self._output = output
        self._status: int | None = None

    def communicate(self) -> tuple[bytes, int]:
        """All its output and its exit code, once it has exited."""
        chunks = []
        while chunk := os.read(self._output, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks), self.wait()

    def wait(self) -> int:
        if self._status is None:
            os.close(self._output)
            self._status = os.waitstatus_to_exitcode(os.waitpid(self.pid, 0)[1])
        return self._status

    def stop(self) -> None:
        """Kill it if it still runs, and wait for it."""
        if self._status is None:
            os.kill(self.pid, 9)  # SIGKILL (not loading signal); the pid is ours until waited for
            self.wait()


def environment() -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if name not in LOCAL_ENV}
    env["GIT_NO_REPLACE_OBJECTS"] = "1"
    return env


def git_output(folder: Path | str, *args: str, stdin: bytes | None = None) -> bytes | None:
    if stdin is not None:
        return _piped(folder, args, stdin)
    process = start(folder, *args)
    return finish(process) if process is not None else None


def start(folder: Path | str, *args: str) -> Process | None:
    """git running `args` in `folder` (as `git -C folder`: posix_spawn has no working folder)."""
    read, write = os.pipe()
    actions = [
        (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
        (os.POSIX_SPAWN_DUP2, write, 1),
        (os.POSIX_SPAWN_OPEN, 2, os.devnull, os.O_WRONLY, 0),
    ]
    try:
        pid = os.posix_spawnp("git", ["git", "-C", os.fspath(folder), *args], environment(), file_actions=actions)
    except OSError:  # no git executable
        os.close(read)
        return None
    finally:
        os.close(write)
    return Process(pid, read)


def finish(process: Process) -> bytes | None:
    out, code = process.communicate()
    return out if code == 0 else None


def _piped(folder: Path | str, args: tuple[str, ...], stdin: bytes) -> bytes | None:
    """git fed `stdin`: subprocess writes it while reading the output, which a full pipe needs."""
    import subprocess

    try:
        process: subprocess.Popen[bytes] = subprocess.Popen(
            ["git", *args],
            cwd=folder,
            env=environment(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError:  # no git executable, or the folder is gone
        return None
    out, _ = process.communicate(stdin)
    return out if process.returncode == 0 else None


def git_errors(folder: Path | str, *args: str) -> tuple[bool, str]:
    """Run git for a command whose failure the user is told about (`git fetch`): whether it
    succeeded, and what it wrote to stderr (or why it could not run). It never waits for
    credentials: no one is there to type them."""
    import subprocess

    env = {**environment(), "GIT_TERMINAL_PROMPT": "0"}
    try:
        done = subprocess.run(
            ["git", *args], cwd=folder, env=env, stdin=subprocess.DEVNULL, capture_output=True, check=False
        )
    except OSError as exc:  # no git executable, or the folder is gone
        return False, str(exc)
    return done.returncode == 0, done.stderr.decode(errors="replace").strip()

"""Whole processes next to git's on large plans, each reference measured in the same rounds.

10,000 events (flat): warm `export` <= 2x `git archive` of the same tree; a default `diff` of
a clean work tree <= 2x `git status`; and, for the record, a default `diff` of a work tree with
one edited event, next to `git status` of that work tree.
100,000 events (sharded): `diff` of a 1-change branch <= 0.5 s; warm `validate` <= 10 s; warm
`export` <= 2x `git archive`; `log` of 1,000 commits <= 2x `git log --name-status`.

The repositories are private clones of the shared synthetic plans (benchmarks/plans.py),
built once under the scratch folder with a 1-change branch `one` and, at 100,000 events, a
branch `history` of 1,000 one-event commits. `--before SRC` also times every trackplan
command with the code in SRC (the `src/` folder of an older checkout), in the same rounds.
A run takes a few minutes at 10,000 events; at 100,000, `validate` alone takes minutes
until its plan-rule findings are cheaper to position (see docs/architecture.md).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
from pathlib import Path

from bench_startup import (
    Command,
    Figure,
    changed_event,
    cpu,
    interleaved,
    prepared_repo,
    process_env,
    table,
    trackplan,
)
from common import SCRATCH, git
from trackplan.repo.cache import cache_file
from trackplan.repo.git.store import GitStore

HISTORY = 1000
INTERPRETER = "python -c pass"


def with_history(root: Path, commits: int = HISTORY) -> None:
    """A branch `history` off main with `commits` commits, each editing one event's description."""
    store = GitStore(root)
    if store.branch_head("history") is not None:
        if int(git("rev-list", "--count", "main..history", cwd=root)) == commits:
            return
        git("branch", "-D", "history", cwd=root)  # left short by an interrupted run
    head = store.resolve("main")
    listed = git("ls-tree", "-r", "main", "events", cwd=root).decode().splitlines()
    files = [(line.split("\t")[1], line.split()[2]) for line in listed[:commits]]
    store.create_branch("history", head)
    for i, (path, blob) in enumerate(files):
        data = store.read_blob(blob).replace(b"description: ", f"description: Revision {i}. ".encode(), 1)
        head = store.commit_changes("history", head, {path: data}, f"revise {path}")
    git("gc", "-q", cwd=root)


def edited_clone(root: Path) -> Path:
    """A private clone of `root` (its blob cache too) whose work tree has one event edited,
    built once; `root` stays clean for the clean-work-tree figure."""
    clone = SCRATCH / f"wt-{root.name}-edited"
    if not cache_file(clone / ".git").is_file():  # absent, or left half built
        shutil.rmtree(clone, ignore_errors=True)
        git("clone", "-q", "--no-hardlinks", str(root), str(clone), cwd=SCRATCH)
        git("remote", "remove", "origin", cwd=clone)
        (clone / ".git" / "trackplan").mkdir()
        shutil.copyfile(cache_file(root / ".git"), cache_file(clone / ".git"))
    event = clone / changed_event(clone)
    text = event.read_text()
    if "Edited. " not in text:
        event.write_text(text.replace("description: ", "description: Edited. ", 1))
    return clone


def pair(label: str, args: list[str], root: Path, before: Path | None, codes: tuple[int, ...] = (0,)) -> list[Command]:
    out = [trackplan(label, *args, cwd=root, exit_codes=codes)]
    if before is not None:
        out.append(trackplan(f"{label} (before)", *args, cwd=root, src=before, exit_codes=codes))
    return out


def figure(times: dict[str, list[float]], label: str, reference: str, target: str) -> Figure:
    before = times.get(f"{label} (before)")
    return Figure(
        label,
        times[label],
        reference,
        times[reference],
        before,
        target,
        False,
        times[cpu(label)],
        times[cpu(reference)],
    )


def before_cpu(times: dict[str, list[float]], figures: list[Figure]) -> None:
    """The CPU time of each `--before` figure next to its reference's, which the table leaves out."""
    for f in figures:
        used = times.get(cpu(f"{f.label} (before)"))
        if used and f.reference_cpu:
            value = statistics.median(used)
            ratio = value / statistics.median(f.reference_cpu)
            spread = f"{min(used) * 1000:.0f}-{max(used) * 1000:.0f} ms"
            print(f"  before, cpu: {f.label} {value * 1000:.0f} ms ({spread}), {ratio:.2f}x", flush=True)


def ten_thousand(before: Path | None, rounds: int, diff_only: bool = False) -> None:
    root, _ = prepared_repo(10_000, "flat")
    edited = edited_clone(root)
    env = process_env()
    export = [
        Command("git archive main", ["git", "archive", "main"], root, env),
        *pair("trackplan export --ref main", ["export", "--ref", "main"], root, before),
    ]
    commands = [
        *([] if diff_only else export),
        Command("git status", ["git", "status"], root, env),
        Command("git status (one edited)", ["git", "status"], edited, env),
        Command(INTERPRETER, [sys.executable, "-c", "pass"], root, env),
        *pair("trackplan diff (clean work tree)", ["diff"], root, before),
        *pair("trackplan diff (one edited event)", ["diff"], edited, before),
    ]
    times = interleaved(commands, rounds)
    figures = [
        *([] if diff_only else [figure(times, "trackplan export --ref main", "git archive main", "<= 2x")]),
        figure(times, "trackplan diff (clean work tree)", "git status", "<= 2x"),
        figure(times, "trackplan diff (one edited event)", "git status (one edited)", ""),
    ]
    table("10,000 events (flat), whole processes, warm", figures)
    before_cpu(times, figures)
    print(f"  {spread(times, INTERPRETER)}: what any Python process costs before it imports anything", flush=True)


def spread(times: dict[str, list[float]], label: str) -> str:
    """A command's median and range, wall and CPU, in ms."""
    wall, used = times[label], times[cpu(label)]
    ms = [f"{statistics.median(v) * 1000:.0f} ms ({min(v) * 1000:.0f}-{max(v) * 1000:.0f})" for v in (wall, used)]
    return f"{label} {ms[0]}, cpu {ms[1]}"


def hundred_thousand(before: Path | None, rounds: int) -> None:
    root, _ = prepared_repo(100_000, "sharded")
    with_history(root)
    env = process_env()
    archive = Command("git archive main", ["git", "archive", "main"], root, env)
    log_args = ["log", "--ref", "history", "--limit", str(HISTORY)]
    git_log = ["git", "log", "--name-status", "-n", str(HISTORY), "history"]
    commands = [
        Command("git diff --name-status main one", ["git", "diff", "--name-status", "main", "one"], root, env),
        archive,
        Command("git log --name-status -n 1000", git_log, root, env),
        *pair("trackplan diff main one", ["diff", "main", "one"], root, before),
        *pair("trackplan export --ref main", ["export", "--ref", "main"], root, before),
        *pair("trackplan log (1,000 commits)", log_args, root, before),
    ]
    times = interleaved(commands, rounds)
    # validate takes a minute or more: two rounds of its own, and not --before (the older
    # code's lint cache is another one, and filling it takes minutes more).
    alongside = Command("git archive main (validate's rounds)", archive.argv, root, env)
    times |= interleaved(
        [
            alongside,
            trackplan("trackplan validate --ref main", "validate", "--ref", "main", cwd=root, exit_codes=(0, 1)),
        ],
        2,
    )
    figures = [
        figure(times, "trackplan diff main one", "git diff --name-status main one", "<= 0.5 s"),
        figure(times, "trackplan validate --ref main", "git archive main (validate's rounds)", "<= 10 s"),
        figure(times, "trackplan export --ref main", "git archive main", "<= 2x"),
        figure(times, "trackplan log (1,000 commits)", "git log --name-status -n 1000", "<= 2x"),
    ]
    table("100,000 events (sharded), whole processes, warm", figures)
    before_cpu(times, figures)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src/ folder of an older checkout, timed alongside")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--only", choices=["10k", "10k-diff", "100k"], default=None, help="10k-diff: the diff figures")
    args = parser.parse_args()
    if args.only != "100k":
        ten_thousand(args.before, args.rounds, diff_only=args.only == "10k-diff")
    if args.only is None or args.only == "100k":
        hundred_thousand(args.before, args.rounds)


if __name__ == "__main__":
    main()

"""Start-up as whole processes: `trackplan --version`, and `events` (work tree and a ref),
`show` and `diff` (one change) on a 10,000-event plan, each next to its reference measured
in the same run.
Targets: `--version` <= 60 ms (references: `python -c pass`, `git --version`); `events`,
`show`, `diff` <= 150 ms plus the work (the same call timed inside this process).

Runs are interleaved (each command once per round) so the machine's noise falls on all of
them alike; each figure is the median with its min-max. `--before SRC` also times the same
commands with the code in SRC (the `src/` folder of an older checkout), in the same rounds,
on a clone of its own (each code keeps its own blob cache).
`--imports` prints `python -X importtime`'s heaviest modules of each command.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from common import SCRATCH, git
from plans import shared_plan_repo
from synthetic import GENERATOR_VERSION
from trackplan.repo.cache import cache_file
from trackplan.repo.git.store import GitStore

TRACKPLAN = str(Path(sys.executable).with_name("trackplan"))  # the console script users run
ROUNDS = 7


def process_env(src: Path | None = None) -> dict[str, str]:
    """The environment of a timed process: byte-compiled modules kept (as an installed package
    has them) in the scratch folder, and the code in `src` first on the path when given."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env["PYTHONPYCACHEPREFIX"] = str(SCRATCH / "pycache")
    if src is not None:
        env["PYTHONPATH"] = str(src)
    return env


@dataclass(frozen=True)
class Command:
    label: str
    argv: Sequence[str]
    cwd: Path
    env: dict[str, str]
    exit_codes: tuple[int, ...] = (0,)

    def run(self) -> tuple[float, float]:
        """(wall time, CPU time) of one run: on a machine shared by many, the CPU time says
        what the process costs, the wall time what its user waits."""
        used = _children_cpu()
        start = time.perf_counter()
        done = subprocess.run(self.argv, cwd=self.cwd, env=self.env, capture_output=True)
        elapsed = time.perf_counter() - start
        if done.returncode not in self.exit_codes:
            raise RuntimeError(f"{self.label}: exit {done.returncode}: {done.stderr.decode(errors='replace')[-500:]}")
        return elapsed, _children_cpu() - used


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def cpu(label: str) -> str:
    """The key of a command's CPU times next to its wall times."""
    return f"{label} [cpu]"


def trackplan(
    label: str, *args: str, cwd: Path, src: Path | None = None, exit_codes: tuple[int, ...] = (0,)
) -> Command:
    return Command(label, [TRACKPLAN, *args], cwd, process_env(src), exit_codes)


def interleaved(commands: Sequence[Command], rounds: int = ROUNDS) -> dict[str, list[float]]:
    """Wall times (and, under `cpu(label)`, CPU times) of each command: one untimed run each
    (caches filled), then `rounds` rounds."""
    for command in commands:
        command.run()
    times: dict[str, list[float]] = {}
    for _ in range(rounds):
        for command in commands:
            wall, used = command.run()
            times.setdefault(command.label, []).append(wall)
            times.setdefault(cpu(command.label), []).append(used)
    return times


WORK_SCRIPT = """
import contextlib, importlib, io, pkgutil, resource, sys, time
import trackplan
for module in pkgutil.walk_packages(trackplan.__path__, "trackplan."):
    try:
        importlib.import_module(module.name)
    except ImportError:
        pass  # an optional extra that is not installed
from trackplan.cli.app import cli
def cpu():  # this process and the git processes it ran, as the whole process is timed
    usage = [resource.getrusage(who) for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
    return sum(u.ru_utime + u.ru_stime for u in usage)
with contextlib.redirect_stdout(io.StringIO()):
    start, used = time.perf_counter(), cpu()
    cli.main(sys.argv[1:], prog_name="trackplan", standalone_mode=False)
    print(time.perf_counter() - start, cpu() - used, file=sys.stderr)
"""


def work_times(root: Path, args: Sequence[str], rounds: int = ROUNDS) -> tuple[list[float], list[float]]:
    """The command's own work, wall and CPU: its first run in a process that has already
    imported every module of trackplan, so what it adds over this is start-up (interpreter
    and imports)."""
    argv = [sys.executable, "-c", WORK_SCRIPT, "-C", str(root), *args]
    walls, cpus = [], []
    for _ in range(rounds + 1):
        done = subprocess.run(argv, env=process_env(), capture_output=True, text=True, check=True)
        wall, used = done.stderr.strip().splitlines()[-1].split()
        walls.append(float(wall))
        cpus.append(float(used))
    return walls[1:], cpus[1:]


@dataclass(frozen=True)
class Figure:
    label: str
    times: list[float]
    reference: str
    reference_times: list[float]
    before: list[float] | None = None
    target: str = ""
    overhead: bool = False  # the figure is `value - reference` (start-up over the work), not a ratio
    cpu: list[float] | None = None
    reference_cpu: list[float] | None = None


def _ms(times: list[float] | None) -> str:
    return f"{statistics.median(times) * 1000:.0f} ms" if times else "-"


def _compared(value: list[float], reference: list[float], overhead: bool) -> str:
    a, b = statistics.median(value), statistics.median(reference)
    return f"+{(a - b) * 1000:.0f} ms" if overhead else f"{a / b:.2f}x"


def table(title: str, figures: Sequence[Figure]) -> None:
    """Figure, value, reference in the same run, ratio (or overhead), before value, min-max
    (wall times), then the same comparison in CPU time."""
    print(f"\n{title}", flush=True)
    header = ("figure", "value", "reference (same run)", "ratio", "before", "min-max", "cpu: value, ratio", "target")
    rows = [header]
    for f in figures:
        ratio = _compared(f.times, f.reference_times, f.overhead)
        spread = f"{min(f.times) * 1000:.0f}-{max(f.times) * 1000:.0f} ms"
        used = f"{_ms(f.cpu)}, {_compared(f.cpu, f.reference_cpu, f.overhead)}" if f.cpu and f.reference_cpu else "-"
        reference = f"{f.reference} {_ms(f.reference_times)}"
        rows.append((f.label, _ms(f.times), reference, ratio, _ms(f.before), spread, used, f.target))
    widths = [max(len(r[i]) for r in rows) for i in range(len(header))]
    for row in rows:
        print("  " + "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip(), flush=True)


def heaviest_imports(command: Command, count: int = 12, runs: int = 3) -> list[tuple[str, int]]:
    """The top-level modules a command imports (those a command's body imports lazily are
    top-level too), by cumulative microseconds (`-X importtime`), the least of `runs`."""
    least: dict[str, int] = {}
    for _ in range(runs):
        for name, micros in _imports_once(command):
            least[name] = min(least.get(name, micros), micros)
    return sorted(least.items(), key=lambda r: -r[1])[:count]


def _imports_once(command: Command) -> list[tuple[str, int]]:
    argv = [sys.executable, "-X", "importtime", *command.argv] if command.argv[0] != TRACKPLAN else None
    if argv is None:
        argv = [sys.executable, "-X", "importtime", "-c", "import sys; from trackplan.cli import main; main()"]
        argv += list(command.argv[1:])
    done = subprocess.run(argv, cwd=command.cwd, env=command.env, capture_output=True, text=True)
    rows = []
    for line in done.stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            _, cumulative, name = line.split("|")
            if not name.startswith("  ") and cumulative.strip().isdigit():  # a top-level import
                rows.append((name.strip(), int(cumulative)))
    return rows


STAGES = {
    "the command table and main (--version stops here)": ["trackplan.cli"],
    "click and the group": ["trackplan.cli.app"],
    "the shared options": ["trackplan.cli.options"],
    "events, show": ["trackplan.repo.browse"],
    "export to its kept output (a warm export stops here)": [
        "trackplan.exporting.run",
        "trackplan.repo.workspace",
        "trackplan.repo.git.revisions",
    ],
    "the git layer (pygit2)": ["trackplan.repo.git.store"],
    "plan files: the model, sqlite (YAML on a first parse)": ["trackplan.repo.reading", "trackplan.repo.cache"],
    "diff": ["trackplan.diffing.run", "trackplan.report.diff", "trackplan.ci.review", "trackplan.ci.github"],
}
STAGE_SCRIPT = """
import importlib, sys, time
for stage in sys.argv[1:]:
    start = time.process_time()
    for module in stage.split(","):
        importlib.import_module(module)
    print(time.process_time() - start)
"""


def import_stages(runs: int = 5) -> dict[str, float]:
    """CPU seconds each stage of start-up adds, imported in order in a fresh interpreter, the
    least of `runs` (CPU time, unlike importtime's wall time, hardly moves with the load)."""
    argv = [sys.executable, "-c", STAGE_SCRIPT, *(",".join(modules) for modules in STAGES.values())]
    least = dict.fromkeys(STAGES, float("inf"))
    for _ in range(runs):
        done = subprocess.run(argv, env=process_env(), capture_output=True, text=True, check=True)
        for stage, seconds in zip(STAGES, done.stdout.split(), strict=True):
            least[stage] = min(least[stage], float(seconds))
    return least


def prepared_repo(n: int, events_layout: str, copy: str = "") -> tuple[Path, str]:
    """A private clone of the shared N-event plan (with its caches), built once and reused,
    with a branch `one` that changes one event; returns (root, that event's path). `copy`
    names another such clone: older code gets its own, so neither reads a blob cache of the
    other's format (a format change rebuilds the whole cache)."""
    root = SCRATCH / f"spd-{n}-{events_layout}-v{GENERATOR_VERSION}{copy}"
    shared = shared_plan_repo(n, events_layout)
    if not root.is_dir() or GitStore(root).branch_head("one") is None:
        shutil.rmtree(root, ignore_errors=True)  # half built by an interrupted run
        git("clone", "-q", "--no-hardlinks", str(shared), str(root), cwd=SCRATCH)
        git("update-ref", "refs/heads/main", "origin/main", cwd=root)
        git("remote", "remove", "origin", cwd=root)
        (root / ".git" / "trackplan").mkdir(exist_ok=True)
        shutil.copyfile(cache_file(shared / ".git"), cache_file(root / ".git"))
        store = GitStore(root)
        main = store.resolve("main")
        path = changed_event(root)
        store.create_branch("one", main)
        data = store.read_blob(store.blob_at(main, path) or "")
        store.commit_changes("one", main, {path: data.replace(b"description: ", b"description: Changed. ", 1)}, "one")
    return root, changed_event(root)


def changed_event(root: Path) -> str:
    listed = git("ls-tree", "-r", "--name-only", "main", "events", cwd=root).decode().split("\n")
    return sorted(p for p in listed if p)[0]


WORK_VERBS = ("events", "events --ref", "show", "diff")
"""The commands timed next to their own work."""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", type=Path, help="the src/ folder of an older checkout, timed alongside")
    parser.add_argument("--imports", action="store_true", help="print each command's heaviest imports")
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    args = parser.parse_args()
    root, event_path = prepared_repo(10_000, "flat")
    before_root = prepared_repo(10_000, "flat", "-before")[0] if args.before else root
    event = event_path.rsplit("/", 1)[1]
    verbs = {
        "--version": ["--version"],
        "events": ["events"],
        "events --ref": ["events", "--ref", "main"],
        "show": ["show", event],
        "diff": ["diff", "main", "one"],
    }
    imported = {**verbs, "diff (work tree)": ["diff"], "export (warm)": ["export", "--ref", "main"]}
    commands = [Command("python -c pass", [sys.executable, "-c", "pass"], root, process_env())]
    commands.append(Command("git --version", ["git", "--version"], root, process_env()))
    for verb, argv in verbs.items():
        commands.append(trackplan(verb, *argv, cwd=root))
        if args.before:
            commands.append(trackplan(f"{verb} (before)", *argv, cwd=before_root, src=args.before))
    times = interleaved(commands, args.rounds)
    for verb in WORK_VERBS:
        times[f"{verb} work"], times[cpu(f"{verb} work")] = work_times(root, verbs[verb], args.rounds)

    def figure(verb: str, reference: str, target: str = "", overhead: bool = False) -> Figure:
        label = f"trackplan {' '.join(verbs[verb])}"
        shown = "the work, imports done" if overhead else reference
        before = times.get(f"{verb} (before)")
        return Figure(
            label,
            times[verb],
            shown,
            times[reference],
            before,
            target,
            overhead,
            times[cpu(verb)],
            times[cpu(reference)],
        )

    figures = [
        figure("--version", "python -c pass", "<= 60 ms"),
        figure("--version", "git --version"),
        *(figure(verb, f"{verb} work", "<= +150 ms", True) for verb in WORK_VERBS),
    ]
    table("start-up, 10,000-event plan (flat), whole processes", figures)
    for verb, shown in zip(["--version", "--version", *WORK_VERBS], figures, strict=True):
        used = times.get(cpu(f"{verb} (before)"))
        if used and shown.reference_cpu:
            spread = f"{min(used) * 1000:.0f}-{max(used) * 1000:.0f} ms"
            compared = _compared(used, shown.reference_cpu, shown.overhead)
            print(f"  before, cpu: {shown.label} {_ms(used)} ({spread}), {compared}", flush=True)
    if args.imports:
        print("\n  start-up stages, CPU ms each adds (in order, least of 5):")
        for stage, seconds in import_stages().items():
            print(f"    {seconds * 1000:6.1f} ms  {stage}")
        for verb, argv in imported.items():
            print(f"\n  heaviest imports of trackplan {' '.join(argv)} (cumulative, -X importtime):")
            for name, micros in heaviest_imports(trackplan(verb, *argv, cwd=root)):
                print(f"    {micros / 1000:6.1f} ms  {name}")


if __name__ == "__main__":
    main()

"""The codegen use case: the events a request selects at a ref (by source, by tracking plan,
or all), generated in one language, and `--check`: whether a file on disk is what would be
generated now.

The commit a file names is the last commit that changed the plan, not the ref's own: when
the plan lives beside an app in one repository, commits to the app leave generated files
up to date, and `trackplan check` can read the plan at the commit each payload names.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path

from trackplan.codegen import VALIDATE_MODES, python, typescript
from trackplan.codegen.header import Provenance, header_commit
from trackplan.codegen.library import Library, build_library
from trackplan.codegen.names import PYTHON_STYLE, TS_STYLE, NamingStyle
from trackplan.codegen.tracking_plans import find_tracking_plan
from trackplan.errors import InputError, RefError
from trackplan.memory import building
from trackplan.model import Event, Plan
from trackplan.repo.atomic import atomic_write
from trackplan.repo.browse import did_you_mean
from trackplan.repo.paths import CONTEXTS_DIR, EVENTS_DIR, GROUP_FILE, IDENTIFY_FILE, SETTINGS_FILE, TRACKING_PLANS_DIR
from trackplan.repo.refs import WORKTREE
from trackplan.repo.workspace import Workspace


@dataclass(frozen=True)
class Language:
    style: NamingStyle
    render: Callable[[Library, Provenance, str], str]
    suffixes: tuple[str, ...]  # the files `status` scans for calls


LANGUAGES = {
    "ts": Language(
        TS_STYLE, typescript.render, (".ts", ".tsx", ".mts", ".cts", ".js", ".jsx", ".mjs", ".cjs", ".vue", ".svelte")
    ),
    "python": Language(PYTHON_STYLE, python.render, (".py", ".pyi")),
}


@dataclass(frozen=True)
class CodegenRequest:
    lang: str
    ref: str = "HEAD"
    source: str | None = None
    tracking_plan: str | None = None
    validate: str = "dev"

    @property
    def command(self) -> str:
        """The command that generates this again (options left at their defaults are not named)."""
        words = ["trackplan", "codegen", "--lang", self.lang]
        for option, value, default in (
            ("--source", self.source, None),
            ("--plan", self.tracking_plan, None),
            ("--ref", self.ref, "HEAD"),
            ("--validate", self.validate, "dev"),
        ):
            if value != default and value is not None:
                words += [option, value]
        return shlex.join(words)


@dataclass(frozen=True)
class Generated:
    text: str
    commit: str | None
    events: int
    notes: tuple[str, ...]
    request: CodegenRequest


@dataclass(frozen=True)
class Selected:
    """A request's events and library in one language, as `codegen` and `status` see them."""

    library: Library
    plan: Plan
    selection: str


def select(ws: Workspace, request: CodegenRequest) -> Selected:
    if request.lang not in LANGUAGES:
        raise InputError(f"unknown language {request.lang!r}; use one of {', '.join(LANGUAGES)}")
    plan = ws.load(request.ref).plan
    events, selection = _selected_events(ws, plan, request)
    destinations = _destinations(plan, request.source)
    with building():  # one object per property: the collector would rescan them all, again and again
        library = build_library(events, plan.identify, plan.group, destinations, LANGUAGES[request.lang].style)
    return Selected(library, plan, selection)


def generate(ws: Workspace, request: CodegenRequest) -> Generated:
    if request.validate not in VALIDATE_MODES:
        raise InputError(f"unknown --validate {request.validate!r}; use one of {', '.join(VALIDATE_MODES)}")
    selected = select(ws, request)
    commit = plan_commit(ws, request.ref)
    provenance = Provenance(
        plan=selected.plan.settings.name,
        ref=request.ref,
        commit=commit,
        selection=selected.selection,
        command=request.command,
        source=request.source,
    )
    with building():
        text = LANGUAGES[request.lang].render(selected.library, provenance, request.validate)
    return Generated(text, commit, len(selected.library.events), selected.library.notes, request)


def _with_guess(name: str, known: Collection[str]) -> str:
    guess = did_you_mean(name, known)
    return f"{name!r} ({guess})" if guess else repr(name)


def _selected_events(ws: Workspace, plan: Plan, request: CodegenRequest) -> tuple[tuple[Event, ...], str]:
    events, said = plan.events, []
    if request.tracking_plan is not None:
        tracking_plan = find_tracking_plan(ws, request.ref, request.tracking_plan)
        known = plan.event_map()
        unknown = [name for name in tracking_plan.events if name not in known]
        if unknown:
            raise InputError(
                f"{ws.repo_path(tracking_plan.path)}: tracking plan {tracking_plan.name!r} names events "
                f"not in the plan: {', '.join(_with_guess(name, known) for name in unknown)}"
            )
        chosen = set(tracking_plan.events)
        events = tuple(e for e in events if e.name in chosen)
        said.append(f"tracking plan {tracking_plan.name}")
    if request.source is not None:
        sources = set(plan.settings.source_names) | {s for e in plan.events for s in e.sources}
        if request.source not in sources:
            raise InputError(
                f"unknown source {request.source!r}; known sources: {', '.join(sorted(sources)) or 'none'}"
            )
        events = tuple(e for e in events if request.source in e.sources)
        said.append(f"source {request.source}")
    return events, ", ".join(said) or "all events"


def _destinations(plan: Plan, source: str | None) -> set[str]:
    """The destinations of the source in trackplan.yaml (every one without a source); the
    library adds those the chosen events' name mappings name."""
    names = {d.name for d in plan.settings.destinations} if source is None else set()
    return names | {d for s in plan.settings.sources if source in (None, s.name) for d in s.destinations}


def plan_commit(ws: Workspace, ref: str) -> str | None:
    """The last commit at or before `ref`, along first parents, that changed the plan (None
    for the work tree). The plan is compared by the ids of its folders and files, so the
    cost is a few lookups per commit whatever the plan's size."""
    if ref == WORKTREE:
        return None
    folders = [ws.repo_path(folder) for folder in (EVENTS_DIR, CONTEXTS_DIR, TRACKING_PLANS_DIR)]
    files = [ws.repo_path(file) for file in (SETTINGS_FILE, IDENTIFY_FILE, GROUP_FILE)]
    found, wanted = None, None
    for info in ws.store.iter_commits(ref):
        ids = [ws.store.subtree_id(info.id, f) for f in folders] + [ws.store.blob_at(info.id, f) for f in files]
        if wanted is None:
            wanted = ids
        elif ids != wanted:
            break
        found = info.id
    return found


# -- writing and checking files -----------------------------------------------------------------


def write(path: Path, generated: Generated) -> None:
    atomic_write(path, generated.text.encode())


@dataclass(frozen=True)
class CheckOutcome:
    up_to_date: bool
    message: str


def check_file(ws: Workspace, path: Path, shown: str, generated: Generated) -> CheckOutcome:
    """Whether the file at `path` (named `shown` in messages) is what `generated` holds."""
    again = f"run `{generated.request.command} -o {shlex.quote(shown)}`"
    if not path.is_file():
        return CheckOutcome(False, f"{shown} does not exist: {again} to write it")
    on_disk = path.read_bytes()
    if on_disk == generated.text.encode():
        return CheckOutcome(
            True, f"{shown} is up to date with the plan at {generated.request.ref} ({_commit(generated.commit)})"
        )
    old = header_commit(on_disk.decode("utf-8", "replace"))
    if old != generated.commit:
        # In a shallow clone the walk stops early and finds a later commit than a full clone.
        missing = (
            " (not in this clone: fetch the history, as with fetch-depth: 0)" if old and not _known(ws, old) else ""
        )
        return CheckOutcome(
            False,
            f"{shown} was generated from {_commit(old)}{missing}; the plan at {generated.request.ref} is at "
            f"{_commit(generated.commit)}: {again}",
        )
    return CheckOutcome(
        False,
        f"{shown} differs from what {_commit(generated.commit)} generates (edited, or generated with other "
        f"options or another trackplan version): {again}",
    )


def _known(ws: Workspace, commit: str) -> bool:
    try:
        ws.store.resolve(commit)
    except RefError:
        return False
    return True


def _commit(commit: str | None) -> str:
    return f"commit {commit[:12]}" if commit else "the uncommitted work tree"

"""The import of a folder of tracking plans (snowplow-cli's data products): its files read
here, parsed by the format, merged with the plans on the branch by the import method, and
written with trackplan.yaml's sources as one commit through `trackingplans.files`.

A plan is matched by id. addOnly adds the plans and sources the branch lacks; addAndUpdate
also rewrites those it has, keeping what the format does not carry (the statuses, access
instructions and keys trackplan alone knows); addUpdateAndRemove also deletes the plans the
folder lacks. Sources are never removed: events name them too. An event specification's
Iglu URI becomes the name of the plan's event that has that URI.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from trackplan.diffing.events import Differ
from trackplan.diffing.records import Change, DiffResult
from trackplan.diffing.run import differ_for
from trackplan.diffing.tracking_plans import plan_changes
from trackplan.errors import InputError
from trackplan.formats import read_source
from trackplan.formats.base import InputFile
from trackplan.formats.snowplow_dp import SOURCE_APPS, event_names
from trackplan.importing.merge import ImportResult
from trackplan.importing.run import ImportOutcome, ImportRequest
from trackplan.model import Settings, Source
from trackplan.model.tracking_plans import EventSpecification, TrackingPlan
from trackplan.repo.guards import target_branch
from trackplan.repo.paths import SETTINGS_FILE
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import (
    PlanChange,
    PlanEdit,
    PlanFile,
    commit_tracking_plans,
    read_tracking_plans,
)
from trackplan.trackingplans.layout import tracking_plan_path

FOLDER_SUFFIXES = (".yaml", ".yml")


def folder_files(folder: Path) -> dict[str, bytes]:
    """The data products folder's files by relative path: its own YAML files and those of
    source-apps/. A folder holding `data-products/` is read from there."""
    if (folder / "data-products").is_dir():
        folder = folder / "data-products"
    wanted = [*folder.glob("*"), *(folder / SOURCE_APPS).glob("*")]
    files = {}
    for file in sorted(wanted):
        if file.is_file() and not file.name.startswith(".") and file.name.endswith(FOLDER_SUFFIXES):
            try:
                files[file.relative_to(folder).as_posix()] = file.read_bytes()
            except OSError as exc:
                raise InputError(f"{file}: cannot read: {exc.strerror}") from None
    return files


@dataclass
class _Counts:
    """What one run of the edit does: the counts, the files it writes and their change records."""

    new: int = 0
    updated: int = 0
    removed: int = 0
    new_sources: int = 0
    paths: list[str] = field(default_factory=list)
    records: list[Change] = field(default_factory=list)


def _resolved(plan: TrackingPlan, names: Mapping[str, str]) -> TrackingPlan:
    specs = tuple(replace(s, event=names.get(s.event, s.event)) for s in plan.event_specifications)
    return replace(plan, event_specifications=specs)


def _kept(incoming: TrackingPlan, old: TrackingPlan) -> TrackingPlan:
    """`incoming` with what only trackplan's file carries taken from the plan it replaces."""
    old_specs = {spec.id: spec for spec in old.event_specifications}

    def spec_kept(spec: EventSpecification) -> EventSpecification:
        before = old_specs.get(spec.id)
        return spec if before is None else replace(spec, status=before.status, extra=before.extra)

    specs = tuple(spec_kept(spec) for spec in incoming.event_specifications)
    return replace(
        incoming,
        status=old.status,
        access_instructions=old.access_instructions,
        extra=old.extra,
        event_specifications=specs,
    )


def _sources(settings: Settings, incoming: Sequence[Source], update: bool, counts: _Counts) -> Settings:
    by_name = {s.name: s for s in settings.sources}
    for source in incoming:
        old = by_name.get(source.name)
        if old is None:
            by_name[source.name] = source
            counts.new_sources += 1
        elif update:
            by_name[source.name] = replace(source, id=old.id or source.id, destinations=old.destinations)
    return replace(settings, sources=tuple(sorted(by_name.values())))


def _changes(
    files: Sequence[PlanFile], incoming: Sequence[TrackingPlan], method: str, differ: Differ, counts: _Counts
) -> list[PlanChange]:
    existing = {f.plan.id: f for f in files}
    changes = []
    taken = {f.path.lower() for f in files}
    for plan in incoming:
        old = existing.get(plan.id)
        if old is None:
            counts.new += 1
            path = tracking_plan_path(plan, frozenset(taken))
            taken.add(path.lower())
        elif method == "addOnly" or _kept(plan, old.plan) == old.plan:
            continue
        else:
            counts.updated += 1
            plan, path = _kept(plan, old.plan), old.path
        changes.append(PlanChange(plan.id, plan))
        counts.paths.append(path)
        counts.records.extend(plan_changes(old, PlanFile(path, plan), differ))
    if method == "addUpdateAndRemove":
        wanted = {plan.id for plan in incoming}
        for gone in (f for f in files if f.plan.id not in wanted):
            counts.removed += 1
            counts.paths.append(gone.path)
            counts.records.extend(plan_changes(gone, None, differ))
            changes.append(PlanChange(gone.plan.id, None))
    return changes


def import_tracking_plans(ws: Workspace, request: ImportRequest, fmt: str) -> ImportOutcome:
    """Import a folder of tracking plans into `request.branch` as one commit (a dry run: none)."""
    if request.base is not None:
        raise InputError("--base: a tracking-plan import starts a new branch at the plan's main branch")
    incoming = read_source(InputFile(b"", request.name, files=folder_files(Path(request.name))), fmt)
    branch = target_branch(ws, request.branch)
    tally: list[_Counts] = []  # the last edit's: a retried edit counts again, on the new head

    def edit(files: Sequence[PlanFile]) -> PlanEdit:
        counts = _Counts()
        tally.append(counts)
        at = ws.store.branch_head(branch) or ws.settings("HEAD").main_branch
        loaded = ws.load(at)
        names = event_names(loaded.plan)
        plans = [_resolved(plan, names) for plan in incoming.tracking_plans]
        changes = _changes(files, plans, request.method, differ_for(loaded.settings), counts)
        settings = _sources(loaded.settings, incoming.plan.settings.sources, request.method != "addOnly", counts)
        return PlanEdit(tuple(changes), _message(request, fmt, counts), settings)

    if request.dry_run:
        at = ws.store.branch_head(branch) or ws.settings("HEAD").main_branch
        wanted = edit(read_tracking_plans(ws, at))
        settings_file = [SETTINGS_FILE] if wanted.settings != ws.settings(at) else []
        commit, changed = None, tuple(sorted({*tally[-1].paths, *settings_file}))
    else:
        commit = commit_tracking_plans(ws, branch, edit).commit
        changed = _committed_paths(ws, commit) if commit else ()
    result = ImportResult(new_sources=tally[-1].new_sources, warnings=list(incoming.warnings))
    start = branch if ws.store.branch_head(branch) or commit else ws.settings("HEAD").main_branch
    return ImportOutcome(branch, result, fmt, commit, changed, DiffResult(tally[-1].records, [], start, branch))


def _committed_paths(ws: Workspace, commit: str) -> tuple[str, ...]:
    """The plan files `commit` changed over its parent: the plans, and trackplan.yaml and the
    plans' schema when they change too."""
    (info,) = itertools.islice(ws.store.iter_commits(commit), 1)
    parent_tree = ws.store.subtree_id(info.parents[0], ws.prefix) if info.parents else None
    return tuple(
        sorted(path for path, _, _ in ws.store.diff_trees(parent_tree, ws.store.subtree_id(commit, ws.prefix)))
    )


def _message(request: ImportRequest, fmt: str, counts: _Counts) -> str:
    summary = request.message or (
        f"Import {Path(request.name).name} ({request.method}): {counts.new} new, {counts.updated} updated, "
        f"{counts.removed} removed tracking plans"
    )
    trailers = [
        f"Trackplan-Import-Method: {request.method}",
        f"Trackplan-Import-Format: {fmt}",
        f"Trackplan-Import-File: {Path(request.name).name}",
        *request.trailers,
    ]
    return f"{summary}\n\nnewSources: {counts.new_sources}\n\n" + "\n".join(trailers) + "\n"

"""The import use case: read a file, merge it into a plan branch, commit the result.

Guards (repo/guards.py) follow Avo's Import API: a protected branch is refused (Avo's 403),
so is a branch already merged into a protected one (Avo's 409). The branch moves by
compare-and-swap, so concurrent imports either land or are refused with a retry message;
none is dropped. A re-import of a whole-plan export (Avo's JSON export, the standard JSON
Schema) merges only its changed events when it can (incremental.py). The diff an import
reports (dry runs, the commit message) is the one `trackplan diff` gives, under the plan's
breaking profile (diffing/run.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from trackplan.diffing.events import diff_plans
from trackplan.diffing.records import DiffResult
from trackplan.diffing.run import differ_for
from trackplan.errors import InputError, RefError
from trackplan.formats import FORMATS, detect, read_source
from trackplan.formats.base import Incoming, InputFile
from trackplan.importing.incremental import (
    Incremental,
    Split,
    files_after,
    fingerprints,
    incremental,
    note_of,
    noted_plan,
    recall,
    remember,
    rewritten,
)
from trackplan.importing.merge import ImportResult, merge, property_scope
from trackplan.importing.trees import follow, indexed, known_index, load_indexed, touched
from trackplan.memory import paused
from trackplan.model import Plan, Settings
from trackplan.repo.guards import guard_branch, target_branch
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.workspace import Workspace, retried

FORGED_TRAILER = re.compile(r"^\s*trackplan-[\w-]*:", re.IGNORECASE | re.MULTILINE)

Progress = Callable[[int, str], None]
"""Told the count so far and what is counted, step by step: events read, events merged, files committed."""


@dataclass(frozen=True)
class ImportRequest:
    data: bytes
    name: str
    fmt: str = "auto"
    method: str = "addOnly"
    source: str | None = None
    branch: str | None = None
    base: str | None = None
    message: str | None = None
    dry_run: bool = False
    skip_invalid: bool = False  # a folder: unreadable files are skipped with a warning each
    trailers: tuple[str, ...] = ()  # further `Key: value` trailers, e.g. the server's service account


@dataclass
class ImportOutcome:
    branch: str
    result: ImportResult
    format: str
    commit: str | None
    changed_paths: tuple[str, ...]
    diff: DiffResult


def commit_message(request: ImportRequest, outcome: ImportOutcome) -> str:
    if request.message:
        summary = request.message
    else:
        r = outcome.result
        summary = (
            f"Import {Path(request.name).name} ({request.method}): {r.new_events} new, "
            f"{r.updated_events} updated events"
        )
    counts = "\n".join(f"{k}: {v}" for k, v in outcome.result.counts().items())
    if outcome.result.removed_events:
        counts += f"\nremovedEvents: {outcome.result.removed_events}"
    warnings = outcome.result.warnings
    body = counts + (f"\nwarnings: {len(warnings)}" if warnings else "")
    sets = {
        name: sum(1 for c in outcome.diff.changes if c.change_set == name) for name in ("addOnly", "update", "remove")
    }
    breaking = outcome.diff.counts()["breaking"]
    body += "\nchanges: " + ", ".join(f"{k} {v}" for k, v in sets.items()) + f" ({breaking} breaking)"
    trailers = [
        f"Trackplan-Import-Method: {request.method}",
        f"Trackplan-Import-Format: {outcome.format}",
        f"Trackplan-Import-File: {Path(request.name).name}",
    ]
    if request.source:
        trailers.append(f"Trackplan-Import-Source: {request.source}")
    trailers.extend(request.trailers)
    return f"{summary}\n\n{body}\n\n" + "\n".join(trailers) + "\n"


def changed_parts(old: Plan, new: Plan) -> tuple[Plan, Plan]:
    """`old` and `new` without the events both hold (the same objects: the merge keeps an event
    it leaves alone), which neither the diff nor the writing reports; both then cost what the
    import changed, not the plan. Traits, contexts and settings stay."""
    shared = {id(e) for e in old.events} & {id(e) for e in new.events}
    return (
        old.replace(events=tuple(e for e in old.events if id(e) not in shared)),
        new.replace(events=tuple(e for e in new.events if id(e) not in shared)),
    )


def run_import(ws: Workspace, request: ImportRequest, progress: Progress | None = None) -> ImportOutcome:
    """Import as one commit; when another writer moves the branch first, the import is merged
    again on the new head, a few times, before it is refused. `progress` is told each step's count."""
    if request.message is not None and (not request.message.strip() or FORGED_TRAILER.search(request.message)):
        raise InputError("--message: give a summary, without Trackplan-* trailer lines (trackplan writes those)")
    # Reading, merging, diffing and writing a plan make and drop acyclic values in bulk: the
    # collector would rescan the growing documents again and again (40% of to_json at 20,000 events).
    with paused():
        return retried(lambda: _import_once(ws, request, progress or _untold))


def _untold(done: int, counted: str) -> None:
    """The progress of an import that shows none."""


def _import_once(ws: Workspace, request: ImportRequest, tell: Progress) -> ImportOutcome:
    source = InputFile(request.data, request.name, request.skip_invalid)
    fmt = detect(source) if request.fmt == "auto" else request.fmt
    if fmt in FORMATS and FORMATS[fmt].tracking_plans:
        from trackplan.importing.tracking_plans import import_tracking_plans  # it builds on this module

        return import_tracking_plans(ws, request, fmt)
    branch = target_branch(ws, request.branch)
    head = ws.store.branch_head(branch)
    parent = None
    start = branch  # the ref the diff of the import starts from
    if head is None:
        main = ws.settings("HEAD").main_branch if request.base is None else None
        base_ref = start = request.base or main or "main"
        try:
            parent = ws.store.resolve(base_ref)
        except RefError:
            raise RefError(f"unknown --base {base_ref!r}: the branch {branch!r} would start there") from None
    base = head or parent
    base_tree = ws.store.subtree_id(base, ws.prefix) if base else None
    index = known_index(ws, base_tree)
    prints = fingerprints(source, fmt) if request.source is None else None
    if prints is not None and index is not None and not _whole_plan(prints, len(index.event_paths)):
        prints = None  # no note to recall or keep: reading or writing one costs what the plan holds
    tree = base_tree if head else None
    note = recall(ws, tree, prints, request.method)
    if index is not None:
        before = load_indexed(ws, index)
    elif note is not None:  # the note of the last import indexes its tree, as a load would
        before = noted_plan(ws, note)
    else:
        before = ws.load(base or "HEAD")
    guard_branch(ws, branch, list(before.settings.protected_branches), head, "import")
    quick = None
    if prints is not None and note is not None:
        scope = property_scope(before.settings, bool(before.event_paths), Settings(), FORMATS[fmt].property_scope)
        quick = incremental(before, request.method, source, prints, scope, note)
    if quick is not None:
        incoming, old_plan, new_plan, result = quick.incoming, quick.old, quick.new, quick.result
        tell(len(incoming.plan.events), "events read")  # only the changed events are read and merged
    else:
        incoming = read_source(source, fmt)
        incoming.plan = _iglu_names(before, incoming)
        tell(len(incoming.plan.events), "events read")
        tell(0, "events merged")
        format_scope = FORMATS[incoming.format].property_scope
        scope = property_scope(before.settings, bool(before.event_paths), incoming.plan.settings, format_scope)
        paths = touched(index, before, incoming.plan, request.method, request.source, scope[0]) if index else None
        old_plan = before.plan if paths is None else before.part(paths)
        new_plan, result = merge(old_plan, incoming.plan, request.method, request.source, scope)
        tell(len(incoming.plan.events), "events merged")
        vars(source).pop("json", None)  # the parsed file, the largest thing a big import holds, is not read again
        if index is None and base_tree is not None:
            index = indexed(ws, base_tree, before)
    result.warnings = [*incoming.warnings, *before.warnings, *result.warnings]
    old_part, new_part = changed_parts(old_plan, new_plan)
    diff = diff_plans(old_part, new_part, differ_for(new_plan.settings), before.event_paths)
    diff.base, diff.head = start, branch
    outcome = ImportOutcome(branch, result, incoming.format, None, (), diff)
    if request.dry_run:
        changes, layout_warnings = ws.planned_changes(before, new_part, old_plan=old_part)
        outcome.changed_paths = tuple(sorted(changes))
        result.warnings.extend(layout_warnings)
        return outcome
    # A new branch is created with its first commit (its reflog records the base, which the
    # merged-branch guard relies on), so a failed import leaves no branch behind.
    tell(0, "files committed")
    written = ws.commit_plan(branch, head, before, new_part, commit_message(request, outcome), old_part, parent)
    tell(len(written.changed_paths), "files committed")
    result.warnings.extend(written.warnings)
    outcome.commit = written.commit
    outcome.changed_paths = written.changed_paths
    if index is not None and base_tree is not None and written.commit is not None:
        follow(ws, index, base_tree, written.commit)
    if prints is not None:
        left = ws.store.subtree_id(written.commit, ws.prefix) if written.commit else tree
        _keep_note(
            ws, request.method, prints, quick, left, (before, incoming, new_plan, scope[0]), written.changed_paths
        )
    return outcome


def _iglu_names(before: LoadedPlan, incoming: Incoming) -> Plan:
    """Iglu schemas under the names of the plan's events they are: an Iglu name has no spaces."""
    if incoming.format not in ("snowplow", "snowplow-ds"):
        return incoming.plan
    from trackplan.formats.snowplow import DEFAULT_VENDOR, plan_names

    paths, vendor = before.event_paths, str(before.settings.get("vendor") or DEFAULT_VENDOR)
    return plan_names(incoming.plan, paths, lambda name: before.document(paths[name]), vendor)


def _whole_plan(prints: Split, plan_events: int) -> bool:
    """Whether a file may be a whole-plan export, the only import a note serves: it holds at
    least half as many events as the plan (a one-event file into a server's plan is not)."""
    return len(prints.raws) * 2 >= plan_events


def _keep_note(
    ws: Workspace,
    method: str,
    prints: Split,
    quick: Incremental | None,
    left: str | None,
    full: tuple[LoadedPlan, Incoming, Plan, str],
    changed_paths: tuple[str, ...],
) -> None:
    """Keep the note of the import that left the tree `left` by writing `changed_paths`: the
    quick path's, updated, or the `full` import's (the plan before, the file read, the plan
    after, the property model)."""
    if left is None:
        return
    if quick is not None:
        remember(ws, left, prints.format, method, rewritten(ws, quick.note, left, changed_paths))
        return
    before, incoming, plan, scope = full
    if not _whole_plan(prints, len(before.event_paths)):
        return
    files = files_after(ws, before, left, changed_paths)
    remember(ws, left, prints.format, method, note_of(prints, incoming, plan, scope, files))

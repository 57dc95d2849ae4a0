"""The export use case: an `ExportRequest` (a ref or the work tree, filters, a format) becomes
`Rendered` bytes or files, written by `write_output`.

The formats registry writes every format; the whole-plan avo-json export is assembled from
the cache instead (avo_json_cache.py). Read-only: nothing in the repository changes (the
caches aside). A whole output of a commit is kept as a file (outputs.py), so exporting
the same tree with the same options again is a copy. Output is deterministic: the same ref, format and options always
give the same bytes. JSON keeps the key order each format documents; events come sorted by
name.
"""

from __future__ import annotations

import contextlib
import re
import sys
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from trackplan.errors import InputError, TrackplanError
from trackplan.exporting.outputs import KeptOutputs, copy_file, output_key
from trackplan.formats import EXPORT_FORMATS, FORMATS, Format
from trackplan.repo.browse import event_named
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:  # a warm export loads neither the model nor the formats' code
    from trackplan.model import Plan
    from trackplan.repo.workspace import Workspace

DOCS_FORMATS = ("markdown", "html")
"""The formats whose output names the exported commit, not only its tree."""

Progress = Callable[[int, str], None]
"""Told the count so far and what is counted, step by step: events read, events rendered, files written."""


@dataclass(frozen=True)
class ExportRequest:
    ref: str = "HEAD"
    to: str = "avo-json"
    sources: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    events: tuple[str, ...] = ()
    changed_since: str | None = None
    vendor: str | None = None
    all_versions: bool = False


@dataclass
class Rendered:
    data: bytes = b""
    files: dict[str, bytes] = field(default_factory=dict)  # a folder layout (snowplow -o DIR)
    removed_events: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def label_for(ws: Workspace, ref: str) -> str:
    return label_of(ref, ws.store.current_branch() if ref == "HEAD" else None)


def label_of(ref: str, branch: str | None) -> str:
    """The name an export gives the plan at `ref`; `branch`: the one HEAD is on, if any."""
    if ref == WORKTREE:
        return "worktree"
    if ref == "HEAD":
        return branch or ref
    return ref


def _filter(plan: Plan, request: ExportRequest, strict: bool = True) -> Plan:
    """The events matching every filter (AND). `strict`: an unknown source or tag is an error
    listing the known ones (an older ref, read for --changed-since, is not strict)."""

    def check(kind: str, wanted: tuple[str, ...], known: set[str]) -> None:
        unknown = [w for w in wanted if w not in known]
        if unknown:
            listing = ", ".join(sorted(known)) or "none"
            raise InputError(f"unknown {kind} {', '.join(map(repr, unknown))}; known {kind}s: {listing}")

    if strict:
        check("source", request.sources, {s for e in plan.events for s in e.sources} | set(plan.settings.source_names))
        check("tag", request.tags, {t for e in plan.events for t in e.tags})
    events = [
        e
        for e in plan.events
        if all(s in e.sources for s in request.sources)
        and all(t in e.tags for t in request.tags)
        and (not request.events or e.name in request.events)
    ]
    return plan.replace(events=tuple(events))


def changed_since(ws: Workspace, base_ref: str, head: Plan, request: ExportRequest) -> tuple[Plan, list[str]]:
    """Avo's changedEventsOnly between two refs: events whose content changed (or that are
    new), and the names of events deleted or no longer matching the filters."""
    base = _filter(ws.load(base_ref).plan, request, strict=False)
    base_events = base.event_map()
    base_ids = {e.id: e for e in base.events if e.id}
    changed = [e for e in head.events if base_events.get(e.name) != e and (not e.id or base_ids.get(e.id) != e)]
    head_names = {e.name for e in head.events}
    head_ids = {e.id for e in head.events if e.id}
    removed = sorted(e.name for e in base.events if e.name not in head_names and not (e.id and e.id in head_ids))
    return head.replace(events=tuple(changed)), removed


def render(ws: Workspace, request: ExportRequest, folder: bool = False, progress: Progress | None = None) -> Rendered:
    """The export `request` asks for; `folder`: as files, when the format writes a folder.
    `progress` is told each step's count; a kept output is copied without telling it."""
    fmt = FORMATS.get(request.to)
    if fmt is None or fmt.write is None:
        raise InputError(f"unknown export format {request.to!r}; use one of {', '.join(EXPORT_FORMATS)}")
    label = label_for(ws, request.ref)
    as_files = folder and fmt.write_folder is not None
    key = None if as_files else _output_key(ws, request, label)
    kept = _kept_outputs(ws.store.git_dir)
    data = kept.read(key) if key is not None else None
    if data is not None:
        return Rendered(data=data)
    out = _render(ws, request, fmt, label, as_files, progress)
    if key is not None:
        kept.write(key, out.data)
    return out


def _kept_outputs(git_dir: Path) -> KeptOutputs:
    return KeptOutputs(git_dir / "trackplan" / "exports")


def _output_key(ws: Workspace, request: ExportRequest, label: str) -> str | None:
    """The name of the kept output of a request, from the plan's tree and every option; None
    for the work tree and --changed-since, whose output depends on more than one tree."""
    if request.ref == WORKTREE or request.changed_since is not None:
        return None
    commit = ws.store.resolve(request.ref)
    tree = ws.store.subtree_id(commit, ws.prefix)
    if tree is None:
        return None
    return _request_key(tree, commit, request, label)


def _request_key(tree: str, commit: str | None, request: ExportRequest, label: str) -> str:
    options = [request.sources, request.tags, request.events, request.vendor, request.all_versions]
    return output_key(tree, [request.to, label, *options, commit if request.to in DOCS_FORMATS else None])


def copy_kept_output(
    cwd: Path,
    plan_dir: Path | None,
    request: ExportRequest,
    output: str | None,
    stdout: BinaryIO,
    compress: bool = False,
) -> bool:
    """Copy the output kept for `request` to the file `output` names (`output_target`) or to
    `stdout`, found without opening the repository (no pygit2, no plan file read): True if
    there was one. `compress`: its gzip, as `write_output` makes it, kept beside it the first
    time. `cwd` and `plan_dir` find the plan as `Workspace` does. A ref
    `revisions.folder_at` does not read is left to `render`, which raises any error."""
    from trackplan.repo.git.revisions import folder_at
    from trackplan.repo.workspace import plan_root

    if request.ref == WORKTREE or request.changed_since is not None:
        return False
    try:
        root = plan_root(cwd, plan_dir)
    except TrackplanError:
        return False
    at = folder_at(root, request.ref, with_branch=request.ref == "HEAD")
    if at is None:
        return False
    key = _request_key(at.object_id, at.commit, request, label_of(request.ref, at.branch))
    kept = _kept_outputs(at.git_dir)
    file = kept.file(_gzip_key(key) if compress else key)
    if file is None and compress:
        file = _kept_gzip(kept, key)
    if file is None:
        return False
    if output in (None, "-"):
        return copy_file(file, stdout)
    target = output_target(root, at.git_dir, Path(output))
    try:
        data = file.read_bytes()
    except OSError:  # dropped by another process since it was found
        return False
    _write(target, data)
    return True


def _gzip_key(key: str) -> str:
    """The name of the gzip of the output kept as `key`: Python's and zlib's versions are part
    of it, since another gzip module or zlib may compress the same bytes otherwise."""
    import zlib

    return f"{key}-gzip-{sys.version_info[0]}.{sys.version_info[1]}-{zlib.ZLIB_RUNTIME_VERSION}"


def _kept_gzip(kept: KeptOutputs, key: str) -> Path | None:
    """The gzip of the output kept as `key`, compressed from it and kept; None without it."""
    data = kept.read(key)
    if data is None:
        return None
    kept.write(_gzip_key(key), _compressed(data, True))
    return kept.file(_gzip_key(key))


def _render(
    ws: Workspace, request: ExportRequest, fmt: Format, label: str, as_files: bool, progress: Progress | None
) -> Rendered:
    """The export rendered from the plan: `fmt`'s writer, or cached avo-json pieces for the whole plan."""
    from trackplan.formats.base import WriteOptions
    from trackplan.trackingplans.files import read_tracking_plans

    assert fmt.write is not None
    loaded = ws.load(request.ref)
    if progress is not None:  # the events listed; rendering parses each as it goes
        progress(len(loaded.event_paths), "events read")
    request = replace(request, events=tuple(event_named(loaded.event_paths, e, request.ref) for e in request.events))
    if request.to == "avo-json" and not (request.sources or request.tags or request.events or request.changed_since):
        # Imported here: only this path needs the avo-json code.
        from trackplan.exporting.avo_json_cache import avo_json_from_fragments

        return Rendered(data=avo_json_from_fragments(ws, loaded, label, progress))
    plan = _filter(loaded.plan, request)
    if progress is not None:
        progress(0, "events rendered")
    out = Rendered()
    if request.changed_since is not None:
        plan, out.removed_events = changed_since(ws, request.changed_since, plan, request)
    listed_removed = request.changed_since is not None and fmt.carries_removed
    options = WriteOptions(
        label=label,
        commit=None if request.ref == WORKTREE else ws.store.resolve(request.ref),
        source=request.sources[0] if len(request.sources) == 1 else None,
        vendor=request.vendor,
        removed_events=out.removed_events if listed_removed else None,
        all_versions=request.all_versions,
        tracking_plans=tuple(f.plan for f in read_tracking_plans(ws, request.ref)) if fmt.tracking_plans else (),
    )
    if request.changed_since is not None and (as_files or not listed_removed) and out.removed_events:
        out.notes.append(f"removed since {request.changed_since}: {', '.join(out.removed_events)}")
    if as_files:  # a folder has no place for removedEvents: the note says them
        assert fmt.write_folder is not None
        out.files = fmt.write_folder(plan, options)
    else:
        out.data = fmt.write(plan, options)
    if progress is not None:
        progress(len(plan.events), "events rendered")
    return out


def write_output(
    ws: Workspace, rendered: Rendered, output: str | None, compress: bool, stdout: Any, progress: Progress | None = None
) -> list[str]:
    """Write to a file, a folder (Iglu layout) or stdout; gzip is deterministic (mtime 0).
    Every target is checked before anything is written (see `output_target`); `progress` is
    told the files of a folder written so far. Returns the files of the folder's previous
    export that this one no longer writes, removed (folders.py says which ones may go)."""
    if rendered.files:
        assert output is not None
        if compress:
            raise InputError(f"-o {output}: --gzip compresses one file; a folder export is written as it is")
        return _write_folder(ws, Path(output), rendered.files, progress)
    data = _compressed(rendered.data, compress)
    if output in (None, "-"):
        stdout.write(data)
        stdout.flush()
    else:
        _write(output_target(ws.root, ws.store.git_dir, Path(output)), data)
    return []


def _write_folder(ws: Workspace, folder: Path, files: dict[str, bytes], progress: Progress | None) -> list[str]:
    """Write the files, then remove those the folder's previous export wrote and this one does not."""
    from trackplan.exporting.folders import FolderRecord, content_digest, remove_stale

    targets = folder_targets(ws, folder, files)
    top = folder.resolve()
    record = FolderRecord(ws.store.git_dir, top)
    with record.locked():
        before = record.written()
        for written, (target, data) in enumerate(targets, 1):
            _write(target, data)
            if progress is not None:
                progress(written, "files written")
        now = {path: content_digest(data) for path, data in files.items()}
        removed = remove_stale(top, before, set(now), lambda path: _may_write(ws, folder, top, path))
        with contextlib.suppress(OSError):  # a read-only .git: the export is written, only the list is not
            record.keep(now)
    return removed


def _compressed(data: bytes, compress: bool) -> bytes:
    if not compress:
        return data
    import gzip  # loaded for --gzip only

    return gzip.compress(data, mtime=0)


def _write(target: Path, data: bytes) -> None:
    from trackplan.repo.atomic import atomic_write  # tempfile: not needed to write to stdout

    try:
        atomic_write(target, data)
    except OSError as exc:  # a full disk, a read-only folder: the old file is still whole
        raise InputError(f"-o {target}: cannot write: {exc.strerror or exc}") from None


def output_target(root: Path, git_dir: Path, output: Path) -> Path:
    """The file `-o` names, refused when writing it would damage something: a path inside a
    .git folder, a file of the plan at `root` (trackplan.yaml, an event), anything but a
    regular file (a folder, a FIFO, a device), or a symlink (name its target to write there
    on purpose)."""
    where = output.absolute()
    if where.is_symlink():
        raise InputError(f"-o {output}: is a symlink; to write through it, name its target ({where.resolve()})")
    if where.exists() and not where.is_file():
        kind = "a folder" if where.is_dir() else "not a regular file"
        raise InputError(f"-o {output}: is {kind}; name a file to write (only {_folder_formats()} write folders)")
    _refuse_protected(root, git_dir, output, where.resolve())
    return where


def _folder_formats() -> str:
    return ", ".join(f"--to {name}" for name, fmt in sorted(FORMATS.items()) if fmt.write_folder is not None)


def _refuse_protected(root: Path, git_dir: Path, output: Path, resolved: Path) -> None:
    from trackplan.repo.paths import CONTEXTS_DIR, EVENTS_DIR, TRACKING_PLANS_DIR, is_plan_file

    if ".git" in resolved.parts or resolved.is_relative_to(git_dir):
        raise InputError(f"-o {output}: is inside a .git folder; write the export elsewhere")
    inside = resolved.relative_to(root).parts if resolved.is_relative_to(root) else ()
    if inside and (is_plan_file("/".join(inside)) or inside[0] in (EVENTS_DIR, CONTEXTS_DIR, TRACKING_PLANS_DIR)):
        raise InputError(f"-o {output}: is a file of the plan; write the export elsewhere")


SAFE_PART = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*")


def folder_targets(ws: Workspace, folder: Path, files: dict[str, bytes]) -> list[tuple[Path, bytes]]:
    """Where each file of a folder export goes, all checked first: a path made from plan data
    (an Iglu vendor, schema name or version) must be plain names that stay inside `folder`."""
    top = folder.resolve()
    _refuse_protected(ws.root, ws.store.git_dir, folder, top)
    return [(_folder_target(ws, folder, top, path), data) for path, data in sorted(files.items())]


def _folder_target(ws: Workspace, folder: Path, top: Path, path: str) -> Path:
    """Where the export's file `path` goes inside `folder` (resolved: `top`), or an InputError."""
    parts = path.split("/")
    target = top.joinpath(*parts)
    if not all(SAFE_PART.fullmatch(part) and part.strip(".") for part in parts):
        raise InputError(
            f"-o {folder}: the export path {path!r} (from an event's vendor, x-schema-name or x-version) "
            "is not a plain relative path; nothing was written"
        )
    if not target.resolve().is_relative_to(top) or (target.exists() and not target.is_file()):
        raise InputError(f"-o {folder}: {path} would not be a regular file inside {folder}; nothing was written")
    # `-o events/` must not write events
    _refuse_protected(ws.root, ws.store.git_dir, Path(folder, path), target.resolve())
    return target


def _may_write(ws: Workspace, folder: Path, top: Path, path: str) -> bool:
    """Whether an export may write `path` in `folder`, as `folder_targets` checks it."""
    try:
        _folder_target(ws, folder, top, path)
    except InputError:
        return False
    return True

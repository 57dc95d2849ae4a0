"""What the HTTP API does, without HTTP: import into a branch, export or document a branch.

Imports go through `importing.run.run_import`, so they pass the same guards, commit by the same
compare-and-swap and carry the same trailers as the CLI, plus one naming the service account.
Imports to one branch are serialised in the process; a writer outside it (the CLI) is met by
the compare-and-swap, which the import core retries a few times; then the answer is 409.
Exports render through `exporting.run.render`; a rendering is kept by its ETag (commit and
parameters), so a warm export costs a lookup.
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import orjson

from trackplan.errors import (
    ConcurrentUpdateError,
    DirtyWorktreeError,
    InputError,
    MergedBranchError,
    ProtectedBranchError,
    RefError,
    TrackplanError,
)
from trackplan.exporting.run import ExportRequest, render
from trackplan.formats import FORMATS
from trackplan.formats.base import InputFile
from trackplan.importing.run import ImportRequest, run_import
from trackplan.repo.cache import EventMemo
from trackplan.repo.workspace import Workspace
from trackplan.serving.branches import Branch, find_branch, is_valid_name, main_branch
from trackplan.serving.config import WORKSPACE_ID, ServeConfig
from trackplan.serving.idempotency import Answer, IdempotencyStore

log = logging.getLogger("trackplan.serving")

IMPORT_METHODS = ("addOnly", "addAndUpdate", "addUpdateAndRemove")
MAX_JSON_DEPTH = 64
_RENDER_CACHE = 32


class ApiError(Exception):
    """An answer other than success: the status and the reference's `{message, warnings}` body."""

    def __init__(self, status: int, message: str, warnings: list[str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.warnings = warnings or []


def status_for(exc: TrackplanError) -> int:
    """The HTTP status of the project's error classes (the reference's error table)."""
    if isinstance(exc, ProtectedBranchError):
        return 403
    if isinstance(exc, MergedBranchError | ConcurrentUpdateError | DirtyWorktreeError):
        return 409
    if isinstance(exc, RefError):
        return 404
    if isinstance(exc, InputError):
        return 400
    return 500


@dataclass(frozen=True)
class ImportCall:
    workspace: str
    branch: str
    data: bytes
    media_type: str  # text/csv or application/json
    method: str
    account: str
    idempotency_key: str | None = None


@dataclass(frozen=True)
class ExportCall:
    workspace: str
    branch: str
    fmt: str  # a trackplan export format: avo-json, snowplow, ndjson or html
    vendor: str | None = None
    changed_only: bool = False


@dataclass
class Export:
    """A rendering, kept by its ETag; compressed once, for the first client that accepts gzip."""

    data: bytes
    etag: str | None
    not_modified: bool = False
    _gzipped: bytes | None = None

    def gzipped(self) -> bytes:
        if self._gzipped is None:
            self._gzipped = gzip.compress(self.data, 6, mtime=0)
        return self._gzipped


class Service:
    def __init__(self, config: ServeConfig) -> None:
        self.config = config
        self.idempotency = IdempotencyStore(config.state_dir)
        self._local = threading.local()
        # One memo of built events per workspace, shared by its handles in every thread.
        self._memos = {ws_id: EventMemo() for ws_id in config.workspaces}
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._locks_guard = threading.Lock()
        self._rendered: OrderedDict[str, Export] = OrderedDict()
        self._rendered_guard = threading.Lock()

    # -- workspaces and branches ---------------------------------------------------------------
    def workspace(self, ws_id: str) -> Workspace:
        """This thread's handle on a workspace (git and sqlite handles stay in one thread)."""
        if not WORKSPACE_ID.fullmatch(ws_id) or ws_id not in self.config.workspaces:
            raise ApiError(404, "Workspace not found")
        opened: dict[str, Workspace] = self._local.__dict__.setdefault("workspaces", {})
        if ws_id not in opened:
            opened[ws_id] = self.config.workspaces[ws_id].open(self._memos[ws_id])
        return opened[ws_id]

    def branch(self, ws: Workspace, segment: str) -> Branch:
        if not is_valid_name(segment):
            raise ApiError(400, "Invalid branch id: control characters, '..' and git's reserved characters are refused")
        found = find_branch(ws, segment)
        if found is None:
            raise ApiError(404, "Branch not found")
        return found

    @contextmanager
    def _branch_lock(self, ws_id: str, branch: str) -> Iterator[None]:
        with self._locks_guard:
            lock = self._locks.setdefault((ws_id, branch), threading.Lock())
        with lock:
            yield

    # -- import --------------------------------------------------------------------------------
    def import_plan(self, call: ImportCall) -> dict[str, Any]:
        ws = self.workspace(call.workspace)
        branch = self.branch(ws, call.branch)
        fmt = _import_format(call)
        digest = hashlib.sha256(b"%s\0%s\0%s\0" % (branch.name.encode(), call.method.encode(), call.data)).hexdigest()
        with self._branch_lock(call.workspace, branch.name):
            if call.idempotency_key is not None:
                replayed = self._replay(call, digest)
                if replayed is not None:
                    return replayed
            answer = self._import(ws, branch.name, fmt, call)
            if call.idempotency_key is not None:
                body = _json_bytes(answer)
                self.idempotency.put(call.account, call.idempotency_key, Answer(digest, 200, body))
        return answer

    def _replay(self, call: ImportCall, digest: str) -> dict[str, Any] | None:
        assert call.idempotency_key is not None
        stored = self.idempotency.get(call.account, call.idempotency_key)
        if stored is None:
            return None
        if stored.request_digest != digest:
            raise ApiError(409, "Idempotency-Key was already used for a different request")
        replayed: dict[str, Any] = orjson.loads(stored.body)
        return replayed

    def _import(self, ws: Workspace, branch: str, fmt: str, call: ImportCall) -> dict[str, Any]:
        """One import through the CLI's core; it retries a branch another writer moved, then
        raises ConcurrentUpdateError (a 409)."""
        name = "import-api.csv" if fmt == "avo-csv" else "import-api.json"
        trailer = f"Trackplan-Service-Account: {call.account}"
        request = ImportRequest(call.data, name, fmt, call.method, branch=branch, trailers=(trailer,))
        result = run_import(ws, request).result
        return {"message": "Import completed", "result": result.counts(), "warnings": list(result.warnings)}

    # -- export --------------------------------------------------------------------------------
    def export(self, call: ExportCall, if_none_match: str | None = None) -> Export:
        """The rendering; one without data, `not_modified`, when `if_none_match` names it (a 304)."""
        ws = self.workspace(call.workspace)
        branch = self.branch(ws, call.branch)
        base = None
        if call.changed_only:
            if branch.is_main:
                raise ApiError(400, "changedEventsOnly is not supported on the main branch")
            main_head = ws.store.branch_head(main_branch(ws))
            base = (ws.store.merge_base(branch.head, main_head) if main_head else None) or main_head
        key = f"{call.workspace}\0{branch.name}\0{branch.head}\0{call.fmt}\0{call.vendor}\0{base}"
        etag = '"' + hashlib.sha256(key.encode()).hexdigest()[:32] + '"'
        if if_none_match is not None and {etag, "*"} & {t.strip() for t in if_none_match.split(",")}:
            return Export(b"", etag, not_modified=True)
        with self._rendered_guard:
            kept = self._rendered.get(etag)
        if kept is not None:
            return kept
        # By name, so the document is titled with the branch; a commit landing meanwhile
        # leaves the rendering without an ETag.
        request = ExportRequest(ref=branch.name, to=call.fmt, vendor=call.vendor, changed_since=base)
        data = render(ws, request).data
        if ws.store.branch_head(branch.name) != branch.head:
            return Export(data, None)
        exported = Export(data, etag)
        with self._rendered_guard:
            self._rendered[etag] = exported
            while len(self._rendered) > _RENDER_CACHE:
                self._rendered.popitem(last=False)
        return exported


def _import_format(call: ImportCall) -> str:
    """avo-csv for CSV; for JSON the standard JSON Schema shape, else Avo's export (the
    reference's detection: schema.events wins over events)."""
    if call.media_type == "text/csv":
        return "avo-csv"
    source = InputFile(call.data, "request body")
    try:
        doc = source.json
    except InputError as exc:
        raise ApiError(400, f"Unparsable body: {exc}") from None
    if _nesting_depth(doc) > MAX_JSON_DEPTH:
        raise ApiError(400, f"Invalid JSON Schema structure: nested deeper than {MAX_JSON_DEPTH} levels")
    for fmt in ("jsonschema", "avo-json"):
        detect = FORMATS[fmt].detect
        if detect is not None and detect(source):
            return fmt
    raise ApiError(400, "Invalid JSON Schema structure: expected schema.events (an object) or events (an array)")


def _nesting_depth(doc: Any) -> int:
    deepest, stack = 0, [(doc, 1)]
    while stack:
        value, depth = stack.pop()
        if isinstance(value, dict | list):
            deepest = max(deepest, depth)
            if depth <= MAX_JSON_DEPTH:
                stack.extend((child, depth + 1) for child in (value.values() if isinstance(value, dict) else value))
    return deepest


def _json_bytes(doc: Any) -> bytes:
    return orjson.dumps(doc)

"""A plan inside a git repository: find it, load it at any ref, commit changes to it.

This joins the git store, the plan's files (paths, reading, writing) and the blob cache. The
work tree counts as a ref (`WORKTREE`), so uncommitted edits can be read like any commit; a
base ref missing from a shallow clone is fetched (`resolve_base`).

Reading, writing, YAML and the cache are imported on first use: a command that only
resolves refs (a warm export) starts without them; pygit2 is loaded when a Workspace is made,
so finding a plan (`plan_root`) and reading its work-tree settings (`worktree_settings`) can
do without it.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from trackplan.errors import ConcurrentUpdateError, InputError, PlanNotFoundError, RefError
from trackplan.memory import building
from trackplan.repo import plan_folder
from trackplan.repo.git.objects import hash_blob
from trackplan.repo.parallel import PARALLEL_MIN, parse_all
from trackplan.repo.paths import (
    CONTEXTS_DIR,
    EVENTS_DIR,
    GROUP_FILE,
    IDENTIFY_FILE,
    SETTINGS_FILE,
    is_event_file,
    is_plan_file,
)
from trackplan.repo.refs import WORKTREE

if TYPE_CHECKING:
    from trackplan.model import Plan, Settings
    from trackplan.repo.cache import BlobCache, EventMemo
    from trackplan.repo.reading import LoadedPlan


def find_plan_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding trackplan.yaml."""
    found = plan_folder.nearest(os.fspath(start))
    if found is None:
        raise PlanNotFoundError(
            f"no {SETTINGS_FILE} in {start.resolve()} or its parents; run `trackplan init` or pass --plan-dir"
        )
    return Path(found)


def plan_root(cwd: Path, plan_dir: Path | None) -> Path:
    """The plan's folder: `plan_dir` (from `cwd`), else the nearest one at or above `cwd`."""
    if plan_dir is None:
        return find_plan_root(cwd)
    root = (cwd / plan_dir).resolve()
    if not root.is_dir():
        raise PlanNotFoundError(f"--plan-dir {plan_dir}: no such folder")
    return root


def blob_cache(git_dir: Path) -> BlobCache:
    """The parsed-blob cache of the repository at `git_dir`."""
    from trackplan.repo.cache import BlobCache, cache_file

    return BlobCache(cache_file(git_dir))


def worktree_bytes(root: Path, path: str) -> bytes | None:
    """The bytes of a plan file in the work tree; None for no such file, or a symlink (it is
    not followed, it could lead out of the plan: git commits the link itself)."""
    file = root / path
    if file.is_file() and file.resolve() == file and is_plan_file(path):
        return file.read_bytes()
    return None


def parse_cached(cache: BlobCache, path: str, blob_id: str, read: Callable[[str], bytes]) -> Any:
    """One parsed plan file by blob id, through the cache; `read` gives a blob's bytes."""
    doc = cache.get_many([blob_id]).get(blob_id)
    if doc is None:
        from trackplan.repo.reading import parse_document

        doc = parse_document(read(blob_id), path)
        cache.put(blob_id, doc)
    return doc


def worktree_settings(root: Path, cache: BlobCache) -> Settings:
    """trackplan.yaml of the work tree, through the cache."""
    from trackplan.repo import reading

    data = worktree_bytes(root, SETTINGS_FILE)
    if data is None:
        return reading.settings_from(None)
    return reading.settings_from(parse_cached(cache, SETTINGS_FILE, hash_blob(data), lambda _: data), lambda: data)


T = TypeVar("T")
WRITE_ATTEMPTS = 8
"""How often a write that lost the compare-and-swap to another writer is prepared again."""


def retried(write: Callable[[], T], attempts: int = WRITE_ATTEMPTS) -> T:
    """`write()`, run again from the start (on the branch's new head, merging again) while
    another writer moves the branch first; the last refusal is raised. A short random pause
    between attempts keeps writers that collided from colliding again."""
    import random  # only a lost race waits

    for attempt in range(attempts - 1):
        try:
            return write()
        except ConcurrentUpdateError:
            time.sleep(random.uniform(0, 0.05 * 2**attempt))
    return write()


@dataclass(frozen=True)
class WriteResult:
    commit: str | None
    branch: str
    changed_paths: tuple[str, ...]
    warnings: tuple[str, ...] = ()


class Workspace:
    """The plan found at `plan_dir` (or above `cwd`) and the repository holding it. A server
    passes one `memo` to every handle on the same repository, so built events outlive requests;
    a command that reads a plan once has no use for one."""

    def __init__(self, cwd: Path, plan_dir: Path | None = None, memo: EventMemo | None = None) -> None:
        from trackplan.repo.git.store import GitStore

        root = plan_root(cwd, plan_dir)
        self.root = root
        self.store = GitStore(root)
        workdir = self.store.workdir or root
        prefix = os.path.relpath(root, workdir)
        if prefix.startswith(".."):
            raise PlanNotFoundError(f"{root} is outside the repository at {workdir}")
        self.prefix = "" if prefix == "." else Path(prefix).as_posix()
        self.memo = memo
        self._worktree_data: dict[str, bytes] = {}
        """The bytes of the work-tree files last listed, by blob id (they are in no object database)."""

    @cached_property
    def cache(self) -> BlobCache:
        return blob_cache(self.store.git_dir)

    # -- paths --------------------------------------------------------------------------------
    @property
    def path_prefix(self) -> str:
        """What turns a plan path into a path from the repository root: "" or "folder/"."""
        return f"{self.prefix}/" if self.prefix else ""

    def repo_path(self, plan_path: str) -> str:
        return f"{self.path_prefix}{plan_path}"

    # -- refs ---------------------------------------------------------------------------------
    def resolve_base(self, base_ref: str) -> str:
        """The commit of the ref a change is compared with; if this clone lacks it (a shallow
        CI checkout), it is fetched from origin first."""
        try:
            return self.store.resolve(base_ref)
        except RefError:
            from trackplan.repo.git import remote

            return remote.fetch_base(self.store, self.root, base_ref)

    def resolve_main(self, branch: str) -> str:
        """The commit of the plan's main branch; in a clone without a local one (cloned with a
        feature branch checked out), origin's, as buf's `--against '.git#branch=main'` does."""
        try:
            return self.store.resolve(branch)
        except RefError:
            try:
                return self.store.resolve(f"origin/{branch}")
            except RefError:
                raise RefError(f"unknown ref {branch!r} (the plan's main_branch), nor origin/{branch}") from None

    # -- reading ------------------------------------------------------------------------------
    def plan_blobs(self, ref: str) -> dict[str, str]:
        """{plan path: blob id} for the plan files at a ref (or the work tree)."""
        if ref == WORKTREE:
            return self._worktree_blobs()
        commit = self.store.resolve(ref)
        tree = self.store.subtree_id(commit, self.prefix)
        return {p: b for p, b in self.store.list_tree(tree).items() if is_plan_file(p)}

    def plan_not_files(self, ref: str) -> dict[str, str]:
        """{plan path: "symlink" or "submodule"} for the entries at a ref that are named like
        plan files but hold none: every verb passes them by, so validate names them."""
        if ref == WORKTREE:
            return {}
        tree = self.store.subtree_id(self.store.resolve(ref), self.prefix)
        return {p: kind for p, kind in self.store.not_files(tree).items() if is_plan_file(p)}

    def _worktree_blobs(self) -> dict[str, str]:
        """The plan files of the work tree. As `git status` does, a file whose index entry
        the stat cache vouches for is not read: its blob id is the index's. Only the files
        the index cannot vouch for are read and hashed (all of them without an index)."""
        self._worktree_data = {}
        known = self.store.worktree_files(self.path_prefix)
        if known is None:
            return self._hashed_worktree_blobs()
        start = len(self.path_prefix)
        out = {path[start:]: blob for path, blob in known.clean.items() if is_plan_file(path[start:])}
        for unsure in known.unsure:
            path = unsure[start:]
            if not path:  # the whole plan folder is untracked
                return self._hashed_worktree_blobs()
            self._add_unsure(path, out)
        return out

    def worktree_changes(
        self, base: str, listed: Sequence[str]
    ) -> tuple[dict[str, str | None], dict[str, str | None]] | None:
        """{plan path: blob id or None} on each side, for the plan files that differ from
        `base` to the work tree, given the paths `git status` lists (from the plan folder):
        only those, and the files that differ from `base` to HEAD, are looked at, where
        `_worktree_blobs` lists every file of both. None when the plan folder itself is
        untracked (git lists nothing inside it)."""
        if "" in listed:
            return None
        self._worktree_data = {}
        base_tree = self.store.subtree_id(self.store.resolve(base), self.prefix)
        head_tree = self.store.subtree_id(self.store.resolve("HEAD"), self.prefix)
        committed = {path: new for path, _, new in self.store.diff_trees(base_tree, head_tree)}
        on_disk: dict[str, str] = {}
        from_disk: set[str] = set()  # the paths whose work-tree side is the file on disk, or none
        for path in listed:
            from_disk.update(self._add_unsure(path, on_disk))
        paths = {p for p in committed.keys() | from_disk if is_plan_file(p)}
        old = self.store.files_at(base_tree, paths)
        new = {p: on_disk.get(p) if p in from_disk else committed[p] for p in paths}
        changed = sorted(p for p in paths if old.get(p) != new[p])
        return {p: old.get(p) for p in changed}, {p: new[p] for p in changed}

    def _add_unsure(self, path: str, out: dict[str, str]) -> list[str]:
        """Read a path git status lists (from the plan folder) into `out`: a file, or an
        untracked or ignored folder git did not look inside; the file paths it stands for."""
        if not path.endswith("/"):
            self._add_worktree_file(path, out)
            return [path]
        if not path.startswith((f"{EVENTS_DIR}/", f"{CONTEXTS_DIR}/")):
            return []
        files = [file.relative_to(self.root).as_posix() for file in sorted((self.root / path).glob("**/*"))]
        for file in files:
            self._add_worktree_file(file, out)
        return files

    def _hashed_worktree_blobs(self) -> dict[str, str]:
        out: dict[str, str] = {}
        for path in [SETTINGS_FILE, IDENTIFY_FILE, GROUP_FILE]:
            self._add_worktree_file(path, out)
        for folder, pattern in ((EVENTS_DIR, "**/*"), (CONTEXTS_DIR, "*")):
            directory = self.root / folder
            if directory.is_dir():
                for file in sorted(directory.glob(pattern)):
                    self._add_worktree_file(f"{folder}/{file.relative_to(directory).as_posix()}", out)
        return out

    def _add_worktree_file(self, path: str, out: dict[str, str]) -> None:
        data = worktree_bytes(self.root, path)
        if data is not None:
            blob_id = hash_blob(data)
            self._worktree_data[blob_id] = data
            out[path] = blob_id

    def read_blob(self, blob_id: str) -> bytes:
        data = self._worktree_data.get(blob_id)
        return data if data is not None else self.store.read_blob(blob_id)

    def load(self, ref: str = "HEAD") -> LoadedPlan:
        """The plan at a ref, without a checkout: the index now, the model on first use.
        Titles and parsed documents come from the blob cache."""
        from trackplan.repo import reading

        blobs = self.plan_blobs(ref)
        if ref != WORKTREE and SETTINGS_FILE not in blobs:
            raise PlanNotFoundError(f"no {self.repo_path(SETTINGS_FILE)} at {ref!r}: the plan is not in that commit")
        if self.memo is not None:
            self.memo.loaded()
        titles = self._titles([b for p, b in blobs.items() if is_event_file(p)])
        docs: dict[str, Any] = {}
        missing = sorted((p, b) for p, b in blobs.items() if is_event_file(p) and b not in titles)
        if len(missing) >= PARALLEL_MIN:  # a cold read of a large plan: parse on every core
            parsed = parse_all([(p, self.read_blob(b)) for p, b in missing])
            for (_, blob_id), doc in zip(missing, parsed, strict=True):
                docs[blob_id] = doc
                self.cache.put(blob_id, doc)

        def prefetch() -> None:  # the whole plan is wanted: every cached document not built yet, in one query
            memo = self.memo
            unbuilt = {b for p, b in blobs.items() if memo is None or not memo.has_event(p, b)}
            docs.update(self.cache.get_many(unbuilt - docs.keys()))

        def load_doc(path: str, blob_id: str) -> Any:
            doc = docs.get(blob_id)
            if doc is None:
                doc = docs[blob_id] = self.parsed(path, blob_id)
            return doc

        def title_of(path: str, blob_id: str) -> str | None:
            return titles[blob_id] if blob_id in titles else reading.document_title(load_doc(path, blob_id))

        with building():  # a cold index parses every file
            loaded = reading.LoadedPlan(
                blobs,
                title_of,
                load_doc,
                on_built=self.cache.flush,
                prefetch=prefetch,
                memoized=self.memo.event if self.memo is not None else None,
                read_blob=self.read_blob,
            )
        self.cache.flush()
        return loaded

    def _titles(self, blob_ids: list[str]) -> dict[str, str | None]:
        """The titles the memo or the blob cache knows among `blob_ids`."""
        if self.memo is None:
            return self.cache.get_titles(blob_ids)
        titles = self.memo.titles(blob_ids)
        cached = self.cache.get_titles(b for b in blob_ids if b not in titles)
        self.memo.add_titles(cached)
        return titles | cached

    def settings(self, ref: str) -> Settings:
        """trackplan.yaml alone, at a ref or in the work tree (no other file is read)."""
        from trackplan.repo import reading

        if ref == WORKTREE:
            return worktree_settings(self.root, self.cache)
        blob = self.store.blob_at(self.store.resolve(ref), self.repo_path(SETTINGS_FILE))
        return reading.settings_from(self.parsed(SETTINGS_FILE, blob), lambda: self.read_blob(blob) if blob else b"")

    def parsed(self, path: str, blob_id: str | None) -> Any:
        """One parsed plan file by blob id, through the cache (None for no blob)."""
        if blob_id is None:
            return None
        return parse_cached(self.cache, path, blob_id, self.read_blob)

    def read_text(self, ref: str, path: str) -> str:
        """A plan file's text at a ref; in the work tree, the file itself (a report asks for
        each file it points into: listing the work tree each time would cost a status each)."""
        if ref == WORKTREE:
            data = worktree_bytes(self.root, path)
        else:
            blob = self.plan_blobs(ref).get(path)
            data = None if blob is None else self.read_blob(blob)
        if data is None:
            raise InputError(f"{path}: not in the plan at {ref!r}")
        return data.decode("utf-8", "replace")

    # -- writing ------------------------------------------------------------------------------
    def planned_changes(
        self,
        before: LoadedPlan | None,
        after: Plan,
        docs: dict[str, tuple[Any, bool]] | None = None,
        old_plan: Plan | None = None,
    ) -> tuple[dict[str, bytes | None], list[str]]:
        """The plan files whose bytes really change from `before` to `after`: {path: bytes or
        None to delete}, plus layout warnings. Both dry runs and commits use this; `docs`
        receives the document of each file written. With `old_plan` (part of `before.plan`),
        `after` is the same part changed (see writing.plan_files)."""
        from trackplan.repo import writing

        def read_text(path: str) -> str:
            assert before is not None
            return self.read_blob(before.blob_ids[path]).decode("utf-8", "replace")

        def is_canonical(path: str) -> bool:
            blob = before.blob_ids.get(path) if before is not None else None
            return blob is not None and blob in self.cache.canonical([blob])

        changes, warnings = writing.plan_files(before, after, read_text, docs, is_canonical, old_plan)
        if before is not None:
            old = before.blob_ids
            changes = {p: d for p, d in changes.items() if (p in old if d is None else old.get(p) != hash_blob(d))}
        return changes, warnings

    def commit_plan(
        self,
        branch: str,
        head: str | None,
        before: LoadedPlan | None,
        after: Plan,
        message: str,
        old_plan: Plan | None = None,
        start: str | None = None,
    ) -> WriteResult:
        """Commit the files that turn `before` (read at `head`) into `after` on `branch`. With no
        `head`, the branch is created on `start` by the same compare-and-swap as the commit."""
        docs: dict[str, tuple[Any, bool]] = {}
        changes, warnings = self.planned_changes(before, after, docs, old_plan)
        if not changes:
            return WriteResult(None, branch, (), tuple(warnings))
        repo_changes = {self.repo_path(p): d for p, d in changes.items()}
        commit = self.store.commit_changes(branch, head, repo_changes, message, start)
        # The next read of these blobs needs no parse: their documents are known.
        for path, data in changes.items():
            if data is not None and path in docs:
                self.cache.put(hash_blob(data), *docs[path])
        self.cache.flush()
        return WriteResult(commit, branch, tuple(sorted(changes)), tuple(warnings))

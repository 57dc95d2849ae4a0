"""The git layer: the only module that imports pygit2.

Reads any ref without a checkout and writes commits without one: only changed blobs and
trees are created (unchanged subtrees are reused by id), and the branch moves by
compare-and-swap under git's own ref lock, so two writers never lose each other's work.
Every public function and method turns pygit2's errors (and the KeyError and ValueError it
raises for unknown ids and bad names) into the project's own, so none leaks to a caller.
"""

from __future__ import annotations

import os
import re
import shlex
import stat
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

import pygit2
from pygit2.enums import FileMode, ObjectType

from trackplan.errors import (
    ConcurrentUpdateError,
    DirtyWorktreeError,
    GitError,
    IdentityError,
    RefError,
    RefNameError,
    TrackplanError,
)
from trackplan.repo.git import objects as gitobjects
from trackplan.repo.git import ref_locks


@dataclass(frozen=True)
class CommitInfo:
    id: str
    parents: tuple[str, ...]
    tree: str
    author: str
    time: int
    message: str


def _info(commit: pygit2.Commit) -> CommitInfo:
    return CommitInfo(
        id=str(commit.id),
        parents=tuple(str(p) for p in commit.parent_ids),
        tree=str(commit.tree_id),
        author=f"{commit.author.name} <{commit.author.email}>",
        time=int(commit.commit_time),
        message=commit.message,
    )


LARGE_FOLDER = 40_000
"""Bytes of a tree object (about 1,000 entries) above which a folder comparison is left to libgit2."""
TREES_KEPT = 4096
LISTINGS_KEPT = 2
TREE_CACHE_LIMIT = 1 << 20
FOLDER_ENTRY = gitobjects.TREE_MODE + b" "  # may also match inside an id: that only costs speed
PACK_MIN_OBJECTS = 100
LARGE_TREE_ENTRIES = 1000
"""A folder this large (a flat events/) is kept after a commit, so the next edits it without parsing it."""
SORTED_TREES_KEPT = 4
FILE_MODES = (FileMode.BLOB, FileMode.BLOB_EXECUTABLE)
"""Tree entries that can be plan files: not symlinks (their blob is a path) or submodules."""
FILE_MODE_NAMES = tuple(b"%o" % mode for mode in FILE_MODES)


_FAILURES = (pygit2.GitError, KeyError, ValueError, OSError)
"""What reading or writing a repository raises: pygit2's errors, the KeyError and ValueError
it raises for unknown ids and bad names, and the file system's."""


@contextmanager
def _reraise(error: Callable[[Exception], TrackplanError]) -> Iterator[None]:
    """Raise `error(exc)` from any of _FAILURES; the project's own errors pass through."""
    try:
        yield
    except _FAILURES as exc:
        raise error(exc) from exc


NAME_MAX = 250
"""Bytes of one part of a branch name: the file system's 255, less git's `.lock` suffix."""
CREATED_FROM = re.compile(r"^branch: Created from ([0-9a-f]{40})")


def branch_ref(branch: str) -> str:
    """The full ref name of a branch, refused before anything is written if git would refuse
    it: the rules of `git check-ref-format --branch`, which also refuse a name that reads as an
    option or as HEAD, and a part too long for a file name. A NUL (libgit2 would read "a\\0b"
    as "a") and text that is not UTF-8 (a lone surrogate: argv bytes that are not UTF-8) name
    no branch libgit2 can store."""
    refname = f"refs/heads/{branch}"
    valid = _storable(branch) and pygit2.reference_is_valid_name(refname)
    if branch.startswith("-") or branch == "HEAD" or not valid:
        shown = branch if len(branch) <= 60 else branch[:57] + "..."
        raise RefNameError(f"{shown!r} is not a valid branch name (see git check-ref-format --branch)")
    return refname


def _storable(branch: str) -> bool:
    """No NUL, UTF-8 throughout, and no part longer than a file name allows."""
    try:
        parts = branch.encode("utf-8").split(b"/")
    except UnicodeEncodeError:
        return False
    return "\x00" not in branch and all(len(part) <= NAME_MAX for part in parts)


@dataclass
class Landed:
    """A commit this process moved a branch to; `repair` is the command that brings the work
    tree and index to it when their update did not finish."""

    branch: str
    commit: str
    repair: str | None = None
    time: float = field(default_factory=time.monotonic)


LANDED: deque[Landed] = deque(maxlen=16)
"""The last commits this process made, newest last: what an interrupted command reports."""


def init_repository(path: Path, branch: str) -> GitStore:
    branch_ref(branch)
    with _reraise(lambda exc: GitError(f"{path}: cannot create a git repository: {exc}")):
        pygit2.init_repository(str(path), initial_head=branch)
    return GitStore(path)


class GitStore:
    """A git repository, addressed by refs and paths relative to its root."""

    def __init__(self, path: Path) -> None:
        with _reraise(lambda exc: GitError(f"{path}: cannot open the git repository: {exc}")):
            found = pygit2.discover_repository(str(path))
            if found is None:
                raise GitError(f"{path}: not inside a git repository")
            self.repo = pygit2.Repository(found)
        self.workdir = Path(self.repo.workdir).resolve() if self.repo.workdir else None
        self.git_dir = Path(self.repo.path).resolve()
        self.common_dir = _common_dir(self.git_dir)
        self._raw_trees: dict[str, bytes] = {}
        self._listings: dict[str, dict[str, str]] = {}
        self._not_files: dict[str, dict[str, str]] = {}  # per listed tree: {path: "symlink" or "submodule"}
        self._sorted_trees: dict[bytes, gitobjects.SortedTree] = {}  # large folders this store wrote, by tree id
        # libgit2 keeps parsed trees of up to 4 KB; a folder of 100+ events is larger.
        pygit2.settings.cache_object_limit(ObjectType.TREE, TREE_CACHE_LIMIT)

    # -- refs ---------------------------------------------------------------------------------
    def resolve(self, ref: str) -> str:
        """The commit id a ref names: branch, tag, sha, HEAD~2, remote branch."""
        with _reraise(lambda _: RefError(f"unknown ref {ref!r}")):
            return str(self.repo.revparse_single(ref).peel(pygit2.Commit).id)

    def branch_head(self, branch: str) -> str | None:
        """The commit a branch points at; None for no such branch (or a name git would refuse:
        protected_branches may hold such a name, and it names no branch)."""
        if not _storable(branch):
            return None
        with _reraise(lambda exc: GitError(f"cannot read branch {branch!r}: {exc}")):
            ref = self.repo.references.get(f"refs/heads/{branch}")
            return str(ref.resolve().target) if ref is not None else None

    def branch_names(self) -> list[str]:
        """The local branches, sorted."""
        with _reraise(lambda exc: GitError(f"cannot list the branches: {exc}")):
            return sorted(self.repo.branches.local)

    def ref_names(self) -> list[str]:
        """The names a ref is given by, as git accepts them: local branches, tags and
        remote-tracking branches (`origin/main`), sorted."""
        kinds = ("refs/heads/", "refs/tags/", "refs/remotes/")
        with _reraise(lambda exc: GitError(f"cannot list the refs: {exc}")):
            names = [name for name in self.repo.references if name.startswith(kinds)]
        return sorted({name.split("/", 2)[2] for name in names if not name.endswith("/HEAD")})

    def current_branch(self) -> str | None:
        try:
            if self.repo.head_is_detached:
                return None
            name = str(self.repo.references["HEAD"].target)
        except (KeyError, pygit2.GitError):
            return None  # no HEAD, or one git cannot read: no branch is checked out
        return name.removeprefix("refs/heads/") if name.startswith("refs/heads/") else None

    def is_ancestor(self, ancestor: str, descendant: str) -> bool:
        if ancestor == descendant:
            return True
        with _reraise(lambda _: RefError(f"unknown commit {ancestor!r} or {descendant!r}")):
            return bool(self.repo.descendant_of(descendant, ancestor))

    def merge_base(self, a: str, b: str) -> str | None:
        def unknown(_: Exception) -> RefError:
            if self.repo.is_shallow:  # the history between them was not fetched
                return RefError("the merge base is not in this shallow clone; check out with fetch-depth: 0")
            return RefError(f"unknown commit {a!r} or {b!r}")

        with _reraise(unknown):
            base = self.repo.merge_base(a, b)
        return str(base) if base is not None else None

    def branch_creation_point(self, branch: str) -> str | None:
        """Where the branch was created, from its reflog (None if there is no reflog)."""
        if not _storable(branch):
            return None
        with _reraise(lambda exc: GitError(f"cannot read branch {branch!r}: {exc}")):
            ref = self.repo.references.get(f"refs/heads/{branch}")
        if ref is None:
            return None
        try:
            entries = list(ref.log())
        except pygit2.GitError:
            return None  # an unreadable reflog is treated as none
        if not entries:
            return None
        created = CREATED_FROM.match(entries[-1].message or "")  # created with its first commit
        return created.group(1) if created else str(entries[-1].oid_new)

    # -- reading ------------------------------------------------------------------------------
    def _commit(self, commit_id: str) -> pygit2.Commit:
        return self.repo[commit_id].peel(pygit2.Commit)

    def _tree(self, tree_id: str | pygit2.Oid) -> pygit2.Tree:
        return self.repo[tree_id].peel(pygit2.Tree)

    def subtree_id(self, commit_id: str, prefix: str) -> str | None:
        """The id of the tree at `prefix` in a commit (None if absent)."""
        with _reraise(lambda _: RefError(f"unknown commit {commit_id!r}")):
            tree = self.repo[commit_id].peel(pygit2.Tree)
        if prefix:
            try:
                entry = tree[prefix]
            except KeyError:
                return None
            if entry.type != ObjectType.TREE:
                return None
            return str(entry.id)
        return str(tree.id)

    def blob_at(self, commit_id: str, path: str) -> str | None:
        """The blob id at `path` in a commit, found by path (no listing of the tree)."""
        with _reraise(lambda _: RefError(f"unknown commit {commit_id!r}")):
            tree = self._commit(commit_id).tree
        try:
            entry = tree[path]
        except KeyError:
            return None
        return str(entry.id) if entry.type == ObjectType.BLOB else None

    def files_at(self, tree_id: str | None, paths: Iterable[str]) -> dict[str, str]:
        """{path: blob id} of the regular files among `paths` (relative to a tree), each found
        by path, as `list_tree` would list them: no symlink or submodule. Each folder is read
        once: a lookup by whole path reads every folder on the way, so 100,000 paths into one
        100,000-entry folder would read that folder 100,000 times."""
        if tree_id is None:
            return {}
        out: dict[str, str] = {}
        with _reraise(lambda exc: GitError(f"cannot read tree {tree_id}: {exc}")):
            root = self._tree(tree_id)
            folders: dict[str, pygit2.Tree | None] = {"": root}
            for path in paths:
                folder, _, name = path.rpartition("/")
                if folder not in folders:
                    folders[folder] = self._subtree(root, folder)
                tree = folders[folder]
                try:
                    entry = tree[name] if tree is not None else None
                except KeyError:
                    continue
                if entry is not None and entry.type == ObjectType.BLOB and entry.filemode in FILE_MODES:
                    out[path] = str(entry.id)
        return out

    def _subtree(self, tree: pygit2.Tree, folder: str) -> pygit2.Tree | None:
        try:
            entry = tree[folder]
        except KeyError:
            return None
        return self._tree(entry.id) if entry.type == ObjectType.TREE else None

    def list_tree(self, tree_id: str | None) -> dict[str, str]:
        """Every blob below a tree: {relative path: blob id}. The last listings are kept: a
        diff of the work tree lists HEAD's tree for both sides."""
        if tree_id is None:
            return {}
        listed = self._listings.get(tree_id)
        if listed is None:
            if len(self._listings) >= LISTINGS_KEPT:
                self._listings.clear()
                self._not_files.clear()
            listed = self._listings[tree_id] = self._list_tree(tree_id)
        return dict(listed)

    def not_files(self, tree_id: str | None) -> dict[str, str]:
        """The entries below a tree that `list_tree` leaves out, as no file can be read from
        them: {relative path: "symlink" or "submodule"}."""
        if tree_id is None:
            return {}
        self.list_tree(tree_id)
        return dict(self._not_files[tree_id])

    def _list_tree(self, tree_id: str) -> dict[str, str]:
        out: dict[str, str] = {}
        others = self._not_files[tree_id] = {}
        with _reraise(lambda exc: GitError(f"cannot read tree {tree_id}: {exc}")):
            stack: list[tuple[str, pygit2.Tree]] = [("", self._tree(tree_id))]
            while stack:
                base, tree = stack.pop()
                for entry in tree:
                    path = f"{base}{entry.name}"
                    if entry.type == ObjectType.TREE:
                        stack.append((path + "/", self._tree(entry.id)))
                    elif entry.type == ObjectType.BLOB and entry.filemode in FILE_MODES:
                        out[path] = str(entry.id)
                    else:
                        others[path] = "submodule" if entry.filemode == FileMode.COMMIT else "symlink"
        return out

    def diff_trees(self, old_tree: str | None, new_tree: str | None) -> list[tuple[str, str | None, str | None]]:
        """(path, old blob id, new blob id) for every file that differs between two trees.

        Subtrees with equal ids are skipped without being read, so the cost follows the
        changed folders, not the size of the plan: libgit2's tree diff reads them all.
        Folders with no subfolders, and large ones (a flat events/), are left to libgit2,
        which compares entry lists faster than Python does."""
        out: list[tuple[str, str | None, str | None]] = []

        def libgit2_diff(base: str, old_id: str, new_id: str) -> None:
            for delta in self._tree(old_id).diff_to_tree(self._tree(new_id)).deltas:
                status = delta.status_char()
                a_blob = None if status == "A" or delta.old_file.mode not in FILE_MODES else str(delta.old_file.id)
                b_blob = None if status == "D" or delta.new_file.mode not in FILE_MODES else str(delta.new_file.id)
                if a_blob is None and b_blob is None:
                    continue  # a submodule or a symlink: no plan file either side
                out.append((base + (delta.new_file.path if b_blob else delta.old_file.path), a_blob, b_blob))

        def walk(base: str, old_id: str | None, new_id: str | None) -> None:
            if old_id and new_id and self.repo.odb.read_header(old_id)[1] > LARGE_FOLDER:
                return libgit2_diff(base, old_id, new_id)
            old_raw, new_raw = self._raw_tree(old_id), self._raw_tree(new_id)
            if old_id and new_id and FOLDER_ENTRY not in old_raw and FOLDER_ENTRY not in new_raw:
                return libgit2_diff(base, old_id, new_id)  # no folders to skip: C compares faster
            # Entries as raw (mode, name, id) triples: the set difference is what changed.
            old, new = gitobjects.tree_triples(old_raw), gitobjects.tree_triples(new_raw)
            before = {name: (mode, oid) for mode, name, oid in old - new}
            after = {name: (mode, oid) for mode, name, oid in new - old}
            for raw_name in before.keys() | after.keys():
                name = raw_name.decode("utf-8", "surrogateescape")
                a, b = before.get(raw_name), after.get(raw_name)
                a_tree = a[1].hex() if a is not None and a[0] == gitobjects.TREE_MODE else None
                b_tree = b[1].hex() if b is not None and b[0] == gitobjects.TREE_MODE else None
                if a_tree is not None or b_tree is not None:
                    walk(f"{base}{name}/", a_tree, b_tree)
                a_blob = a[1].hex() if a is not None and a[0] in FILE_MODE_NAMES else None
                b_blob = b[1].hex() if b is not None and b[0] in FILE_MODE_NAMES else None
                if a_blob != b_blob:
                    out.append((f"{base}{name}", a_blob, b_blob))

        with _reraise(lambda exc: GitError(f"cannot compare trees {old_tree} and {new_tree}: {exc}")):
            walk("", old_tree, new_tree)
        return sorted(out)

    def _raw_tree(self, tree_id: str | None) -> bytes:
        """A tree object's bytes, kept: walking history reads each tree twice (as the newer
        side of one diff, then the older side of the next)."""
        if tree_id is None:
            return b""
        raw = self._raw_trees.get(tree_id)
        if raw is None:
            if len(self._raw_trees) >= TREES_KEPT:
                self._raw_trees.clear()
            raw = self._raw_trees[tree_id] = self.repo.odb.read(tree_id)[1]
        return raw

    def read_blob(self, blob_id: str) -> bytes:
        with _reraise(lambda exc: GitError(f"cannot read blob {blob_id}: {exc}")):
            return bytes(self.repo.odb.read(blob_id)[1])

    def iter_commits(self, start: str) -> Iterator[CommitInfo]:
        """Commits from `start` back along first parents (the branch's own history)."""
        commit_id = self.resolve(start)
        with _reraise(lambda exc: GitError(f"cannot read the history of {start!r}: {exc}")):
            walker = self.repo.walk(commit_id, pygit2.enums.SortMode.TOPOLOGICAL)
            walker.simplify_first_parent()
            for commit in walker:
                yield _info(commit)

    # -- writing ------------------------------------------------------------------------------
    def signature(self) -> tuple[pygit2.Signature, pygit2.Signature]:
        """Author and committer from GIT_AUTHOR_*/GIT_COMMITTER_* or git config."""
        config_name = config_email = None
        try:
            config = self.repo.config
            values = {key: config[key] for key in ("user.name", "user.email") if key in config}
            config_name, config_email = values.get("user.name"), values.get("user.email")
        except pygit2.GitError:
            pass

        def make(kind: str) -> pygit2.Signature:
            name = os.environ.get(f"GIT_{kind}_NAME") or config_name
            email = os.environ.get(f"GIT_{kind}_EMAIL") or config_email
            if not name or not email:
                raise IdentityError(
                    "no git identity: set user.name and user.email "
                    "(git config --global user.name 'You'; git config --global user.email you@x)"
                    " or GIT_AUTHOR_NAME/GIT_AUTHOR_EMAIL"
                )
            with _reraise(lambda exc: IdentityError(f"git identity {name} <{email}> cannot be used: {exc}")):
                return pygit2.Signature(name, email)

        return make("AUTHOR"), make("COMMITTER")

    def _build_tree(
        self, tree_id: bytes | None, changes: Mapping[str, bytes | None], new_objects: list[tuple[int, bytes]]
    ) -> bytes | None:
        """A new tree (its 20-byte id): `tree_id` with `changes` ({path: bytes or None})
        applied; the objects to write are added to `new_objects`.

        Only folders on a changed path are rebuilt; every other entry keeps its id.
        Returns None for a tree left empty.
        """
        here: dict[str, bytes | None] = {}
        below: dict[str, dict[str, bytes | None]] = {}
        for path, data in changes.items():
            head, _, rest = path.partition("/")
            if rest:
                below.setdefault(head, {})[rest] = data
            else:
                here[head] = data
        entries = self._sorted_tree(tree_id)
        for name, data in here.items():
            key = name.encode("utf-8", "surrogateescape")
            if data is None:
                entries.remove(key)
            else:
                new_objects.append((gitobjects.BLOB, data))
                entries.put(key, gitobjects.BLOB_MODE, gitobjects.object_id(gitobjects.BLOB, data))
        for name, sub_changes in below.items():
            key = name.encode("utf-8", "surrogateescape")
            existing = entries.get(key)
            sub_id = existing[1] if existing is not None and existing[0] == gitobjects.TREE_MODE else None
            new_sub = self._build_tree(sub_id, sub_changes, new_objects)
            if new_sub is None:
                entries.remove(key)
            else:
                entries.put(key, gitobjects.TREE_MODE, new_sub)
        if not entries:
            return None
        data = entries.raw()
        new_objects.append((gitobjects.TREE, data))
        new_id = gitobjects.object_id(gitobjects.TREE, data)
        if len(entries) >= LARGE_TREE_ENTRIES:  # the next commit on this branch starts from it
            self._sorted_trees[new_id] = entries
            while len(self._sorted_trees) > SORTED_TREES_KEPT:
                del self._sorted_trees[next(iter(self._sorted_trees))]
        return new_id

    def _sorted_tree(self, tree_id: bytes | None) -> gitobjects.SortedTree:
        """The entries of a tree to edit: a copy of a large one built here before, else parsed."""
        kept = self._sorted_trees.get(tree_id) if tree_id else None
        if kept is not None:
            return kept.copy()
        return gitobjects.SortedTree.parse(self._raw_tree(tree_id.hex())) if tree_id else gitobjects.SortedTree([], [])

    def _write_objects(self, objects: list[tuple[int, bytes]]) -> None:
        """Many objects go into one pack (as git keeps a fetched pack of 100 objects or more);
        a few are written loose, as git commit does."""
        if len(objects) >= PACK_MIN_OBJECTS:
            common = self.git_dir / "commondir"  # a linked work tree shares the main objects
            base = (self.git_dir / common.read_text().strip()).resolve() if common.is_file() else self.git_dir
            gitobjects.write_pack(base / "objects" / "pack", objects)
            return
        for kind, data in objects:
            self.repo.odb.write(kind, data)

    def commit_changes(
        self,
        branch: str,
        expected_head: str | None,
        changes: Mapping[str, bytes | None],
        message: str,
        start: str | None = None,
    ) -> str:
        """Commit `changes` (paths from the repo root) on `branch` as one commit.

        `expected_head` is the commit the changes were computed against. None: the branch
        must not exist yet, and is created by the same compare-and-swap, with a first commit
        on `start` (or a root commit), so a failed write leaves no branch behind. The branch
        moves only if it still points there; otherwise ConcurrentUpdateError and nothing
        changes. If the branch is checked out, the work tree and index follow: every obstacle
        (uncommitted edits, a folder or file in the way, a held index lock) is checked before
        the branch moves.
        """
        refname = branch_ref(branch)
        parent = expected_head or start
        with _reraise(lambda exc: GitError(f"cannot write to branch {branch!r}: {exc}")):
            checked_out = self._check_obstacles(branch, parent, changes)
            parent_tree = self._commit(parent).tree_id.raw if parent else None
            new_objects: list[tuple[int, bytes]] = []
            tree_id = self._build_tree(parent_tree, changes, new_objects)
            if tree_id is None:
                new_objects.append((gitobjects.TREE, b""))
                tree_id = gitobjects.object_id(gitobjects.TREE, b"")
        created_from = start if start and not expected_head else None
        parents = [parent] if parent else []
        return self._land(
            refname, expected_head, parents, tree_id.hex(), changes, message, created_from, checked_out, new_objects
        )

    def commit_tree(
        self,
        branch: str,
        expected_head: str,
        parents: list[str],
        tree: str,
        changes: Mapping[str, bytes | None],
        message: str,
    ) -> str:
        """Commit `tree` (already written) with `parents` on `branch`, by the same checks and
        compare-and-swap as commit_changes: `changes` is what the tree changes from
        `expected_head`, which a checked-out work tree follows."""
        refname = branch_ref(branch)
        with _reraise(lambda exc: GitError(f"cannot write to branch {branch!r}: {exc}")):
            checked_out = self._check_obstacles(branch, expected_head, changes)
        return self._land(refname, expected_head, parents, tree, changes, message, None, checked_out, [])

    def _check_obstacles(self, branch: str, parent: str | None, changes: Mapping[str, bytes | None]) -> bool:
        """Whether `branch` is checked out; if so, refuse what would stop its work tree following `changes`."""
        checked_out = self.workdir is not None and self.current_branch() == branch
        if checked_out:
            self._ensure_clean(parent, list(changes))
            self._ensure_writable(changes)
        return checked_out

    def _land(
        self,
        refname: str,
        expected_head: str | None,
        parents: list[str],
        tree: str,
        changes: Mapping[str, bytes | None],
        message: str,
        created_from: str | None,
        checked_out: bool,
        new_objects: list[tuple[int, bytes]],
    ) -> str:
        """Write `new_objects` and the commit, move the branch by compare-and-swap (the reflog
        names `created_from` when that creates it), and bring a checked-out work tree along."""
        branch = refname.removeprefix("refs/heads/")
        with _reraise(lambda exc: GitError(f"cannot write to branch {branch!r}: {exc}")):
            author, committer = self.signature()
            self._write_objects(new_objects)
            message = message.encode("utf-8", "backslashreplace").decode()  # a file name that is not UTF-8
            oids = [pygit2.Oid(hex=parent) for parent in parents]
            commit_id = str(self.repo.create_commit(None, author, committer, message, pygit2.Oid(hex=tree), oids))
            summary = message.splitlines()[0] if message else ""
            reflog = f"branch: Created from {created_from} with commit: {summary}" if created_from else summary
            self._compare_and_swap(refname, expected_head, commit_id, reflog)
            landed = Landed(branch, commit_id)
            LANDED.append(landed)
        if checked_out:
            self._follow(landed, changes)
        return commit_id

    def _follow(self, landed: Landed, changes: Mapping[str, bytes | None]) -> None:
        """Bring the checked-out work tree and index to a commit that landed; if that fails
        (a full disk, an interruption), say which one command repairs it."""
        assert self.workdir is not None
        try:
            self._update_worktree(changes)
        except BaseException as exc:
            targets = " ".join(
                ":/" if target == "." else shlex.quote(f":(top,literal){target}") for target in _repair_targets(changes)
            )
            landed.repair = f"git restore --source=HEAD --staged --worktree -- {targets}"
            if isinstance(exc, _FAILURES):
                raise GitError(
                    f"branch {landed.branch!r} moved to {landed.commit[:12]}, but the work tree did not follow "
                    f"({exc}); run `{landed.repair}` in {self.workdir}"
                ) from exc
            raise

    def _ensure_writable(self, changes: Mapping[str, bytes | None]) -> None:
        """Refuse, before the branch moves, a work-tree update that would fail: a folder or a
        symlink where a file goes, a file where a folder goes, git's index lock held."""
        assert self.workdir is not None
        if (self.git_dir / "index.lock").exists():
            raise ConcurrentUpdateError(
                f"{self.git_dir / 'index.lock'} exists: another git command is running (or one crashed: "
                "remove the file if none is); nothing was written"
            )
        for path in changes:
            file = self.workdir / PurePosixPath(path)
            for folder in list(reversed(file.relative_to(self.workdir).parents))[1:]:
                there = self.workdir / folder
                if there.is_symlink() or (there.exists() and not there.is_dir()):
                    raise DirtyWorktreeError(f"{there} is in the way of {path}: move it, then run the command again")
            if file.is_symlink() or (file.exists() and not file.is_file()):
                raise DirtyWorktreeError(f"{file} is in the way of {path}: move it, then run the command again")

    def create_branch(self, branch: str, start: str) -> None:
        refname = branch_ref(branch)
        with _reraise(lambda exc: GitError(f"cannot create branch {branch!r}: {exc}")):
            self._compare_and_swap(refname, None, start, f"branch: Created from {start}")

    def _compare_and_swap(self, refname: str, expected: str | None, new: str, message: str) -> None:
        """Move `refname` from `expected` to `new` under git's ref lock; a lock a killed writer
        left is removed once provably stale (`ref_locks`), and the move tried once more."""
        try:
            self._swap_locked(refname, expected, new, message)
        except ConcurrentUpdateError as exc:
            lock = self.common_dir / f"{refname}.lock"
            if exc.__cause__ is None or not ref_locks.clear_if_stale(lock, self.common_dir):
                raise
            self._swap_locked(refname, expected, new, message)

    def _swap_locked(self, refname: str, expected: str | None, new: str, message: str) -> None:
        branch = refname.removeprefix("refs/heads/")
        try:
            with self.repo.transaction() as txn:
                txn.lock_ref(refname)
                ref = self.repo.references.get(refname)
                current = str(ref.target) if ref is not None else None
                if current != expected:
                    raise ConcurrentUpdateError(
                        f"branch {branch!r} moved while this change was prepared (another import or "
                        "commit landed first); nothing was written, run the command again"
                    )
                txn.set_target(refname, pygit2.Oid(hex=new), message=message)
        except pygit2.GitError as exc:
            # AlreadyExistsError: git's ref lock file is there; other errors name the lock.
            if isinstance(exc, pygit2.AlreadyExistsError) or "lock" in str(exc).lower():
                lock = self.common_dir / f"{refname}.lock"
                raise ConcurrentUpdateError(ref_locks.locked_message(branch, lock)) from exc
            raise  # the public caller turns it into GitError

    # -- work tree ----------------------------------------------------------------------------
    def worktree_files(self, prefix: str) -> WorktreeFiles | None:
        """The files below `prefix` (a path from the repo root, "" or ending in "/") as git
        status sees them: those whose index entry git's stat cache vouches for, with their
        blob id, and those it cannot (edited, untracked, ignored, conflicted), to be read
        from disk. libgit2 re-hashes a racily clean file (changed within the index's own
        timestamp) as git does. A vouched file's id is HEAD's unless it is staged, so only
        staged entries are looked up in the index. None when there is no index to trust: a
        bare repository, or an index git cannot read."""
        if self.workdir is None:
            return None
        try:
            statuses = self.repo.status(untracked_files="normal", ignored=True)
            head = None if self.repo.head_is_unborn else str(self.repo.head.target)
            index = self.repo.index
        except (pygit2.GitError, OSError):
            return None
        mine = {p: flags for p, flags in statuses.items() if p.startswith(prefix)}
        tree = self.subtree_id(head, prefix.rstrip("/")) if head else None
        clean = {prefix + p: blob for p, blob in self.list_tree(tree).items()}
        for path, flags in mine.items():
            staged = index[path] if flags & _STAGED and not flags & _FROM_DISK else None
            if staged is not None and staged.mode in FILE_MODES:
                clean[path] = str(staged.id)
            else:  # changed on disk, gone from the index, or not a regular file
                clean.pop(path, None)
        return WorktreeFiles(clean, sorted(p for p, flags in mine.items() if flags & _FROM_DISK))

    def dirty_paths(self, head: str | None, paths: list[str]) -> list[str]:
        """Of `paths` (from the repo root), those whose work tree or index differ from head."""
        assert self.workdir is not None
        with _reraise(lambda exc: GitError(f"cannot compare the work tree with {head}: {exc}")):
            head_tree = self.repo[head].peel(pygit2.Tree) if head else None
            index = self.repo.index
            index.read()
            return [path for path in paths if self._is_dirty(path, head_tree, index)]

    def _is_dirty(self, path: str, head_tree: pygit2.Tree | None, index: pygit2.Index) -> bool:
        """The index or the file differs from the commit: content, mode (an executable bit) or
        kind (a symlink, a folder in its place)."""
        assert self.workdir is not None
        try:
            entry = head_tree[path] if head_tree is not None else None
            committed = (str(entry.id), int(entry.filemode)) if entry is not None else None
        except KeyError:
            committed = None
        try:
            staged: tuple[str, int] | None = (str(index[path].id), int(index[path].mode))
        except KeyError:
            staged = None
        return staged != committed or self._on_disk(self.workdir / path) != committed

    @staticmethod
    def _on_disk(file: Path) -> tuple[str, int] | None:
        """(blob id, git file mode) of a work-tree file, as git would stage it."""
        try:
            info = file.lstat()
        except (FileNotFoundError, NotADirectoryError):  # absent, or a file where its folder goes
            return None
        if stat.S_ISLNK(info.st_mode):
            return gitobjects.hash_blob(os.fsencode(os.readlink(file))), int(FileMode.LINK)
        if not stat.S_ISREG(info.st_mode):
            return "", 0  # a folder or a device: never what a commit holds
        mode = FileMode.BLOB_EXECUTABLE if info.st_mode & stat.S_IXUSR else FileMode.BLOB
        return gitobjects.hash_blob(file.read_bytes()), int(mode)

    def _ensure_clean(self, head: str | None, paths: list[str]) -> None:
        dirty = self.dirty_paths(head, paths)
        if dirty:
            shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
            raise DirtyWorktreeError(
                f"uncommitted edits in {shown}; commit or stash them, or write to another branch with --branch"
            )

    def _update_worktree(self, changes: Mapping[str, bytes | None]) -> None:

        from trackplan.repo.atomic import atomic_write  # tempfile: only commands that write load it

        assert self.workdir is not None
        index = self.repo.index
        index.read()
        for path, data in changes.items():
            file = self.workdir / PurePosixPath(path)
            if data is None:
                file.unlink(missing_ok=True)
                _remove_empty_parents(file.parent, self.workdir)
                if path in index:
                    index.remove(path)
                continue
            atomic_write(file, data)
            blob_id = pygit2.Oid(raw=gitobjects.object_id(gitobjects.BLOB, data))
            index.add(pygit2.IndexEntry(path, blob_id, FileMode.BLOB))
        index.write()


_FROM_DISK = (
    pygit2.enums.FileStatus.WT_NEW
    | pygit2.enums.FileStatus.WT_MODIFIED
    | pygit2.enums.FileStatus.WT_DELETED
    | pygit2.enums.FileStatus.WT_TYPECHANGE
    | pygit2.enums.FileStatus.WT_RENAMED
    | pygit2.enums.FileStatus.WT_UNREADABLE
    | pygit2.enums.FileStatus.INDEX_RENAMED
    | pygit2.enums.FileStatus.IGNORED
    | pygit2.enums.FileStatus.CONFLICTED
)
"""Statuses whose file differs from its index entry, or has none: its bytes are on disk only."""
_STAGED = (
    pygit2.enums.FileStatus.INDEX_NEW
    | pygit2.enums.FileStatus.INDEX_MODIFIED
    | pygit2.enums.FileStatus.INDEX_TYPECHANGE
)
"""Statuses whose file equals its index entry, which differs from HEAD's."""


@dataclass(frozen=True)
class WorktreeFiles:
    """A work tree as the index knows it (paths from the repo root)."""

    clean: dict[str, str]
    """{path: blob id} of tracked regular files the stat cache finds unchanged since staged."""
    unsure: list[str]
    """Paths to read from disk: changed, deleted, untracked or ignored files, and untracked or
    ignored folders (ending in "/"), which git does not look inside."""


def _common_dir(git_dir: Path) -> Path:
    """Where refs and shared state live: a linked work tree's git dir names it in `commondir`."""
    try:
        named = (git_dir / "commondir").read_text().strip()
    except FileNotFoundError:
        return git_dir
    return (git_dir / named).resolve()


def _repair_targets(changes: Mapping[str, bytes | None], most: int = 20) -> list[str]:
    """What a repair restores: the changed paths, or their folders when there are many (the
    dirty check has just found every changed path clean, so restoring them loses nothing)."""
    targets = sorted(changes)
    while len(targets) > most:
        folders = sorted({str(PurePosixPath(t).parent) for t in targets})
        if folders == targets:
            return ["."]
        targets = folders
    return targets


def _remove_empty_parents(folder: Path, top: Path) -> None:
    """As git does when the last file of a folder goes."""
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent

"""The plan's history, commit by commit, with a change summary for each (after Snowplow's
tracking-plan history endpoint: before, limit, offset, order).

Each commit is compared with its first parent: commits that leave the plan folder unchanged
are skipped by subtree id, the trees of many commits are compared in one `git diff-tree`
pass (`repo.git.tree_diffs`), and only changed files are read. Event files pair as `diff` pairs
them (`run.event_pairs`): a rename is one entry, and an edit that leaves the event equal
(a comment, formatting) is none. `--event` follows an event back through its renames.
What each commit changed is kept in the blob cache by commit id (`KeptChanges`), so a log
compares only the commits no earlier log has: a repeated one reads no tree and no file."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import islice
from typing import TYPE_CHECKING, Any

from trackplan.errors import InputError
from trackplan.model import Event
from trackplan.model.frozen import FrozenDict
from trackplan.repo.browse import event_named
from trackplan.repo.git.tree_diffs import FileChange, tree_diffs
from trackplan.repo.paths import is_event_file, is_plan_file
from trackplan.repo.reading import event_from_document

if TYPE_CHECKING:
    from trackplan.repo.git.store import CommitInfo
    from trackplan.repo.workspace import Workspace


@dataclass
class HistoryEntry:
    commit: str
    author: str
    time: int
    summary: str
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)  # (old name, new name)
    other_files: list[str] = field(default_factory=list)

    @property
    def events(self) -> set[str]:
        """Every event name the commit touched, under its old and its new name."""
        return {*self.added, *self.updated, *self.removed, *(name for pair in self.renamed for name in pair)}

    def to_json(self) -> dict[str, Any]:
        return {
            "commit": self.commit,
            "author": self.author,
            "date": datetime.fromtimestamp(self.time, UTC).isoformat().replace("+00:00", "Z"),
            "message": self.summary,
            "changes": {
                "added": self.added,
                "updated": self.updated,
                "removed": self.removed,
                "renamed": [{"from": old, "to": new} for old, new in self.renamed],
            },
            "otherFiles": self.other_files,
        }


def _entries(ws: Workspace, start: str, needed: int | None) -> Iterator[HistoryEntry]:
    """The entries from `start` back along first parents, `needed` of them at most when the
    caller knows (None: as many as it reads). Commits are taken in chunks that double in
    size, never more than `needed` can use, so a short --limit compares few commits however
    large the ones after them are: each chunk's stored changes are looked up in one query,
    and the trees of the commits missing there compared in one pass."""
    kept = KeptChanges(ws)
    commits = ws.store.iter_commits(start)
    trees: dict[str, str | None] = {}
    size, yielded = FIRST_CHUNK, 0
    while chunk := list(islice(commits, size if needed is None else max(1, min(size, needed - yielded)))):
        stored = kept.get([info.id for info in chunk])
        diffs = _tree_diffs(ws, [info for info in chunk if info.id not in stored], trees)
        for info in chunk:
            changes = stored.get(info.id)
            if changes is None:
                changes = kept.put(info.id, _compared(ws, diffs[info.id]))
            if any(changes):  # other files in the plan folder are not plan changes
                summary = info.message.splitlines()[0] if info.message else ""
                yield HistoryEntry(info.id, info.author, info.time, summary, *changes)
                yielded += 1
        size = min(size * 2, LARGEST_CHUNK)


FIRST_CHUNK = 16
LARGEST_CHUNK = 512
GIT_DIFF_MIN = 8
"""Tree comparisons worth a git process (about 3 ms to start; one comparison here, 0.6 ms)."""

Changes = tuple[list[str], list[str], list[str], list[tuple[str, str]], list[str]]
"""What a commit changed in the plan, against its first parent: added, updated, removed and
renamed events (old name, new name), and other plan files; all empty for no plan change."""


class KeptChanges:
    """Each commit's `Changes`, kept in the blob cache under the commit's id and the plan
    folder: a commit id names its tree and its parents, so what it changed never changes.
    The key is `log/<code>/<folder>/<commit>`: the code's digest is its version, so an upgrade
    that compares otherwise reads nothing stored by an older one, and its first log drops
    the older code's rows (`repo.cache.VERSIONED`)."""

    def __init__(self, ws: Workspace) -> None:
        from trackplan.exporting.outputs import code_digest

        self.cache = ws.cache
        folder = hashlib.sha256(ws.prefix.encode()).hexdigest()[:16]
        self.scope = f"{code_digest()[:24]}/{folder}"

    def _key(self, commit: str) -> str:
        return f"log/{self.scope}/{commit}"

    def get(self, commits: list[str]) -> dict[str, Changes]:
        found = self.cache.get_fragments(self._key(commit) for commit in commits)
        out: dict[str, Changes] = {}
        for commit in commits:
            value = found.get(self._key(commit))
            if value is not None:
                added, updated, removed, renamed, others = json.loads(value)
                out[commit] = (added, updated, removed, [(old, new) for old, new in renamed], others)
        return out

    def put(self, commit: str, changes: Changes) -> Changes:
        """Keep `changes` (written with the cache's next flush); returns them."""
        self.cache.put_fragment(self._key(commit), json.dumps(changes, ensure_ascii=False).encode())
        return changes


def _tree_diffs(ws: Workspace, commits: list[CommitInfo], trees: dict[str, str | None]) -> dict[str, list[FileChange]]:
    """{commit id: its changed files against its first parent} for `commits`, compared by git
    in one process when there are enough of them. `trees` keeps each commit's plan folder:
    a commit's parent is the next commit walked."""
    pairs: dict[str, tuple[str | None, str | None]] = {}
    for info in commits:
        for commit in (info.id, *info.parents[:1]):
            if commit not in trees:
                trees[commit] = ws.store.subtree_id(commit, ws.prefix)
        pairs[info.id] = (trees[info.parents[0]] if info.parents else None, trees[info.id])
    changed = {commit: pair for commit, pair in pairs.items() if pair[0] != pair[1]}
    found = tree_diffs(ws.root, list(changed.values())) if len(changed) >= GIT_DIFF_MIN else None
    if found is None:
        found = [ws.store.diff_trees(old, new) for old, new in changed.values()]
    diffs: dict[str, list[FileChange]] = {commit: [] for commit in pairs}
    diffs.update(zip(changed, found, strict=True))
    return diffs


def _compared(ws: Workspace, diff: list[FileChange]) -> Changes:
    """The changes of one commit's changed files, the documents of both sides of each read
    in one query to the cache."""
    docs = ws.cache.get_many({blob for _, *sides in diff for blob in sides if blob is not None})

    def parsed(path: str, blob: str | None) -> Any:
        return docs[blob] if blob in docs else ws.parsed(path, blob)

    return _changes(diff, parsed)


def _changes(diff: list[FileChange], parsed: Callable[[str, str | None], Any]) -> Changes:
    from trackplan.diffing.run import event_pairs

    added: list[str] = []
    updated: list[str] = []
    removed: list[str] = []
    renamed: list[tuple[str, str]] = []
    old_blobs: dict[str, str | None] = {}
    new_blobs: dict[str, str | None] = {}
    others = []
    for path, old, new in diff:
        if is_event_file(path):
            old_blobs[path], new_blobs[path] = old, new
        elif is_plan_file(path) and _changed(parsed, path, old, new):
            others.append(path)
    for a, b, _ in event_pairs(old_blobs, new_blobs, lambda path, blob: _lenient_event(parsed, path, blob)):
        if a is None and b is not None:
            added.append(b.name)
        elif b is None and a is not None:
            removed.append(a.name)
        elif a is not None and b is not None and a != b:
            if a.name != b.name:
                renamed.append((a.name, b.name))
            if a.replace(name=b.name) != b:  # a rename may change the event too, as diff shows
                updated.append(b.name)
    return sorted(added), sorted(updated), sorted(removed), sorted(renamed), others


def _lenient_event(parsed: Callable[[str, str | None], Any], path: str, blob: str | None) -> Event | None:
    """The event a file holds; for a file that does not read as one (an old commit may hold
    anything), a stand-in named by its path that equals only itself."""
    try:
        doc = parsed(path, blob)
        return None if doc is None else event_from_document(doc, path)
    except InputError:
        return Event(path, extra=FrozenDict({"x-blob": blob}))


def _changed(parsed: Callable[[str, str | None], Any], path: str, old: str | None, new: str | None) -> bool:
    """Whether a plan file other than an event changed more than its comments or formatting."""
    try:
        return bool(parsed(path, old) != parsed(path, new))
    except InputError:
        return True


@dataclass(frozen=True)
class LogRequest:
    """Which history to show: from `ref` back, only commits touching `event` (a name), at or
    before `before` (ISO-8601), `limit` entries after skipping `offset`, newest first ("desc")
    or oldest first ("asc")."""

    ref: str = "HEAD"
    event: str | None = None
    before: str | None = None
    limit: int | None = None
    offset: int = 0
    order: str = "desc"


def parse_before(before: str | None) -> datetime | None:
    """`--before` (history's and the tracking-plans API's `before`) as an aware time; None: no cutoff."""
    if not before:
        return None
    try:
        parsed = datetime.fromisoformat(before.replace("Z", "+00:00"))
    except ValueError:
        raise InputError(f"--before {before!r}: expected an ISO-8601 timestamp") from None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def history(ws: Workspace, request: LogRequest) -> list[HistoryEntry]:
    """The entries of `request`. `event` is looked up at `ref` as every command looks up an
    event name; one not there (removed since) is followed by its name, and one that no
    commit touched either is an input error suggesting the closest names."""
    cutoff = parse_before(request.before)
    limit, offset = request.limit, request.offset
    names, unknown = _event_names(ws, request)
    touched = False
    found = []
    filtered = names is not None or cutoff is not None  # then entries read are not all entries kept
    needed = offset + limit if limit is not None and request.order == "desc" and not filtered else None
    for entry in _entries(ws, request.ref, needed):
        if names is not None:
            if not _follow(entry, names):
                continue
            touched = True
        if cutoff is not None and datetime.fromtimestamp(entry.time, UTC) > cutoff:
            continue
        found.append(entry)
        if request.order == "desc" and limit is not None and len(found) >= offset + limit:
            break
    ws.cache.flush()
    if unknown is not None and not touched:
        raise unknown
    if request.order == "asc":
        found.reverse()
    return found[offset : offset + limit if limit is not None else None]


def _event_names(ws: Workspace, request: LogRequest) -> tuple[set[str] | None, InputError | None]:
    """The names to follow `request.event` by (None: every commit), and the error to give if
    no commit touches it."""
    if request.event is None:
        return None, None
    try:
        return {event_named(ws.load(request.ref).event_paths, request.event, request.ref)}, None
    except InputError as unknown:
        return {request.event}, unknown


def _follow(entry: HistoryEntry, names: set[str]) -> bool:
    """Whether `entry` touches the event known by `names`; a rename to one of them adds the
    old name, as the walk goes back in time (`git log --follow`)."""
    touched = False
    for old, new in entry.renamed:
        if new in names or old in names:
            names.add(old)
            touched = True
    return touched or not names.isdisjoint({*entry.added, *entry.updated, *entry.removed})

"""Parsed-blob cache: blob id -> parsed document, in sqlite under .git/; and the memo of built
events a long-lived process keeps in memory (`EventMemo`), with the index of each plan tree it
imports into (`PlanIndex`).

Parsing YAML dominates reading a plan, and a blob id names its content for ever, so a parse
is never needed twice. The cache is only a speed-up: any error reading it (corrupt file,
wrong schema, bad row) drops it and it is rebuilt. Damage sqlite cannot see (a flipped byte
in a value, a row holding another blob's document) is caught by a short digest stored with
each value over its key and the value: a row whose digest does not match is not used.

The fragments table (rendered pieces, stored changes, notes) is bounded two ways, both at a
flush that writes, never on a read that finds everything:
- a key `family/version/...` of a family in `VERSIONED` belongs to one version of the code
  that wrote it: when a flush writes a family's rows of another version than the last one
  written, the rows of every other version of that family are dropped (two versions of the
  code used in turn drop each other's, which costs each a re-render, never a wrong result);
- rows are kept in the order written, and once more than `FRAGMENTS_KEPT` (plus a quarter,
  so that one delete drops many) have been written, the oldest beyond `FRAGMENTS_KEPT` go. A
  row read while in the older half of that window is written again at the next flush, so
  the pieces every export uses stay while those of old refs and settings age out (as do
  rows of a layout no code writes any more).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from trackplan.repo.file_lock import exclusive

if TYPE_CHECKING:  # a settings read opens the cache: it loads neither the model nor the plan reader
    from trackplan.model import Event


FORMAT = 7
"""The rows' shape and the parser's rules (7: a repeated key is refused, so no document parsed
before may be served). It names the file, so two versions of trackplan used on one repository
keep a cache each instead of rebuilding each other's."""
FRAGMENTS_KEPT = 500_000
"""Fragment rows kept: about twice what a 100,000-event plan's export, lint and log use."""
VERSIONED = ("avo-json", "event-row", "import-note", "lint", "log")
"""The fragment families whose keys are `family/version/...`, one version kept of each."""


def cache_file(git_dir: Path) -> Path:
    """The blob cache of the repository at `git_dir`."""
    return git_dir / "trackplan" / f"blobs-{FORMAT}.sqlite"


def _digest(key: str, *values: str | bytes | int | None) -> str:
    """A value's check: 8 bytes of BLAKE2b over its key and the value, so a row copied under
    another key fails too (not a defence against an attacker who can write .git, who could
    as well rewrite the objects)."""
    h = hashlib.blake2b(key.encode(), digest_size=8)
    for value in values:
        h.update(b"\0" + (value if isinstance(value, bytes) else str(value).encode()))
    return h.hexdigest()


class BlobCache:
    def __init__(self, path: Path | None) -> None:
        self.path = path
        self._db: sqlite3.Connection | None = None
        self._pending: list[tuple[str, str | None, int, str, str, str]] = []
        self._pending_fragments: list[tuple[str, bytes, str]] = []

    def _connect(self) -> sqlite3.Connection | None:
        if self._db is not None or self.path is None:
            return self._db
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = self._open()
        except (sqlite3.DatabaseError, OSError) as exc:
            self._failed(exc)
        return self._db

    @contextlib.contextmanager
    def _exclusive(self) -> Iterator[None]:
        """Other processes and threads wait while the cache file is created, migrated or
        set aside: SQLite copes with concurrent readers and writers, not with several
        connections initialising one new file at once."""
        assert self.path is not None
        with exclusive(f"{self.path}.lock"):
            yield

    def _open(self) -> sqlite3.Connection:
        with self._exclusive():
            return self._open_unlocked()

    def _open_unlocked(self) -> sqlite3.Connection:
        assert self.path is not None
        db = sqlite3.connect(self.path, timeout=5, isolation_level=None)
        db.execute("PRAGMA journal_mode=WAL")
        # Never fsync: a row lost or a file damaged by a crash of the machine is rebuilt (see
        # _failed), and each WAL checkpoint's two fsyncs stalled a server's import now and then
        # for as long as the disk's queue took to drain (hundreds of ms on a busy disk).
        db.execute("PRAGMA synchronous=OFF")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        row = db.execute("SELECT value FROM meta WHERE key='format'").fetchone()
        if row is not None and row[0] != str(FORMAT):
            db.execute("DROP TABLE IF EXISTS blobs")
            db.execute("DROP TABLE IF EXISTS fragments")
            db.execute("DROP TABLE IF EXISTS outputs")
            db.execute("DELETE FROM meta")
            row = None
        # title_sum covers (id, title, canonical), read without the document; doc_sum covers (id, doc).
        db.execute(
            "CREATE TABLE IF NOT EXISTS blobs (id TEXT PRIMARY KEY, title TEXT, canonical INTEGER, doc TEXT NOT NULL,"
            " title_sum TEXT NOT NULL, doc_sum TEXT NOT NULL)"
        )
        # Rendered pieces of outputs (e.g. one event of an export), keyed by what they depend on.
        db.execute(
            "CREATE TABLE IF NOT EXISTS fragments (key TEXT PRIMARY KEY, value BLOB NOT NULL, sum TEXT NOT NULL)"
        )
        if row is None:
            db.execute("INSERT INTO meta VALUES ('format', ?)", (str(FORMAT),))
            _remove_older_formats(self.path)
        return db

    def _failed(self, exc: Exception) -> None:
        """A cache error. Busy or locked (another process is writing, or migrating the
        format) is not corruption: this process just goes on without the cache. Anything
        else means the file cannot be trusted: it is rebuilt."""
        if isinstance(exc, sqlite3.OperationalError | OSError) and not _corrupt(exc):
            if self._db is not None:
                with contextlib.suppress(sqlite3.Error):
                    self._db.close()
            self._db = None
            self.path = None
            return
        self._reset()

    def _reset(self) -> None:
        """Set a cache that cannot be trusted aside and start a new one. The files are
        renamed, never truncated, so other connections still reading them are safe."""
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
        self._db = None
        if self.path is None:
            return
        try:
            with self._exclusive():
                for suffix in ("", "-wal", "-shm"):
                    old = Path(f"{self.path}{suffix}")
                    if old.exists():
                        os.replace(old, f"{self.path}.corrupt{suffix}")
                self._db = self._open_unlocked()
        except (sqlite3.DatabaseError, OSError):
            self.path = None  # no cache at all rather than a broken one

    def get_many(self, blob_ids: Iterable[str]) -> dict[str, Any]:
        return self._query(
            "SELECT id, doc, doc_sum FROM blobs WHERE id IN ({marks})",
            blob_ids,
            lambda row: json.loads(row[1]) if row[2] == _digest(row[0], row[1]) else _DAMAGED,
        )

    def _query(self, sql: str, blob_ids: Iterable[str], value: Callable[[Any], Any]) -> dict[str, Any]:
        """{key: value(row)} for the rows found; a row whose digest fails (value gives _DAMAGED)
        counts as absent, so it is read from git again and rewritten."""
        db = self._connect()
        ids = list(blob_ids)
        if db is None or not ids:
            return {}
        found: dict[str, Any] = {}
        try:
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900]
                for row in db.execute(sql.format(marks=",".join("?" * len(chunk))), chunk):
                    checked = value(row)
                    if checked is not _DAMAGED:
                        found[row[0]] = checked
        except (sqlite3.DatabaseError, ValueError) as exc:
            self._failed(exc)
            return {}
        return found

    def get_titles(self, blob_ids: Iterable[str]) -> dict[str, str | None]:
        """{blob id: title or None} for the cached blobs among `blob_ids` (no document is
        decoded, which keeps an index load near git's own speed)."""
        return self._query(
            "SELECT id, title, canonical, title_sum FROM blobs WHERE id IN ({marks})",
            blob_ids,
            lambda row: row[1] if row[3] == _digest(row[0], row[1], row[2]) else _DAMAGED,
        )

    def canonical(self, blob_ids: Iterable[str]) -> set[str]:
        """Those of `blob_ids` known to be exactly the tool's own dump of their document."""
        found = self._query(
            "SELECT id, canonical, title, title_sum FROM blobs WHERE id IN ({marks})",
            blob_ids,
            lambda row: row[1] if row[3] == _digest(row[0], row[2], row[1]) else _DAMAGED,
        )
        return {blob_id for blob_id, flag in found.items() if flag}

    def get_fragments(self, keys: Iterable[str]) -> dict[str, bytes]:
        """Cached rendered pieces (UTF-8 bytes, ready to join into an output). Those found in
        the older half of the kept window are written again at the next flush (see above)."""
        aging = self._aging()
        found = self._query(
            "SELECT key, value, sum, rowid FROM fragments WHERE key IN ({marks})",
            keys,
            lambda row: (bytes(row[1]), row[2], row[3]) if row[2] == _digest(row[0], bytes(row[1])) else _DAMAGED,
        )
        self._pending_fragments.extend((key, value, sum_) for key, (value, sum_, at) in found.items() if at <= aging)
        return {key: value for key, (value, _, _) in found.items()}

    def _aging(self) -> int:
        """The last row id of the older half of the kept window (-1: none is aging yet)."""
        db = self._connect()
        if db is None:
            return -1
        try:
            (last,) = db.execute("SELECT max(rowid) FROM fragments").fetchone()
        except sqlite3.DatabaseError as exc:
            self._failed(exc)
            return -1
        return -1 if last is None else last - FRAGMENTS_KEPT // 2

    def put_fragment(self, key: str, value: bytes) -> None:
        self._pending_fragments.append((key, value, _digest(key, value)))

    def put(self, blob_id: str, doc: Any, canonical: bool = False) -> None:
        from trackplan.repo.reading import document_title

        title, text = document_title(doc), json.dumps(doc, ensure_ascii=False, default=str)
        flag = int(canonical)
        self._pending.append((blob_id, title, flag, text, _digest(blob_id, title, flag), _digest(blob_id, text)))

    def flush(self) -> None:
        db = self._connect()
        pending, self._pending = self._pending, []
        fragments, self._pending_fragments = self._pending_fragments, []
        if db is None or not (pending or fragments):
            return
        try:
            db.execute("BEGIN IMMEDIATE")  # the write lock first: the checks below read what no one else changes
            db.executemany("INSERT OR REPLACE INTO blobs VALUES (?, ?, ?, ?, ?, ?)", pending)
            db.executemany("INSERT OR REPLACE INTO fragments VALUES (?, ?, ?)", fragments)
            if fragments:
                _drop_other_versions(db, {key for key, _, _ in fragments})
                _drop_oldest(db)
            db.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            with contextlib.suppress(sqlite3.Error):
                db.execute("ROLLBACK")
            self._failed(exc)

    def close(self) -> None:
        self.flush()
        if self._db is not None:
            self._db.close()
            self._db = None


_DAMAGED = object()
"""What a row whose digest fails reads as."""


def _drop_other_versions(db: sqlite3.Connection, written: set[str]) -> None:
    """Drop the rows of other versions of each `VERSIONED` family among the keys `written`,
    when the version is not the one last written (a meta row per family says it)."""
    versions = {}
    for key in written:
        family, _, rest = key.partition("/")
        if family in VERSIONED and "/" in rest:
            versions[family] = rest.partition("/")[0]
    for family, version in sorted(versions.items()):
        row = db.execute("SELECT value FROM meta WHERE key=?", (f"version:{family}",)).fetchone()
        if row is not None and row[0] == version:
            continue
        # '0' is the character after '/': each pair of bounds is one range of the key index.
        db.execute(
            "DELETE FROM fragments WHERE key > ? AND key < ? AND NOT (key > ? AND key < ?)",
            (f"{family}/", f"{family}0", f"{family}/{version}/", f"{family}/{version}0"),
        )
        db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (f"version:{family}", version))


def _drop_oldest(db: sqlite3.Connection) -> None:
    """Drop the rows written before the last `FRAGMENTS_KEPT`, once a quarter more have been
    written (row ids grow with every write: a rewrite takes a new one)."""
    # Two queries: sqlite answers a lone min() or max() from the end of the table, both at once by a scan.
    (first,) = db.execute("SELECT min(rowid) FROM fragments").fetchone()
    (last,) = db.execute("SELECT max(rowid) FROM fragments").fetchone()
    if first is not None and last - first >= FRAGMENTS_KEPT + FRAGMENTS_KEPT // 4:
        db.execute("DELETE FROM fragments WHERE rowid <= ?", (last - FRAGMENTS_KEPT,))


def _remove_older_formats(path: Path) -> None:
    """Drop the caches of older formats beside `path` once it is made: code that old, run
    again, builds its own anew."""
    for file in path.parent.glob("blobs*.sqlite*"):
        number = file.name.removeprefix("blobs").partition(".sqlite")[0].removeprefix("-")
        older = number == "" or (number.isdigit() and int(number) < FORMAT)
        if older and not file.name.startswith(path.name):
            with contextlib.suppress(OSError):
                file.unlink()


def _corrupt(exc: Exception) -> bool:
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text or "corrupt" in text


class EventMemo:
    """Built events by (blob id, path) and titles by blob id, kept in memory across loads; and
    the `PlanIndex` of the last few plan trees imported into.

    A blob id names its content for ever and an event is an immutable value, so a memo entry
    is never stale, whichever ref or request reads it; the path is part of the key because an
    event's name and format come from its file name. Only the entries used by the last
    `loads` loads are kept, so memory follows the trees in use, not every tree ever read.
    Threads of one server share a memo (a lock guards it)."""

    def __init__(self, loads: int = 4, indexes: int = 8) -> None:
        self.loads = loads
        self._load = 0
        self._index_room = indexes
        self._indexes: OrderedDict[str, PlanIndex] = OrderedDict()
        self._events: dict[tuple[str, str], tuple[Event, int]] = {}
        self._titles: dict[str, tuple[str | None, int]] = {}
        self._lock = threading.Lock()

    def event(self, path: str, blob_id: str, build: Callable[[], Event]) -> Event:
        """The event of this file, built by `build()` only the first time."""
        key = (blob_id, path)
        with self._lock:
            found = self._events.get(key)
            if found is not None:
                self._events[key] = (found[0], self._load)
                return found[0]
        event = build()
        with self._lock:
            self._events[key] = (event, self._load)
        return event

    def has_event(self, path: str, blob_id: str) -> bool:
        return (blob_id, path) in self._events

    def titles(self, blob_ids: Iterable[str]) -> dict[str, str | None]:
        """{blob id: title} for the known ones among `blob_ids`."""
        out: dict[str, str | None] = {}
        with self._lock:
            for blob_id in blob_ids:
                found = self._titles.get(blob_id)
                if found is not None:
                    out[blob_id] = found[0]
                    self._titles[blob_id] = (found[0], self._load)
        return out

    def add_titles(self, titles: dict[str, str | None]) -> None:
        with self._lock:
            self._titles.update((blob_id, (title, self._load)) for blob_id, title in titles.items())

    def index(self, tree: str) -> PlanIndex | None:
        """The index of a plan tree, when one of the last few trees imported into."""
        with self._lock:
            found = self._indexes.get(tree)
            if found is not None:
                self._indexes.move_to_end(tree)
            return found

    def keep_index(self, tree: str, index: PlanIndex) -> None:
        with self._lock:
            self._indexes[tree] = index
            self._indexes.move_to_end(tree)
            while len(self._indexes) > self._index_room:
                self._indexes.popitem(last=False)

    def loaded(self) -> None:
        """A new load begins: entries no load among the last `loads` used are dropped."""
        with self._lock:
            self._load += 1
            oldest = self._load - self.loads
            self._events = {k: v for k, v in self._events.items() if v[1] >= oldest}
            self._titles = {k: v for k, v in self._titles.items() if v[1] >= oldest}


@dataclass(frozen=True)
class EventFacts:
    """What the plan-wide steps of an import ask of one event."""

    name: str
    id: str | None
    properties: frozenset[str]
    sources: tuple[str, ...]
    domains: tuple[str, ...]  # stakeholders and owner


@dataclass(frozen=True)
class PlanIndex:
    """One plan tree's files and the plan-wide facts of its events, by file: which file holds
    an id, which files use a property, how many events name each source and domain. Only for a
    tree whose event names and ids are each unique. Never changed once built: the index of the
    next tree is a new one (importing/trees.py)."""

    blob_ids: dict[str, str]  # {plan path: blob id}, as Workspace.plan_blobs
    event_paths: dict[str, str]  # {event name: event file}, as LoadedPlan
    facts: dict[str, EventFacts]  # by event file
    ids: dict[str, str]  # {event id: event file}
    users: dict[str, frozenset[str]]  # {property name: the event files using it}
    sources: dict[str, int]
    domains: dict[str, int]

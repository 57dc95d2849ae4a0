"""Git objects as bytes: tree entries in and out, and a pack file with its index.

A commit of many files writes its new blobs and trees as one pack, as `git fetch` keeps a
pack of 100 objects or more (transfer.unpackLimit): two files instead of one file per
object, whose creation cost dominates a commit of 100 events. Formats: git's
Documentation/gitformat-pack.txt (pack version 2, index version 2).
"""

from __future__ import annotations

import bisect
import hashlib
import os
import re
import struct
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

BLOB, TREE = 3, 2  # pack object types
TREE_MODE = b"40000"
BLOB_MODE = b"100644"
BLOB_MODES = (b"100644", b"100755", b"120000")
_KIND = {BLOB: b"blob", TREE: b"tree"}
_ENTRY = re.compile(rb"(\d+) ([^\0]+)\0(.{20})", re.DOTALL)

Entries = dict[bytes, tuple[bytes, bytes]]
"""{name: (mode, 20-byte id)} of one tree."""


def object_id(kind: int, data: bytes) -> bytes:
    return hashlib.sha1(_KIND[kind] + b" %d\0" % len(data) + data).digest()


def hash_blob(data: bytes) -> str:
    """The id git gives a blob of `data`."""
    return object_id(BLOB, data).hex()


def parse_tree(raw: bytes) -> Entries:
    return {name: (mode, oid) for mode, name, oid in _ENTRY.findall(raw)}


def tree_triples(raw: bytes) -> set[tuple[bytes, bytes, bytes]]:
    """(mode, name, id) of every entry: two trees' set difference is what changed."""
    return set(_ENTRY.findall(raw))


def format_tree(entries: Mapping[bytes, tuple[bytes, bytes]]) -> bytes:
    def key(name: bytes) -> bytes:
        return _sort_key(name, entries[name][0])

    return b"".join(entries[n][0] + b" " + n + b"\0" + entries[n][1] for n in sorted(entries, key=key))


class SortedTree:
    """One tree's entries in git's order, for editing a large folder: an entry is found by
    bisection and the tree's bytes are its entries joined, so a commit that changes a few
    files of a 10,000-file folder neither parses nor sorts the folder (`parse_tree` and
    `format_tree` do both). The same entries give the same bytes as `format_tree`."""

    def __init__(self, keys: list[bytes], records: list[bytes]) -> None:
        self._keys = keys  # each entry's sort key: its name, with "/" after a folder's
        self._records = records  # each entry as the tree object holds it: mode, name, id

    @classmethod
    def parse(cls, raw: bytes) -> SortedTree:
        keys: list[bytes] = []
        records: list[bytes] = []
        for match in _ENTRY.finditer(raw):
            keys.append(_sort_key(match.group(2), match.group(1)))
            records.append(match.group(0))
        names = {record[record.index(b" ") + 1 : -21] for record in records}
        if len(names) != len(keys) or keys != sorted(keys):  # a tree git would not write: as format_tree orders it
            return cls.of(parse_tree(raw))
        return cls(keys, records)

    @classmethod
    def of(cls, entries: Mapping[bytes, tuple[bytes, bytes]]) -> SortedTree:
        tree = cls([], [])
        for name, (mode, oid) in entries.items():
            tree.put(name, mode, oid)
        return tree

    def copy(self) -> SortedTree:
        return SortedTree(list(self._keys), list(self._records))

    def __len__(self) -> int:
        return len(self._keys)

    def get(self, name: bytes) -> tuple[bytes, bytes] | None:
        """(mode, id) of the entry named `name`."""
        at = self._find(name)
        if at is None:
            return None
        record = self._records[at]
        return record[: record.index(b" ")], record[-20:]

    def put(self, name: bytes, mode: bytes, oid: bytes) -> None:
        self.remove(name)
        key = _sort_key(name, mode)
        at = bisect.bisect_left(self._keys, key)
        self._keys.insert(at, key)
        self._records.insert(at, mode + b" " + name + b"\0" + oid)

    def remove(self, name: bytes) -> None:
        at = self._find(name)
        if at is not None:
            del self._keys[at]
            del self._records[at]

    def raw(self) -> bytes:
        return b"".join(self._records)

    def _find(self, name: bytes) -> int | None:
        for key in (name, name + b"/"):  # a file's key, then a folder's
            at = bisect.bisect_left(self._keys, key)
            if at < len(self._keys) and self._keys[at] == key:
                return at
        return None


def _sort_key(name: bytes, mode: bytes) -> bytes:
    """Git orders a folder as if its name ended with "/"."""
    return name + b"/" if mode == TREE_MODE else name


def write_pack(pack_dir: Path, objects: Iterable[tuple[int, bytes]]) -> Path:
    """Write `objects` ((type, data), no duplicates needed) as one pack and its index.
    The index is renamed into place last: readers only see a pack through its index."""
    body = bytearray()
    index: list[tuple[bytes, int, int]] = []  # (id, crc32, offset)
    seen: set[bytes] = set()
    count = 0
    for kind, data in objects:
        oid = object_id(kind, data)
        if oid in seen:
            continue
        seen.add(oid)
        offset = 12 + len(body)
        # Level 1, git's own for loose objects: these small packs stand in for them.
        record = _object_header(kind, len(data)) + zlib.compress(data, 1)
        body += record
        index.append((oid, zlib.crc32(record), offset))
        count += 1
    pack = b"PACK" + struct.pack(">II", 2, count) + bytes(body)
    pack_sum = hashlib.sha1(pack).digest()
    pack += pack_sum
    name = f"pack-{pack_sum.hex()}"
    pack_dir.mkdir(parents=True, exist_ok=True)
    _write_new(pack_dir / f"{name}.pack", pack)
    try:
        _write_new(pack_dir / f"{name}.idx", _index(index, pack_sum))
    except BaseException:
        (pack_dir / f"{name}.pack").unlink(missing_ok=True)  # a pack without its index is litter
        raise
    return pack_dir / f"{name}.pack"


def _object_header(kind: int, size: int) -> bytes:
    out = bytearray()
    byte = (kind << 4) | (size & 0x0F)
    size >>= 4
    while size:
        out.append(byte | 0x80)
        byte = size & 0x7F
        size >>= 7
    out.append(byte)
    return bytes(out)


def _index(entries: list[tuple[bytes, int, int]], pack_sum: bytes) -> bytes:
    entries = sorted(entries)
    fanout = [0] * 256
    for oid, _, _ in entries:
        fanout[oid[0]] += 1
    total = 0
    for i in range(256):
        total += fanout[i]
        fanout[i] = total
    small: list[int] = []
    large: list[int] = []
    for _, _, offset in entries:
        if offset < 0x80000000:
            small.append(offset)
        else:
            small.append(0x80000000 | len(large))
            large.append(offset)
    idx = b"".join(
        [
            b"\xfftOc" + struct.pack(">I", 2),
            struct.pack(">256I", *fanout),
            b"".join(oid for oid, _, _ in entries),
            struct.pack(f">{len(entries)}I", *(crc for _, crc, _ in entries)),
            struct.pack(f">{len(small)}I", *small),
            struct.pack(f">{len(large)}Q", *large),
            pack_sum,
        ]
    )
    return idx + hashlib.sha1(idx).digest()


def _write_new(path: Path, data: bytes) -> None:
    import tempfile  # writing a pack only: reading a blob id must stay light

    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix="tmp_pack_")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, 0o444)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise

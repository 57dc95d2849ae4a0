"""Two-branch merges built from the Iglu Central history: how many git's line merge conflicts
on, and how many the plan merge merges cleanly (and to the real next version).

Each pair of consecutive versions of a schema is one edit. Its changes (a property with its
`required` entry, or another top-level key) are dealt alternately to two branches from the
older version, and each branch sets the x-version its own half needs (`diff --fix-versions`).
Both branches merged must give the newer version. The same three files go through
`git merge-file` (the reference) and through the merge driver's file merge.
"""

from __future__ import annotations

import itertools
import json
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from trackplan import yamlio
from trackplan.diffing.events import Differ
from trackplan.merging.documents import canonical
from trackplan.merging.files import merge_texts
from trackplan.merging.kinds import RULES, Kind
from trackplan.model import Event, SchemaVer
from trackplan.repo.merge import merge_file

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "iglu-central" / "schemas"
HEAD_KEYS = ("title", "description", "x-version")
IGNORED = ("self", "$schema", "x-version", "title")


@dataclass
class Counts:
    pairs: int = 0  # consecutive versions
    merges: int = 0  # pairs with two or more changes, so two branches
    git_conflicts: int = 0
    git_conflicts_unbumped: int = 0  # the same, had neither branch touched x-version
    driver_clean: int = 0
    driver_exact: int = 0  # clean, and equal to the newer version (set order aside)
    git_seconds: float = 0.0  # the bumped merges through git merge-file (a process each)
    driver_seconds: float = 0.0  # the same merges through the driver's file merge, in-process


def versions(root: Path) -> Iterator[list[dict[str, Any]]]:
    """Each schema's versions, oldest first, as event documents."""
    for folder in sorted(root.glob("*/*/jsonschema")):
        found = []
        for file in folder.iterdir():
            try:
                parsed = SchemaVer.parse(file.name)
                doc = json.loads(file.read_text())
            except (ValueError, UnicodeDecodeError):
                continue
            found.append(((parsed.model, parsed.revision, parsed.addition), file.name, doc))
        found.sort(key=lambda item: item[0])
        yield [event_document(folder.parent.name, name, doc) for _, name, doc in found]


def event_document(name: str, version: str, schema: dict[str, Any]) -> dict[str, Any]:
    """An Iglu schema as a plan's event file: title and x-version first, Iglu's own keys dropped."""
    head = {"title": name, "description": schema.get("description", ""), "x-version": version}
    return {**head, **{k: v for k, v in schema.items() if k not in IGNORED and k not in head}}


def changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, str]]:
    """What an edit changed: ("property", name) or ("key", name), in the newer file's order."""
    units: list[tuple[str, str]] = []
    old_props, new_props = old.get("properties") or {}, new.get("properties") or {}
    old_required, new_required = set(old.get("required") or []), set(new.get("required") or [])
    for name in [*new_props, *(n for n in old_props if n not in new_props)]:
        changed = canonical(old_props.get(name)) != canonical(new_props.get(name))
        if changed or (name in old_required) != (name in new_required):
            units.append(("property", name))
    for key in [*new, *(k for k in old if k not in new)]:
        if key not in ("properties", "required", "x-version") and canonical(old.get(key)) != canonical(new.get(key)):
            units.append(("key", key))
    return units


def applied(old: dict[str, Any], new: dict[str, Any], units: list[tuple[str, str]]) -> dict[str, Any]:
    """`old` with just these changes of the edit to `new`."""
    doc: dict[str, Any] = json.loads(json.dumps(old))
    props, required = dict(doc.get("properties") or {}), list(doc.get("required") or [])
    for kind, name in units:
        if kind == "key":
            doc.pop(name, None)
            if name in new:
                doc[name] = new[name]
            continue
        props.pop(name, None)
        if name in (new.get("properties") or {}):
            props[name] = new["properties"][name]
        required = [r for r in required if r != name]
        if name in (new.get("required") or []):
            required.append(name)
    if props or "properties" in old:
        doc["properties"] = props
    if required or "required" in old:
        doc["required"] = required
    return doc


def bumped(base: dict[str, Any], doc: dict[str, Any], differ: Differ) -> dict[str, Any]:
    """`doc` with the x-version its changes from `base` need, as `diff --fix-versions` sets it."""
    old, new = Event.from_json(base), Event.from_json(doc)
    expected = differ.version_advice(old, new, differ.events(old, new)).expected
    return {**doc, "x-version": expected or base["x-version"]}


def without_version(doc: Any) -> Any:
    """A document compared with the newer version: no x-version, sets in one order."""
    rules = RULES[Kind.EVENT]

    def plain(value: Any, key: str | None) -> Any:
        if isinstance(value, dict):
            return {k: plain(v, k) for k, v in value.items() if k != "x-version"}
        if isinstance(value, list):
            items = [plain(v, None) for v in value]
            return sorted(items, key=canonical) if key in rules.sets else items
        return value

    return plain(doc, None)


def git_conflicts(texts: tuple[str, str, str], folder: Path) -> bool:
    files = [folder / name for name in ("base.yaml", "ours.yaml", "theirs.yaml")]
    for file, text in zip(files, texts, strict=True):
        file.write_text(text)
    return merge_file(files[0], files[1], files[2], 7, ("ours", "theirs")) != 0


def measure(root: Path) -> Counts:
    counts = Counts()
    differ = Differ()
    with tempfile.TemporaryDirectory() as scratch:
        for history in versions(root):
            for old, new in itertools.pairwise(history):
                counts.pairs += 1
                units = changes(old, new)
                if len(units) < 2:
                    continue
                counts.merges += 1
                ours = bumped(old, applied(old, new, units[0::2]), differ)
                theirs = bumped(old, applied(old, new, units[1::2]), differ)
                texts = (yamlio.dump(old), yamlio.dump(ours), yamlio.dump(theirs))
                start = time.perf_counter()
                counts.git_conflicts += git_conflicts(texts, Path(scratch))
                counts.git_seconds += time.perf_counter() - start
                unbumped = (
                    texts[0],
                    yamlio.dump({**ours, "x-version": old["x-version"]}),
                    yamlio.dump({**theirs, "x-version": old["x-version"]}),
                )
                counts.git_conflicts_unbumped += git_conflicts(unbumped, Path(scratch))
                start = time.perf_counter()
                merged = merge_texts("events/e.yaml", *texts, differ)
                counts.driver_seconds += time.perf_counter() - start
                if merged is not None and not merged.conflicts:
                    counts.driver_clean += 1
                    counts.driver_exact += without_version(merged.doc) == without_version(new)
    return counts


def main() -> None:
    if not CORPUS.is_dir():
        print(f"  skipped: {CORPUS} is absent")
        return
    counts = measure(CORPUS)
    print(
        f"  {counts.pairs} consecutive version pairs; {counts.merges} with two or more changes, split over two branches"
    )
    print(
        f"  git merge-file conflicts on {counts.git_conflicts} of {counts.merges} "
        f"({counts.git_conflicts_unbumped} had neither branch bumped x-version)",
        flush=True,
    )
    print(
        f"  trackplan merge-driver merges {counts.driver_clean} of {counts.merges} cleanly, "
        f"{counts.driver_exact} to exactly the newer version",
        flush=True,
    )
    per_git, per_driver = counts.git_seconds / counts.merges, counts.driver_seconds / counts.merges
    print(
        f"  per merge: git merge-file {per_git * 1000:.1f} ms (a process), driver file merge "
        f"{per_driver * 1000:.1f} ms in-process ({per_driver / per_git:.1f}x)",
        flush=True,
    )


if __name__ == "__main__":
    main()

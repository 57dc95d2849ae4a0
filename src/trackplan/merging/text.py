"""A merged document written over ours' text: ours' comments and key order, theirs' changes.

Conflicts are written as git writes them, but only around the YAML of the conflicting
keys: the file is rendered twice, once with ours' value at each conflict and once with
theirs', and the two renderings differ only inside those keys' lines. Theirs' side of a
conflict shows theirs' own lines (with their comments) where they sit at the same indent.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any

from trackplan import yamlio
from trackplan.merging.documents import MISSING, Conflict, Path

Span = tuple[int, int]


@dataclass
class _Block:
    """Lines of both renderings that hold one or more conflicts (entries of one flow mapping share lines)."""

    ours: Span
    theirs: Span
    conflicts: list[Conflict]


def render(
    texts: tuple[str, str], merged: dict[str, Any], conflicts: list[Conflict], marker_size: int, labels: tuple[str, str]
) -> str | None:
    """The merged file over ours' text (`texts`: ours', theirs'); with conflicts, markers around
    each conflicting entry. None when the conflicting entries cannot be told apart in the text
    (the caller falls back to a line merge)."""
    ours_text, theirs_text = texts
    with_ours = yamlio.rewrite(ours_text, merged)
    if not conflicts:
        return with_ours
    other = copy.deepcopy(merged)
    for conflict in conflicts:
        _put(other, conflict.path, conflict.ours if conflict.theirs is MISSING else conflict.theirs)
    with_theirs = yamlio.rewrite(ours_text, other)
    blocks = _blocks(with_ours, with_theirs, conflicts)
    if blocks is None:
        return None
    ours_lines, theirs_lines = with_ours.splitlines(keepends=True), with_theirs.splitlines(keepends=True)
    out: list[str] = []
    at_ours = at_theirs = 0
    for block in blocks:
        if ours_lines[at_ours : block.ours[0]] != theirs_lines[at_theirs : block.theirs[0]]:
            return None
        out.extend(ours_lines[at_ours : block.ours[0]])
        out.append("<" * marker_size + f" {labels[0]}\n")
        if any(c.ours is not MISSING for c in block.conflicts):
            out.extend(_ended(ours_lines[block.ours[0] : block.ours[1]]))
        out.append("=" * marker_size + "\n")
        if any(c.theirs is not MISSING for c in block.conflicts):
            rendered = theirs_lines[block.theirs[0] : block.theirs[1]]
            out.extend(_ended(_as_written(theirs_text, block, rendered) or rendered))
        out.append(">" * marker_size + f" {labels[1]}\n")
        at_ours, at_theirs = block.ours[1], block.theirs[1]
    if ours_lines[at_ours:] != theirs_lines[at_theirs:]:
        return None
    out.extend(ours_lines[at_ours:])
    return "".join(out)


def _blocks(with_ours: str, with_theirs: str, conflicts: list[Conflict]) -> list[_Block] | None:
    spans = []
    for conflict in conflicts:
        mine, theirs = yamlio.value_lines(with_ours, conflict.path), yamlio.value_lines(with_theirs, conflict.path)
        if mine is None or theirs is None:
            return None
        spans.append(_Block(mine, theirs, [conflict]))
    blocks: list[_Block] = []
    for span in sorted(spans, key=lambda block: block.ours):
        if blocks and span.ours[0] < blocks[-1].ours[1]:
            last = blocks[-1]
            last.ours = (last.ours[0], max(last.ours[1], span.ours[1]))
            last.theirs = (last.theirs[0], max(last.theirs[1], span.theirs[1]))
            last.conflicts.extend(span.conflicts)
        else:
            blocks.append(span)
    return blocks


def _as_written(theirs_text: str, block: _Block, rendered: list[str]) -> list[str] | None:
    """Theirs' own lines for a block of one conflict on a path of keys, when they sit at the
    indent of the rendered lines; else None."""
    if len(block.conflicts) != 1 or not all(isinstance(part, str) for part in block.conflicts[0].path):
        return None
    span = yamlio.value_lines(theirs_text, block.conflicts[0].path)
    if span is None:
        return None
    own = theirs_text.splitlines(keepends=True)[span[0] : span[1]]
    indent = len(rendered[0]) - len(rendered[0].lstrip(" "))
    return own if own and len(own[0]) - len(own[0].lstrip(" ")) == indent else None


def _ended(lines: list[str]) -> list[str]:
    """A file's last line may lack its newline; inside markers it needs one."""
    if lines and not lines[-1].endswith("\n"):
        return [*lines[:-1], lines[-1] + "\n"]
    return lines


def _put(doc: Any, path: Path, value: Any) -> None:
    node = doc
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value

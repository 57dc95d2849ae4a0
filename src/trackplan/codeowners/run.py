"""The codeowners use case: the owners of each plan file at a ref, as a managed block of
`.github/CODEOWNERS`, written into the work tree (like codegen's output, for people to commit)
or compared with the file (`--check`, and `ci` with the committed one).

An event file is owned by its owning domain (trackplan.yaml `domains: [{name, github}]`) and by
the owners of every tracking plan whose specifications reference the event; a tracking-plan
file by its plan's owner and its domain's owner. A plan's `owner` is a GitHub owner itself
(`@user`, `@org/team`, an email) or the name of a domain. GitHub takes the last pattern that
matches a file, so the block names each file exactly and always comes last in the file; a file
without owners gets no line, which would clear what earlier lines give it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from trackplan.errors import InputError
from trackplan.model import Settings
from trackplan.model.tracking_plans import EventSpecification
from trackplan.repo.atomic import atomic_write
from trackplan.repo.reading import LoadedPlan
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import read_tracking_plans
from trackplan.trackingplans.references import referenced_event

CODEOWNERS_FILE = ".github/CODEOWNERS"
BEGIN = "# BEGIN trackplan codeowners: generated from trackplan.yaml and tracking-plans/ by `trackplan codeowners`"
END = "# END trackplan codeowners"
_OWNER = re.compile(r"@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:/[A-Za-z0-9_.-]+)?|[^@\s]+@[^@\s]+\.[^@\s]+")
_SPECIAL = re.compile(r"([\\ #*?\[\]!])")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class Ownership:
    """The block's lines, (repository path, owners) by path, and why some owners were left out."""

    lines: tuple[tuple[str, tuple[str, ...]], ...]
    notes: tuple[str, ...]

    @property
    def block(self) -> str:
        rows = [f"{pattern(path)} {' '.join(owners)}" for path, owners in self.lines]
        return "\n".join([BEGIN, *rows, END]) + "\n"


def pattern(path: str) -> str:
    """A CODEOWNERS pattern for exactly one file: anchored at the root, gitignore's special characters escaped."""
    return "/" + _SPECIAL.sub(r"\\\1", path)


class _Owners:
    """GitHub owners from trackplan.yaml's domains and plan owners; each unusable name noted once."""

    def __init__(self, settings: Settings) -> None:
        self.domains = {d.name.casefold(): d.github for d in settings.domains}
        self.notes: dict[str, str] = {}

    def of(self, who: str | None, what: str) -> list[str]:
        if not who:
            return []
        if _OWNER.fullmatch(who):
            return [who]
        github = self.domains.get(who.casefold())
        if github and _OWNER.fullmatch(github):
            return [github]
        if github:
            self.notes.setdefault(f"g:{who}", f"domain {who!r}: github {github!r} is not @user, @org/team or an email")
        elif who.casefold() not in self.domains:
            self.notes.setdefault(who, f"{what}: owner {who!r} is no GitHub owner and no domain of trackplan.yaml")
        return []


def ownership(ws: Workspace, ref: str) -> Ownership:
    """Who owns each event and tracking-plan file of the plan at `ref` (or the work tree)."""
    loaded = ws.load(ref)
    owners = _Owners(loaded.settings)
    by_path: dict[str, list[str]] = {}
    for name, path in loaded.event_paths.items():
        event = loaded.event(name)
        by_path[path] = owners.of(event.owner if event else None, f"event {name!r}")
    for file in read_tracking_plans(ws, ref):
        plan = file.plan
        plan_owners = owners.of(plan.owner, f"tracking plan {plan.name!r}")
        domain_owners = owners.of(plan.domain, f"tracking plan {plan.name!r}")
        by_path[file.path] = [*plan_owners, *domain_owners]
        for path in _referenced_paths(loaded, plan.event_specifications):
            by_path.setdefault(path, []).extend(plan_owners or domain_owners)
    lines, notes = [], list(owners.notes.values())
    for path, found in sorted(by_path.items()):
        if _CONTROL.search(path):
            notes.append(f"{path!r}: a control character in the path; CODEOWNERS cannot name it")
        elif found:
            lines.append((ws.repo_path(path), tuple(dict.fromkeys(found))))
    return Ownership(tuple(lines), tuple(notes))


def _referenced_paths(loaded: LoadedPlan, specifications: tuple[EventSpecification, ...]) -> list[str]:
    paths = []
    for spec in specifications:
        event = referenced_event(loaded, spec.event)
        if event is not None and event.name in loaded.event_paths:
            paths.append(loaded.event_paths[event.name])
    return paths


def with_block(text: str | None, block: str, has_owners: bool) -> str | None:
    """The file's text with the managed block in it, last (None: no file is needed). The text
    outside the block stays as people wrote it."""
    kept = (text or "").splitlines(keepends=True)
    begin = next((i for i, line in enumerate(kept) if line.rstrip("\n") == BEGIN), None)
    if begin is not None:
        end = next((i for i in range(begin, len(kept)) if kept[i].rstrip("\n") == END), None)
        if end is None:
            raise InputError(f"{CODEOWNERS_FILE}:{begin + 1}: the trackplan block has no `{END}` line; restore it")
        kept[begin : end + 1] = []
    elif not has_owners:
        return text
    rest = "".join(kept).rstrip("\n")
    return f"{rest}\n\n{block}" if rest else block


def codeowners_path(ws: Workspace) -> Path:
    if ws.store.workdir is None:
        raise InputError("codeowners writes .github/CODEOWNERS into a work tree; this repository has none")
    return Path(ws.store.workdir) / CODEOWNERS_FILE


@dataclass(frozen=True)
class Outcome:
    up_to_date: bool
    message: str
    ownership: Ownership


def write(ws: Workspace, ref: str) -> Outcome:
    """Write the block into the work tree's `.github/CODEOWNERS` (made when owners exist)."""
    found = ownership(ws, ref)
    target = codeowners_path(ws)
    current = target.read_text(encoding="utf-8") if target.is_file() else None
    wanted = with_block(current, found.block, bool(found.lines))
    if wanted is None or wanted == current:
        return Outcome(True, f"{CODEOWNERS_FILE} is up to date: {len(found.lines)} files owned", found)
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, wanted.encode())
    return Outcome(True, f"wrote {CODEOWNERS_FILE}: {len(found.lines)} files owned", found)


def check(ws: Workspace, ref: str, current: str | None) -> Outcome:
    """Whether `current` (the file's text, None when there is none) holds the block the plan at
    `ref` gives, last in the file."""
    found = ownership(ws, ref)
    wanted = with_block(current, found.block, bool(found.lines))
    if wanted == current:
        return Outcome(True, f"{CODEOWNERS_FILE} is up to date with the plan at {ref}", found)
    return Outcome(
        False,
        f"{CODEOWNERS_FILE} is stale: the owners the plan at {ref} gives differ, or their block is not last "
        "(GitHub takes the last matching line); run `trackplan codeowners` and commit the file",
        found,
    )


def committed_text(ws: Workspace, ref: str) -> str | None:
    """`.github/CODEOWNERS` as committed at `ref`, or None."""
    blob = ws.store.blob_at(ws.store.resolve(ref), CODEOWNERS_FILE)
    return ws.read_blob(blob).decode("utf-8", "replace") if blob is not None else None

"""A server's imports read only the events they touch: the plan-wide questions of the merge
are answered by an index of the plan tree, kept in the server's memo.

The merge (merge.py) asks few things of the events an import does not name: which event has an
id, which events use a property (its first definition; under the plan-wide model with an
update, every event using it), and whether the events name sources or domains the settings do
not declare. `PlanIndex` (repo/cache.py) answers them for one tree. The first import into a
tree builds it from the whole plan; each commit derives the next tree's index from the tree
diff, so the next import reads only the events it may change. The merge then runs, unchanged,
on that part of the plan: every other event is left alone by the full merge too (a property
they share is reached through its users), so both give the same commit. Where the index cannot
vouch for that (sync and source imports, undeclared sources or domains, duplicate names or
ids), the import reads the whole plan. What is left growing with the plan is copying the
index's maps for the next tree and the sets of files using each property the import names.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from trackplan.model import Event, Plan
from trackplan.repo.cache import EventFacts, PlanIndex
from trackplan.repo.paths import is_event_file, is_plan_file
from trackplan.repo.reading import LoadedPlan, event_from_document
from trackplan.repo.workspace import Workspace

UPDATES = ("addAndUpdate", "addUpdateAndRemove")


def known_index(ws: Workspace, tree: str | None) -> PlanIndex | None:
    """The index the server keeps of `tree`, if any."""
    return ws.memo.index(tree) if ws.memo is not None and tree is not None else None


def load_indexed(ws: Workspace, index: PlanIndex) -> LoadedPlan:
    """The plan of an indexed tree: no tree listing, no title lookups."""
    return LoadedPlan(
        index.blob_ids,
        lambda path, _: index.facts[path].name,
        ws.parsed,
        on_built=ws.cache.flush,
        memoized=ws.memo.event if ws.memo is not None else None,
        event_paths=index.event_paths,
    )


def indexed(ws: Workspace, tree: str, before: LoadedPlan) -> PlanIndex | None:
    """In a server, the index of `tree` built from its whole plan `before` (already built), kept."""
    if ws.memo is None:
        return None
    index = index_of(before)
    if index is not None:
        ws.memo.keep_index(tree, index)
    return index


def follow(ws: Workspace, index: PlanIndex, old_tree: str, commit: str) -> None:
    """Keep the index of the tree `commit` left, derived from `index`, the one of `old_tree`."""
    new_tree = ws.store.subtree_id(commit, ws.prefix)
    if ws.memo is not None and new_tree is not None:
        found = derived(ws, index, old_tree, new_tree)
        if found is not None:
            ws.memo.keep_index(new_tree, found)


def facts_of(event: Event) -> EventFacts:
    domains = (*event.stakeholders, *([event.owner] if event.owner else []))
    return EventFacts(event.name, event.id, frozenset(event.property_names), tuple(event.sources), domains)


def index_of(loaded: LoadedPlan) -> PlanIndex | None:
    """The index of a whole loaded plan (its model is built); None when names or ids repeat."""
    if loaded.warnings:
        return None
    facts = {path: facts_of(event) for path, event in zip(loaded.event_paths.values(), loaded.plan.events, strict=True)}
    ids = {f.id: path for path, f in facts.items() if f.id}
    if len(ids) != sum(1 for f in facts.values() if f.id):
        return None
    users: dict[str, set[str]] = {}
    for path, fact in facts.items():
        for name in fact.properties:
            users.setdefault(name, set()).add(path)
    return PlanIndex(
        dict(loaded.blob_ids),
        dict(loaded.event_paths),
        facts,
        ids,
        {name: frozenset(paths) for name, paths in users.items()},
        dict(Counter(s for f in facts.values() for s in f.sources)),
        dict(Counter(d for f in facts.values() for d in f.domains)),
    )


def touched(
    index: PlanIndex, before: LoadedPlan, incoming: Plan, method: str, source: str | None, scope: str
) -> set[str] | None:
    """The event files an import of `incoming` into `before` (indexed by `index`, property
    model `scope`) may read or change, or None when it needs the whole plan. Under the `event`
    model, or without an update, a property's first definition is all the merge reads of the
    events using it."""
    settings = before.settings
    if method == "sync" or source is not None:
        return None
    declared_sources = {s.name for s in settings.sources}
    declared_domains = {d.name for d in settings.domains}
    if any(s not in declared_sources for s in index.sources) or any(d not in declared_domains for d in index.domains):
        return None  # the merge would declare them, from events the import does not name
    every_user = method in UPDATES and scope == "plan"
    paths: set[str] = set()
    for event in incoming.events:
        for found in (index.ids.get(event.id) if event.id else None, before.event_paths.get(event.name)):
            if found is not None:
                paths.add(found)
        for prop in event.properties:
            users = index.users.get(prop.name)
            if users:
                paths.update(users if every_user else (min(users),))
    return paths


def derived(ws: Workspace, index: PlanIndex, old_tree: str, new_tree: str) -> PlanIndex | None:
    """The index of `new_tree`, from the index of `old_tree` and the diff of the two trees;
    None when the new tree repeats an event name or id."""
    blob_ids = dict(index.blob_ids)
    event_paths = dict(index.event_paths)
    facts = dict(index.facts)
    ids = dict(index.ids)
    users: dict[str, set[str]] = {}
    sources, domains = Counter(index.sources), Counter(index.domains)
    changes = [(p, old, new) for p, old, new in ws.store.diff_trees(old_tree, new_tree) if is_plan_file(p)]
    for path, _, new in changes:
        if new is None:
            blob_ids.pop(path, None)
        else:
            blob_ids[path] = new
        old_fact = facts.pop(path, None) if is_event_file(path) else None
        if old_fact is not None:
            del event_paths[old_fact.name]
            _count(index, users, old_fact, path, sources, domains, -1)
            if old_fact.id is not None:
                ids.pop(old_fact.id, None)
    for path, _, new in changes:
        if new is None or not is_event_file(path):
            continue
        fact = facts_of(_event(ws, path, new))
        if fact.name in event_paths or (fact.id is not None and fact.id in ids):
            return None
        event_paths[fact.name] = path
        if fact.id is not None:
            ids[fact.id] = path
        facts[path] = fact
        _count(index, users, fact, path, sources, domains, 1)
    every = {**index.users, **{name: frozenset(paths) for name, paths in users.items()}}
    return PlanIndex(
        blob_ids,
        event_paths,
        facts,
        ids,
        {name: paths for name, paths in every.items() if paths},
        {s: n for s, n in sources.items() if n > 0},
        {d: n for d, n in domains.items() if n > 0},
    )


def _count(
    index: PlanIndex,
    users: dict[str, set[str]],
    fact: EventFacts,
    path: str,
    sources: Counter[str],
    domains: Counter[str],
    sign: int,
) -> None:
    """Add (sign 1) or take away (-1) one event's facts; `users` holds copies of the changed sets."""
    for name in fact.properties:
        paths = users.setdefault(name, set(index.users.get(name, ())))
        if sign > 0:
            paths.add(path)
        else:
            paths.discard(path)
    _tally(sources, fact.sources, sign)
    _tally(domains, fact.domains, sign)


def _tally(counts: Counter[str], names: Iterable[str], sign: int) -> None:
    for name in names:
        counts[name] += sign


def _event(ws: Workspace, path: str, blob_id: str) -> Event:
    if ws.memo is None:
        return event_from_document(ws.parsed(path, blob_id), path)
    return ws.memo.event(path, blob_id, lambda: event_from_document(ws.parsed(path, blob_id), path))

"""The lint rules of tracking-plan files (TP140 to TP149, catalogued in
linting/tracking_plan_rules.py): the file format, unique names and ids, what the plans name
(events, domains, owners, source applications and their app ids), published plans that
specify drafts, and the compatibility of each narrowing with its event's schema.

The checks read the files' texts and look events up through a function, so `validate` runs
them on files given as bytes and on a plan at a ref alike.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats.snowplow import DEFAULT_VENDOR
from trackplan.linting.findings import Finding, parse_error, positions
from trackplan.model import Event, Settings
from trackplan.model.tracking_plans import PlanFieldError, TrackingPlan
from trackplan.repo.reading import LoadedPlan, build_plan, parse_document
from trackplan.trackingplans.compatibility import INCOMPATIBLE, UNDECIDABLE, narrowing_verdicts
from trackplan.trackingplans.layout import is_tracking_plan_file
from trackplan.trackingplans.references import IGLU_URI, referenced_event
from trackplan.trackingplans.schema import schema_errors

EventOf = Callable[[str], Event | None]
"""An event specification's `event` (a name or an Iglu URI) -> the plan's event, or None."""
NOT_PUBLISHED = ("draft", "deprecated")


def lint_tracking_plan_files(files: Mapping[str, bytes], settings: Settings) -> list[Finding]:
    """The findings in the tracking-plan files among plan files given as bytes."""
    texts = {p: data.decode("utf-8", "replace") for p, data in files.items() if is_tracking_plan_file(p)}
    if not texts:
        return []
    loaded = build_plan({path: path for path in files}, lambda path, blob: parse_document(files[blob], path))
    return tracking_plan_findings(texts, settings, lambda reference: referenced_event(loaded, reference))


def lint_tracking_plans(
    texts: Mapping[str, str], settings: Settings, loaded: Callable[[], LoadedPlan]
) -> list[Finding]:
    """The findings in tracking-plan files ({plan path: text}) of the plan `loaded()` gives,
    which is loaded only when there are tracking plans."""
    if not texts:
        return []
    plan = loaded()
    return tracking_plan_findings(texts, settings, lambda reference: referenced_event(plan, reference))


def tracking_plan_findings(texts: Mapping[str, str], settings: Settings, event_of: EventOf) -> list[Finding]:
    findings: list[Finding] = []
    plans: list[tuple[str, TrackingPlan]] = []
    for path, text in sorted(texts.items()):
        read, plan = _read(path, text)
        findings += read
        if plan is not None:
            plans.append((path, plan))
    placed = [*_duplicate_names(plans), *_duplicate_ids(plans)]
    for path, plan in plans:
        placed += [*_settings_references(path, plan, settings), *_specifications(path, plan, settings, event_of)]
    for path, text in texts.items():
        positions(text, [f for f in placed if f.file == path])
    return [*findings, *placed]


def _read(path: str, text: str) -> tuple[list[Finding], TrackingPlan | None]:
    try:
        doc = yamlio.load(text, path)
    except InputError as exc:
        return [parse_error(path, exc)], None
    errors = schema_errors(doc)
    if errors:
        found = [Finding.of("TP140", path, f"{where}: {message}", where=_where(where)) for where, message in errors]
        positions(text, found)
        return found, None
    try:
        return [], TrackingPlan.from_json(doc)
    except PlanFieldError as exc:
        found = [Finding.of("TP140", path, str(exc), where=_where(exc.field))]
        positions(text, found)
        return found, None


def _where(field: str) -> tuple[str, ...]:
    return () if field == "document" else tuple(field.replace("[", ".").replace("]", "").split("."))


def _duplicate_names(plans: list[tuple[str, TrackingPlan]]) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for path, plan in plans:
        other = seen.setdefault(plan.name.casefold(), path)
        if other != path:
            yield Finding.of(
                "TP141", path, f"tracking plan name `{plan.name}` is also used by {other}", where=("name",)
            )
        names: set[str] = set()
        for index, spec in enumerate(plan.event_specifications):
            if spec.name.casefold() in names:
                message = f"tracking plan `{plan.name}` has two specifications named `{spec.name}`"
                yield Finding.of("TP141", path, message, where=("eventSpecifications", str(index), "name"))
            names.add(spec.name.casefold())


def _duplicate_ids(plans: list[tuple[str, TrackingPlan]]) -> Iterator[Finding]:
    seen: dict[str, str] = {}
    for path, plan in plans:
        for where, noun, value in _ids(plan):
            if value in seen:
                yield Finding.of("TP142", path, f"{noun} id {value} is also used in {seen[value]}", where=where)
            else:
                seen[value] = path


def _ids(plan: TrackingPlan) -> Iterator[tuple[tuple[str, ...], str, str]]:
    yield ("id",), "tracking plan", str(plan.id)
    for i, spec in enumerate(plan.event_specifications):
        yield ("eventSpecifications", str(i), "id"), "event specification", str(spec.id)
        for j, trigger in enumerate(spec.triggers):
            yield ("eventSpecifications", str(i), "triggers", str(j), "id"), "trigger", str(trigger.id)


def _settings_references(path: str, plan: TrackingPlan, settings: Settings) -> Iterator[Finding]:
    if plan.domain is not None and plan.domain not in settings.domain_names:
        known = ", ".join(settings.domain_names) or "none"
        yield Finding.of(
            "TP144", path, f"domain `{plan.domain}` is not in trackplan.yaml (domains: {known})", where=("domain",)
        )
    owners = {
        *settings.domain_names,
        *(d.github for d in settings.domains if d.github),
        *map(str, settings.get("owners") or ()),
    }
    if plan.owner is not None and plan.owner not in owners:
        yield Finding.of(
            "TP145",
            path,
            f"owner `{plan.owner}` is not a domain, a domain's github owner or in `owners`",
            where=("owner",),
        )
    sources = {s.name: s for s in settings.sources}
    for index, name in enumerate(plan.source_applications):
        if name not in sources:
            message = f"source application `{name}` is not a source in trackplan.yaml"
            yield Finding.of("TP146", path, message, where=("sourceApplications", str(index)))
    app_ids = {app for name in plan.source_applications if name in sources for app in sources[name].app_ids}
    for i, spec in enumerate(plan.event_specifications):
        for j, excluded in enumerate(spec.excluded_source_applications):
            if excluded not in plan.source_applications:
                message = f"`{spec.name}` excludes `{excluded}`, which is not one of the plan's source applications"
                yield Finding.of(
                    "TP146", path, message, where=("eventSpecifications", str(i), "excludedSourceApplications", str(j))
                )
        for j, trigger in enumerate(spec.triggers):
            for k, app in enumerate(trigger.app_ids):
                if app not in app_ids:
                    message = f"`{spec.name}`: app id `{app}` is not an app id of the plan's source applications"
                    where = ("eventSpecifications", str(i), "triggers", str(j), "appIds", str(k))
                    yield Finding.of("TP146", path, message, where=where)


def _specifications(path: str, plan: TrackingPlan, settings: Settings, event_of: EventOf) -> Iterator[Finding]:
    vendor = str(settings.get("vendor") or DEFAULT_VENDOR)
    verdicts = narrowing_verdicts(plan, event_of)
    for i, spec in enumerate(plan.event_specifications):
        at = ("eventSpecifications", str(i))
        event = event_of(spec.event)
        if event is None:
            yield Finding.of(
                "TP143",
                path,
                f"`{spec.name}` names `{spec.event}`, which is no event of the plan",
                where=(*at, "event"),
            )
        for kind, entities in (("tracked", spec.entities.tracked), ("enriched", spec.entities.enriched)):
            for j, entity in enumerate(entities):
                match = IGLU_URI.match(entity.source)
                if match is not None and match["vendor"] == vendor and event_of(entity.source) is None:
                    message = f"`{spec.name}`: entity `{entity.source}` is no event of the plan"
                    yield Finding.of("TP143", path, message, where=(*at, "entities", kind, str(j), "source"))
        if plan.status == "published":
            if spec.status in NOT_PUBLISHED:
                message = f"published tracking plan `{plan.name}` has a {spec.status} specification `{spec.name}`"
                yield Finding.of("TP147", path, message, where=(*at, "status"))
            if event is not None and event.status in NOT_PUBLISHED:
                message = f"published tracking plan `{plan.name}` specifies {event.status} event `{event.name}`"
                yield Finding.of("TP147", path, message, where=(*at, "event"))
        verdict = verdicts.get(spec.id)
        if verdict is not None and event is not None and verdict.result in (INCOMPATIBLE, UNDECIDABLE):
            rule = "TP148" if verdict.result == INCOMPATIBLE else "TP149"
            message = f"`{spec.name}`: the narrowing is {verdict.result} with event `{event.name}`: {verdict.reason}"
            yield Finding.of(rule, path, message, where=(*at, "schema"))

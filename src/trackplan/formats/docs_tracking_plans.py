"""The docs' section for each tracking plan (a maker of `docs.SECTION_MAKERS`): its status,
domain, owner, sources and access instructions, and a table of its event specifications with
their triggers, each linked to the event it names (by name, or by the event's Iglu URI)."""

from __future__ import annotations

from collections.abc import Mapping

from trackplan.formats.base import WriteOptions
from trackplan.formats.docs import Anchors, Section, escape, md_cell, unique_anchors
from trackplan.formats.snowplow_dp import event_names
from trackplan.model import Plan
from trackplan.model.tracking_plans import EventSpecification, TrackingPlan, Trigger

COLUMNS = ("Specification", "Event", "Status", "Triggers", "Excluded sources", "Description")


def sections(plan: Plan, options: WriteOptions) -> list[Section]:
    """One section per tracking plan, in name order."""
    plans = sorted(options.tracking_plans, key=lambda p: p.name.casefold())
    ids = unique_anchors("tracking-plan", (p.name for p in plans))
    events = Anchors.of(plan).events
    by_uri = event_names(plan)
    links = {ref: events[name] for ref, name in by_uri.items() if name in events} | dict(events)
    return [Section(ids[p.name], f"Tracking plan: {p.name}", _html(p, links), _markdown(p, links)) for p in plans]


def _facts(plan: TrackingPlan) -> list[tuple[str, str]]:
    facts = [
        ("Status", plan.status),
        ("Domain", plan.domain or ""),
        ("Owner", plan.owner or ""),
        ("Sources", ", ".join(plan.source_applications)),
        ("Id", str(plan.id)),
    ]
    return [(k, v) for k, v in facts if v]


def _trigger_text(trigger: Trigger) -> str:
    where = ", ".join([*trigger.app_ids, *([trigger.url] if trigger.url else [])])
    return f"{trigger.description} ({where})" if where else trigger.description


def _markdown(plan: TrackingPlan, links: Mapping[str, str]) -> str:
    out = [plan.description.strip(), ""] if plan.description.strip() else []
    out += [" · ".join(f"**{k}:** {md_cell(v)}" for k, v in _facts(plan)), ""]
    if plan.access_instructions.strip():
        out += [f"**Access:** {md_cell(plan.access_instructions)}", ""]
    if plan.event_specifications:
        out += ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
        out += [_markdown_row(spec, links) for spec in plan.event_specifications]
    return "\n".join(out).rstrip() + "\n"


def _markdown_row(spec: EventSpecification, links: Mapping[str, str]) -> str:
    event = f"[{md_cell(spec.event)}](#{links[spec.event]})" if spec.event in links else f"`{md_cell(spec.event)}`"
    triggers = "; ".join(md_cell(_trigger_text(t)) for t in spec.triggers)
    cells = [md_cell(spec.name), event, spec.status, triggers, md_cell(", ".join(spec.excluded_source_applications))]
    return "| " + " | ".join([*cells, md_cell(spec.description)]) + " |"


def _html(plan: TrackingPlan, links: Mapping[str, str]) -> str:
    facts = " · ".join(f"<b>{k}:</b> {escape(v)}" for k, v in _facts(plan))
    out = f"<p>{escape(plan.description)}</p>" if plan.description.strip() else ""
    out += f'<p class="facts">{facts}</p>'
    if plan.access_instructions.strip():
        out += f"<p><b>Access:</b> {escape(plan.access_instructions)}</p>"
    if not plan.event_specifications:
        return out
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in COLUMNS) + "</tr>"
    rows = "".join(_html_row(spec, links) for spec in plan.event_specifications)
    return f'{out}<div class="scroll"><table>{head}{rows}</table></div>'


def _html_row(spec: EventSpecification, links: Mapping[str, str]) -> str:
    name = f"<code>{escape(spec.event)}</code>"
    event = f'<a href="#{escape(links[spec.event])}">{name}</a>' if spec.event in links else name
    triggers = "<br>".join(escape(_trigger_text(t)) for t in spec.triggers)
    excluded = escape(", ".join(spec.excluded_source_applications))
    cells = [escape(spec.name), event, escape(spec.status), triggers, excluded, escape(spec.description)]
    labelled = "".join(
        f'<td data-label="{column}">{cell}</td>' for column, cell in zip(COLUMNS[1:], cells[1:], strict=True)
    )
    return f"<tr><td>{cells[0]}</td>{labelled}</tr>"

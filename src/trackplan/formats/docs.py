"""Documentation of a plan for people: Markdown that reads well on GitHub, and one
self-contained HTML file (no network) with a search box.

Every anchor is unique: names whose slugs collide (`Checkout Completed`, `checkout_completed`)
get `-2`, `-3` in name order. The HTML page carries the plan once as JSON and renders what
is looked at (`docs_page.py`), so a plan of 20,000 events stays a page a browser opens. Other
modules add sections after the events through `SECTION_MAKERS`."""

from __future__ import annotations

import html
import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from trackplan.formats.base import WriteOptions
from trackplan.formats.docs_page import CSS, SCRIPT
from trackplan.model import Event, Plan, Property
from trackplan.model.slugs import slugify

UNCATEGORISED = "Uncategorised"
COLUMNS = ("Property", "Type", "Required", "Allowed values", "Pattern", "Description")

# "module:function" of each maker of sections after the events, imported when the docs are written.
# A maker takes (plan, options) and returns a sequence of `Section`s.
SECTION_MAKERS: tuple[str, ...] = ("trackplan.formats.docs_tracking_plans:sections",)


@dataclass(frozen=True)
class Section:
    """A part of the docs after the events: its anchor and title, which the contents link to,
    and its body in each format (HTML escaped by its maker)."""

    anchor: str
    title: str
    html: str
    markdown: str


@dataclass(frozen=True)
class Anchors:
    """The id of every event, category and property, unique within each kind."""

    events: Mapping[str, str]
    categories: Mapping[str, str]
    properties: Mapping[str, str]

    @classmethod
    def of(cls, plan: Plan) -> Anchors:
        categories = [category for category, _ in _by_category(plan)]
        properties = [prop.name for event in plan.events for prop in event.properties]
        return cls(
            unique_anchors("event", (event.name for event in plan.events)),
            unique_anchors("category", categories),
            unique_anchors("property", properties),
        )


def unique_anchors(kind: str, names: Iterable[str]) -> dict[str, str]:
    """`kind-slug` for each name; names whose slugs collide, in name order, add -2, -3."""
    anchors: dict[str, str] = {}
    taken: set[str] = set()
    for name in sorted(set(names)):
        base = anchor = f"{kind}-{slugify(name)}"
        suffix = 1
        while anchor in taken:
            suffix += 1
            anchor = f"{base}-{suffix}"
        anchors[name] = anchor
        taken.add(anchor)
    return anchors


def _sections(plan: Plan, options: WriteOptions) -> list[Section]:
    """The user properties, then what each of `SECTION_MAKERS` adds."""
    sections = [_user_properties(plan.identify)] if plan.identify else []
    for maker in SECTION_MAKERS:
        module, function = maker.split(":")
        make: Callable[[Plan, WriteOptions], Sequence[Section]] = getattr(importlib.import_module(module), function)
        sections.extend(make(plan, options))
    return sections


def _user_properties(identify: Event) -> Section:
    table = "\n".join(_md_props(identify.properties, {}))
    return Section("user-properties", "User properties", _html_props(identify.properties), table)


def _type(prop: Property) -> str:
    kind = prop.type
    if kind == "array":
        items = prop.schema.get("items")
        inner = items.get("type") if isinstance(items, Mapping) else None
        return f"list of {inner or 'any'}"
    if isinstance(kind, tuple):
        return " or ".join(str(k) for k in kind)
    return str(kind or "any")


def _allowed(prop: Property) -> list[str]:
    values = prop.enum
    if prop.type == "array" and hasattr(prop.schema.get("items"), "get"):
        values = prop.schema["items"].get("enum")
    if prop.const is not None:
        return [json.dumps(prop.const, ensure_ascii=False)]
    return [json.dumps(v, ensure_ascii=False) if not isinstance(v, str) else v for v in values or ()]


def _by_category(plan: Plan) -> list[tuple[str, list[Event]]]:
    groups: dict[str, list[Event]] = {}
    for event in plan.events:
        for category in event.categories or [UNCATEGORISED]:
            groups.setdefault(category, []).append(event)
    return sorted(groups.items(), key=lambda item: (item[0] == UNCATEGORISED, item[0].lower()))


def _property_users(plan: Plan) -> dict[str, list[Event]]:
    users: dict[str, list[Event]] = {}
    for event in plan.events:
        for prop in event.properties:
            users.setdefault(prop.name, []).append(event)
    return dict(sorted(users.items(), key=lambda item: item[0].lower()))


def md_cell(text: Any) -> str:
    """A Markdown table cell: no pipes or line breaks."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _md_props(props: Iterable[Property], anchors: Mapping[str, str]) -> list[str]:
    """The properties' table; names link to the properties list when `anchors` names them."""
    lines = [
        "| Property | Type | Required | Allowed values | Pattern | Description |",
        "|---|---|---|---|---|---|",
    ]
    for prop in props:
        name = f"`{md_cell(prop.name)}`"
        if prop.name in anchors:
            name = f"[{name}](#{anchors[prop.name]})"
        if _sent_as(prop):
            name += f" ({_sent_as(prop)})"
        allowed = ", ".join(f"`{md_cell(v)}`" for v in _allowed(prop))
        pattern = f"`{md_cell(prop.pattern)}`" if prop.pattern else ""
        required = "yes" if prop.required else "no"
        lines.append(f"| {name} | {_type(prop)} | {required} | {allowed} | {pattern} | {md_cell(prop.description)} |")
    return lines


def _sent_as(prop: Property) -> str:
    """`user`, `system` or `group` for a property not sent with the event's own properties."""
    return "" if prop.send_as == "EventProperty" else prop.send_as.removesuffix("Property").lower()


def write_markdown(plan: Plan, options: WriteOptions) -> bytes:
    anchors, sections = Anchors.of(plan), _sections(plan, options)
    built = f"`{options.label}`" + (f" at commit `{options.commit[:12]}`" if options.commit else "")
    out = [f"# {plan.settings.name}", "", f"Built from {built}. {len(plan.events)} events.", ""]
    categories = _by_category(plan)
    out += ["## Contents", ""]
    out += [f"- [{md_cell(c)}](#{anchors.categories[c]}) ({len(es)})" for c, es in categories]
    out += ["- [Events by source](#events-by-source)", "- [Properties](#properties)"]
    out += [f"- [{md_cell(section.title)}](#{section.anchor})" for section in sections]
    out += ["- [Owners and stakeholders](#owners-and-stakeholders)", ""]
    for category, events in categories:
        out += [f'<a id="{anchors.categories[category]}"></a>', f"## {md_cell(category)}", ""]
        for event in events:
            out += _md_event(event, anchors)
    out += ["## Events by source", ""]
    link = {e.name: f"[{md_cell(e.name)}](#{anchors.events[e.name]})" for e in plan.events}
    for source in sorted({s for e in plan.events for s in e.sources}):
        out.append(f"- **{md_cell(source)}**: " + ", ".join(link[e.name] for e in plan.events if source in e.sources))
    out += ["", "## Properties", ""]
    for name, users in _property_users(plan).items():
        used_by = ", ".join(link[e.name] for e in users)
        out.append(f'- <a id="{anchors.properties[name]}"></a>`{md_cell(name)}`: {used_by}')
    for section in sections:
        out += ["", f'<a id="{section.anchor}"></a>', f"## {md_cell(section.title)}", "", section.markdown.rstrip()]
    out += ["", "## Owners and stakeholders", "", "| Domain | Owns | Stakeholder of |", "|---|---|---|"]
    domains = sorted({d for e in plan.events for d in (*e.stakeholders, *([e.owner] if e.owner else []))})
    for domain in domains:
        owns = ", ".join(link[e.name] for e in plan.events if e.owner == domain)
        holds = ", ".join(md_cell(e.name) for e in plan.events if domain in e.stakeholders)
        out.append(f"| {md_cell(domain)} | {owns} | {holds} |")
    return ("\n".join(out).rstrip() + "\n").encode()


def _md_event(event: Event, anchors: Anchors) -> list[str]:
    out = [f'<a id="{anchors.events[event.name]}"></a>', f"### {md_cell(event.name)}", ""]
    if event.description:
        out += [event.description.strip(), ""]
    facts = [
        ("Owner", event.owner),
        ("Stakeholders", ", ".join(event.stakeholders)),
        ("Sources", ", ".join(event.sources)),
        ("Tags", ", ".join(f"`{t}`" for t in event.tags)),
        ("Version", event.version),
        ("Status", event.status),
        ("Id", f"`{event.id}`" if event.id else None),
    ]
    out += [" · ".join(f"**{k}:** {v}" for k, v in facts if v), ""]
    if event.properties:
        out += [*_md_props(event.properties, anchors.properties), ""]
    return out


def escape(text: Any) -> str:
    """Text for HTML, in an element or an attribute."""
    return html.escape(str(text), quote=True)


def _html_props(props: Iterable[Property]) -> str:
    """A static properties table (the user properties'); the page's script renders the events' own."""
    rows = []
    for prop in props:
        name = f"<code>{escape(prop.name)}</code>" + (f" ({escape(_sent_as(prop))})" if _sent_as(prop) else "")
        allowed = " ".join(f"<code>{escape(v)}</code>" for v in _allowed(prop))
        pattern = f"<code>{escape(prop.pattern)}</code>" if prop.pattern else ""
        cells = (escape(_type(prop)), "yes" if prop.required else "no", allowed, pattern, escape(prop.description))
        labelled = "".join(
            f'<td data-label="{label}">{cell}</td>' for label, cell in zip(COLUMNS[1:], cells, strict=True)
        )
        rows.append(f"<tr><td>{name}</td>{labelled}</tr>")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in COLUMNS) + "</tr>"
    return f'<div class="scroll"><table>{head}{"".join(rows)}</table></div>'


def catalogue(plan: Plan, anchors: Anchors) -> dict[str, list[Any]]:
    """The plan as the page's script reads it (the shape is in docs_page.py): each distinct
    property definition once, events referring to it by index."""
    definitions: dict[tuple[Any, ...], int] = {}
    events: list[list[Any]] = []
    for event in plan.events:
        refs = []
        for prop in event.properties:
            definition = (
                prop.name,
                anchors.properties[prop.name],
                _type(prop),
                tuple(_allowed(prop)),
                prop.pattern or "",
                prop.description,
                _sent_as(prop),
            )
            refs.append(definitions.setdefault(definition, len(definitions)) * 2 + prop.required)
        people = (event.owner or "", list(event.stakeholders), list(event.sources), list(event.tags))
        events.append([event.name, anchors.events[event.name], event.description, *people])
        events[-1] += [event.version or "", event.status or "", refs]
    index = {id(event): i for i, event in enumerate(plan.events)}
    categories = [[c, anchors.categories[c], [index[id(e)] for e in es]] for c, es in _by_category(plan)]
    return {"properties": [list(d) for d in definitions], "events": events, "categories": categories}


def _script_json(value: Any) -> str:
    """JSON to embed in a <script> element: no `<`, so no `</script>` or `<!--` can end it."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")


def write_html(plan: Plan, options: WriteOptions) -> bytes:
    anchors, sections = Anchors.of(plan), _sections(plan, options)
    built = f"<code>{escape(options.label)}</code>"
    if options.commit:
        built += f" at commit <code>{escape(options.commit[:12])}</code>"
    title = escape(plan.settings.name)
    links = "".join(f'<a href="#{escape(s.anchor)}"><b>{escape(s.title)}</b></a>' for s in sections)
    bodies = "".join(f'<section id="{escape(s.anchor)}"><h2>{escape(s.title)}</h2>{s.html}</section>' for s in sections)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{title}</h1>"
        f"<p>Built from {built}. {len(plan.events)} events.</p>"
        '<div class="bar"><input id="search" type="search" placeholder="Search events, properties, tags, owners…" '
        'aria-label="Search events" aria-describedby="count" autofocus>'
        f'<span id="count" role="status">{len(plan.events)} events</span>'
        '<button id="menu" type="button" aria-controls="nav" aria-expanded="false">Contents</button></div>'
        '</header><main><nav id="nav" aria-label="Contents">'
        f'<a href="#properties"><b>Properties</b></a>{links}</nav><div id="content">'
        "<noscript><p>This page shows its events with JavaScript; "
        "<code>trackplan export --to markdown</code> writes them as text.</p></noscript>"
        '<p id="empty" hidden></p><button id="earlier" type="button" hidden></button><div id="events"></div>'
        '<button id="more" type="button" hidden></button>'
        '<section id="properties"><h2>Properties</h2><ul id="property-list"></ul></section>'
        f"{bodies}</div></main>"
        f'<script type="application/json" id="catalogue">{_script_json(catalogue(plan, anchors))}</script>'
        f"<script>{SCRIPT}</script></body></html>\n"
    ).encode()

"""Documentation of a plan for people: Markdown that reads well on GitHub, and one
self-contained HTML file (no network) with a search box."""

from __future__ import annotations

import html
import json
from collections.abc import Iterable, Mapping
from typing import Any

from trackplan.formats.base import WriteOptions
from trackplan.model import Event, Plan, Property
from trackplan.model.slugs import slugify

UNCATEGORISED = "Uncategorised"


def _anchor(kind: str, name: str) -> str:
    return f"{kind}-{slugify(name)}"


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


def _md(text: Any) -> str:
    """A Markdown table cell: no pipes or line breaks."""
    return str(text).replace("|", "\\|").replace("\n", " ").strip()


def _md_props(props: Iterable[Property], link: bool = True) -> list[str]:
    lines = [
        "| Property | Type | Required | Allowed values | Pattern | Description |",
        "|---|---|---|---|---|---|",
    ]
    for prop in props:
        name = f"[`{_md(prop.name)}`](#{_anchor('property', prop.name)})" if link else f"`{_md(prop.name)}`"
        if prop.send_as != "EventProperty":
            name += f" ({prop.send_as.removesuffix('Property').lower()})"
        allowed = ", ".join(f"`{_md(v)}`" for v in _allowed(prop))
        pattern = f"`{_md(prop.pattern)}`" if prop.pattern else ""
        required = "yes" if prop.required else "no"
        lines.append(f"| {name} | {_type(prop)} | {required} | {allowed} | {pattern} | {_md(prop.description)} |")
    return lines


def write_markdown(plan: Plan, options: WriteOptions) -> bytes:
    built = f"`{options.label}`" + (f" at commit `{options.commit[:12]}`" if options.commit else "")
    out = [f"# {plan.settings.name}", "", f"Built from {built}. {len(plan.events)} events.", ""]
    categories = _by_category(plan)
    out += ["## Contents", ""]
    out += [f"- [{_md(c)}](#{_anchor('category', c)}) ({len(es)})" for c, es in categories]
    out += ["- [Events by source](#events-by-source)", "- [Properties](#properties)"]
    if plan.identify:
        out.append("- [User properties](#user-properties)")
    out += ["- [Owners and stakeholders](#owners-and-stakeholders)", ""]
    for category, events in categories:
        out += [f'<a id="{_anchor("category", category)}"></a>', f"## {_md(category)}", ""]
        for event in events:
            out += [f'<a id="{_anchor("event", event.name)}"></a>', f"### {_md(event.name)}", ""]
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
                out += [*_md_props(event.properties), ""]
    out += ["## Events by source", ""]
    sources = sorted({s for e in plan.events for s in e.sources})
    for source in sources:
        names = [e.name for e in plan.events if source in e.sources]
        out.append(f"- **{_md(source)}**: " + ", ".join(f"[{_md(n)}](#{_anchor('event', n)})" for n in names))
    out += ["", "## Properties", ""]
    for name, users in _property_users(plan).items():
        links = ", ".join(f"[{_md(e.name)}](#{_anchor('event', e.name)})" for e in users)
        out.append(f'- <a id="{_anchor("property", name)}"></a>`{_md(name)}`: {links}')
    if plan.identify:
        out += ["", "## User properties", "", *_md_props(plan.identify.properties, link=False)]
    out += ["", "## Owners and stakeholders", "", "| Domain | Owns | Stakeholder of |", "|---|---|---|"]
    domains = sorted({d for e in plan.events for d in (*e.stakeholders, *([e.owner] if e.owner else []))})
    for domain in domains:
        owns = ", ".join(f"[{_md(e.name)}](#{_anchor('event', e.name)})" for e in plan.events if e.owner == domain)
        holds = ", ".join(_md(e.name) for e in plan.events if domain in e.stakeholders)
        out.append(f"| {_md(domain)} | {owns} | {holds} |")
    return ("\n".join(out).rstrip() + "\n").encode()


CSS = """
body{font:15px/1.5 system-ui,-apple-system,Segoe UI,sans-serif;margin:0;color:#1f2328;background:#fff}
header{position:sticky;top:0;background:#f6f8fa;border-bottom:1px solid #d0d7de;padding:12px 24px;z-index:1}
header h1{font-size:20px;margin:0 0 4px}header p{margin:0;color:#57606a;font-size:13px}
#search{margin-top:8px;width:100%;max-width:480px;padding:6px 10px;font-size:15px;
border:1px solid #d0d7de;border-radius:6px}
main{display:grid;grid-template-columns:240px 1fr;gap:24px;padding:16px 24px}
nav{position:sticky;top:120px;align-self:start;font-size:13px;max-height:80vh;overflow:auto}
nav a{display:block;color:#0969da;text-decoration:none;padding:1px 0}
section.event{border:1px solid #d0d7de;border-radius:8px;padding:8px 16px;margin:0 0 16px}
section.event h3{margin:4px 0}.facts{color:#57606a;font-size:13px}
.tag{display:inline-block;background:#ddf4ff;color:#0550ae;border-radius:10px;padding:0 8px;
margin-right:4px;font-size:12px}
table{border-collapse:collapse;width:100%;font-size:13px;margin:8px 0}
th,td{border:1px solid #d0d7de;padding:4px 8px;text-align:left;vertical-align:top}th{background:#f6f8fa}
code{background:#f6f8fa;border-radius:4px;padding:0 4px}.hidden{display:none}
"""

SCRIPT = """
const box=document.getElementById('search');
box.addEventListener('input',()=>{const q=box.value.toLowerCase().trim();
document.querySelectorAll('section.event').forEach(s=>{
s.classList.toggle('hidden',q!==''&&!s.dataset.search.includes(q));});
document.querySelectorAll('h2.category').forEach(h=>{const list=h.nextElementSibling;
const any=[...list.querySelectorAll('section.event')].some(s=>!s.classList.contains('hidden'));
h.classList.toggle('hidden',!any);});});
"""


def _h(text: Any) -> str:
    return html.escape(str(text), quote=True)


def _html_props(props: Iterable[Property], link: bool = True) -> str:
    rows = []
    for prop in props:
        name = (
            f'<a href="#{_anchor("property", prop.name)}"><code>{_h(prop.name)}</code></a>'
            if link
            else f"<code>{_h(prop.name)}</code>"
        )
        if prop.send_as != "EventProperty":
            name += f" ({_h(prop.send_as.removesuffix('Property').lower())})"
        allowed = " ".join(f"<code>{_h(v)}</code>" for v in _allowed(prop))
        pattern = f"<code>{_h(prop.pattern)}</code>" if prop.pattern else ""
        rows.append(
            f"<tr><td>{name}</td><td>{_h(_type(prop))}</td><td>{'yes' if prop.required else 'no'}</td>"
            f"<td>{allowed}</td><td>{pattern}</td><td>{_h(prop.description)}</td></tr>"
        )
    columns = ("Property", "Type", "Required", "Allowed values", "Pattern", "Description")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    return f"<table>{head}{''.join(rows)}</table>"


def _html_event(event: Event) -> str:
    search = " ".join(
        [event.name, event.description, *event.tags, *event.sources, *(event.owner or "",), *event.property_names]
    ).lower()
    facts = [
        ("Owner", _h(event.owner) if event.owner else ""),
        ("Stakeholders", _h(", ".join(event.stakeholders))),
        ("Sources", _h(", ".join(event.sources))),
        ("Version", _h(event.version or "")),
        ("Status", _h(event.status or "")),
    ]
    tags = "".join(f'<span class="tag">{_h(t)}</span>' for t in event.tags)
    return (
        f'<section class="event" id="{_anchor("event", event.name)}" data-search="{_h(search)}">'
        f"<h3>{_h(event.name)}</h3><p>{_h(event.description)}</p>"
        f'<p class="facts">{" · ".join(f"<b>{k}:</b> {v}" for k, v in facts if v)} {tags}</p>'
        + (_html_props(event.properties) if event.properties else "")
        + "</section>"
    )


def write_html(plan: Plan, options: WriteOptions) -> bytes:
    built = f"<code>{_h(options.label)}</code>"
    if options.commit:
        built += f" at commit <code>{_h(options.commit[:12])}</code>"
    nav, body = [], []
    for category, events in _by_category(plan):
        nav.append(f'<a href="#{_anchor("category", category)}"><b>{_h(category)}</b></a>')
        nav += [f'<a href="#{_anchor("event", e.name)}">{_h(e.name)}</a>' for e in events]
        body.append(
            f'<h2 class="category" id="{_anchor("category", category)}">{_h(category)}</h2>'
            f"<div>{''.join(_html_event(e) for e in events)}</div>"
        )
    prop_items = "".join(
        f'<li id="{_anchor("property", name)}"><code>{_h(name)}</code>: '
        + ", ".join(f'<a href="#{_anchor("event", e.name)}">{_h(e.name)}</a>' for e in users)
        + "</li>"
        for name, users in _property_users(plan).items()
    )
    body.append(f'<h2 id="properties">Properties</h2><ul>{prop_items}</ul>')
    if plan.identify:
        body.append('<h2 id="user-properties">User properties</h2>' + _html_props(plan.identify.properties, link=False))
    nav += ['<a href="#properties"><b>Properties</b></a>']
    title = _h(plan.settings.name)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta name="viewport" content="width=device-width,initial-scale=1"><title>{title}</title>'
        f"<style>{CSS}</style></head><body><header><h1>{title}</h1>"
        f"<p>Built from {built}. {len(plan.events)} events.</p>"
        '<input id="search" type="search" placeholder="Search events, properties, tags, owners…" autofocus>'
        f'</header><main><nav>{"".join(nav)}</nav><div id="content">{"".join(body)}</div></main>'
        f"<script>{SCRIPT}</script></body></html>\n"
    ).encode()

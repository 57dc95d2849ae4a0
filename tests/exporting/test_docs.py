"""The documentation exports: anchors that never collide, a page that carries the plan once, and
the page in headless Chromium at a desktop and a phone width: search, contents, links."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from tests.helpers import NEEDS_CHROMIUM, chromium
from trackplan.formats.base import WriteOptions
from trackplan.formats.docs import write_html, write_markdown
from trackplan.model import Event, Plan, Property, Settings

OPTIONS = WriteOptions(label="main", commit="0123456789abcdef")
DESKTOP, PHONE = 1280, 400


def event(name: str, *props: Property, **fields: Any) -> Event:
    return Event(name=name, description=f"{name} happened.", properties=props, **fields)


def colliding_plan() -> Plan:
    """Two events, two categories and two properties whose slugs are the same."""
    order = Property.build("order_id", required=True, type="string", description="The order.")
    camel = Property.build("orderId", type="string", description="The order, as the app names it.")
    return Plan(
        settings=Settings(name="Shop"),
        events=(
            event("Checkout Completed", order, categories=["Purchase funnel"], sources=["web"]),
            event("checkout_completed", camel, categories=["purchase-funnel"], sources=["web"]),
        ),
    )


def catalogue(page: bytes) -> dict[str, Any]:
    found = re.search(rb'<script type="application/json" id="catalogue">(.*?)</script>', page, re.S)
    assert found is not None
    data: dict[str, Any] = json.loads(found.group(1))
    return data


def test_names_whose_slugs_collide_get_anchors_of_their_own() -> None:
    data = catalogue(write_html(colliding_plan(), OPTIONS))
    assert [(e[0], e[1]) for e in data["events"]] == [
        ("Checkout Completed", "event-checkout-completed"),
        ("checkout_completed", "event-checkout-completed-2"),
    ]
    assert [(c[0], c[1], c[2]) for c in data["categories"]] == [
        ("Purchase funnel", "category-purchase-funnel", [0]),
        ("purchase-funnel", "category-purchase-funnel-2", [1]),
    ]
    assert sorted((p[0], p[1]) for p in data["properties"]) == [
        ("orderId", "property-order-id"),
        ("order_id", "property-order-id-2"),
    ]
    markdown = write_markdown(colliding_plan(), OPTIONS).decode()
    assert '<a id="event-checkout-completed"></a>\n### Checkout Completed\n' in markdown
    assert '<a id="event-checkout-completed-2"></a>\n### checkout_completed\n' in markdown
    assert (
        "- **web**: [Checkout Completed](#event-checkout-completed), [checkout_completed](#event-checkout-completed-2)"
        in markdown
    )
    assert "| [`orderId`](#property-order-id) |" in markdown and "| [`order_id`](#property-order-id-2) |" in markdown


def test_the_page_carries_each_property_definition_once_and_stays_a_fraction_of_the_text() -> None:
    shared = [Property.build(f"prop_{i}", type="string", description=f"Property {i}.") for i in range(10)]
    events = tuple(event(f"Event {i}", *shared, tags=["core"], owner="Growth") for i in range(2000))
    plan = Plan(settings=Settings(name="Large"), events=events)
    page, text = write_html(plan, OPTIONS), write_markdown(plan, OPTIONS)
    data = catalogue(page)
    assert len(data["properties"]) == 10 and len(data["events"]) == 2000
    assert data["events"][0][9] == [0, 2, 4, 6, 8, 10, 12, 14, 16, 18]  # each ref: 2 * index + required
    assert len(page) < 0.2 * len(text), (len(page), len(text))


def test_script_json_cannot_end_its_script_element() -> None:
    hostile = Event(name="Hostile", description="</script><script>alert(1)")
    plan = Plan(settings=Settings(name="X"), events=(hostile,))
    page = write_html(plan, OPTIONS)
    assert b"</script><script>alert" not in page
    assert catalogue(page)["events"][0][2] == "</script><script>alert(1)"


# Runs a probe (a function body returning a JSON value, over the page's `window` and `document`)
# in the page, framed at a given width, once the page has loaded.
WRAPPER = """<!doctype html><html><body style="margin:0">
<iframe id="page" src="SRC" style="width:WIDTHpx;height:900px;border:0"></iframe>
<script>
document.getElementById('page').addEventListener('load', () => {
  const frame = document.getElementById('page').contentWindow;
  const result = (function (window, document) { PROBE })(frame, frame.document);
  const pre = document.createElement('pre');
  pre.id = 'probe';
  pre.textContent = JSON.stringify(result);
  document.body.appendChild(pre);
});
</script></body></html>"""

SEARCH = """
const shown = selector => [...document.querySelectorAll(selector)].filter(e => e.getClientRects().length > 0);
const type = text => { const box = document.getElementById('search'); box.value = text; box.dispatchEvent(new Event('input')); };
const state = () => ({
  count: document.getElementById('count').textContent,
  events: shown('section.event h3').map(h => h.textContent),
  nav: shown('nav .links a').map(a => a.textContent),
  empty: shown('#empty').map(p => p.textContent),
});
const out = {width: window.innerWidth, overflow: document.documentElement.scrollWidth > document.documentElement.clientWidth};
out.all = state();
type('checkout'); out.checkout = state();
type('zzz'); out.nothing = state();
type(''); out.cleared = state();
return out;
"""


def probe(page: Path, width: int, script: str, fragment: str = "") -> Any:
    wrapper = page.with_name(f"probe-{width}.html")
    wrapper.write_text(
        WRAPPER.replace("SRC", page.name + fragment).replace("WIDTH", str(width)).replace("PROBE", script)
    )
    args = ("--allow-file-access-from-files", "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri())
    dom = chromium(*args, profile=page.parent / "profile")
    found = re.search(r'<pre id="probe">(.*?)</pre>', dom, re.S)
    assert found is not None, dom[-2000:]
    return json.loads(html.unescape(found.group(1)))


def exported(plan_repo: Path, run_cli: Any, tmp_path: Path) -> Path:
    page = tmp_path / "plan.html"
    assert run_cli("-C", plan_repo, "export", "--to", "html", "-o", page).exit_code == 0
    return page


ALL_EVENTS = ["Product Viewed", "Search Performed", "Signed Up", "Checkout Completed", "Subscription Cancelled"]


@NEEDS_CHROMIUM
def test_search_filters_events_and_contents_and_counts_at_desktop_and_phone_widths(
    plan_repo: Path, run_cli: Any, tmp_path: Path
) -> None:
    page = exported(plan_repo, run_cli, tmp_path)
    desktop, phone = probe(page, DESKTOP, SEARCH), probe(page, PHONE, SEARCH)
    assert (desktop["width"], phone["width"]) == (DESKTOP, PHONE)
    assert not desktop["overflow"] and not phone["overflow"]  # nothing wider than the screen
    assert desktop["all"] == {"count": "5 events", "events": ALL_EVENTS, "nav": ALL_EVENTS, "empty": []}
    assert desktop["checkout"] == {
        "count": "1 of 5 events match",
        "events": ["Checkout Completed"],
        "nav": ["Checkout Completed"],
        "empty": [],
    }
    assert desktop["nothing"] == {
        "count": "0 of 5 events match",
        "events": [],
        "nav": [],
        "empty": ["No event matches “zzz”."],
    }
    assert desktop["cleared"] == desktop["all"]
    # On a phone the contents fold away behind a button; the search behaves the same.
    assert phone["all"] == {**desktop["all"], "nav": []}
    assert phone["checkout"] == {**desktop["checkout"], "nav": []}
    assert phone["nothing"] == desktop["nothing"]


CONTENTS = """
const menu = document.getElementById('menu'), nav = document.getElementById('nav');
const out = {menu: menu.getClientRects().length > 0, before: nav.getClientRects().length > 0};
menu.click();
out.after = nav.getClientRects().length > 0;
document.querySelector('nav a[href="#event-checkout-completed-2"]').click();
const target = document.getElementById('event-checkout-completed-2');
out.closed = nav.getClientRects().length === 0;
out.target = target.querySelector('h3').textContent;
const top = target.getBoundingClientRect().top;
out.inView = top >= document.querySelector('header').offsetHeight && top < window.innerHeight;
out.hash = window.location.hash;
return out;
"""

LANDED = """
const target = document.getElementById(window.location.hash.slice(1));
return {target: target.querySelector('h3').textContent, ids: [...document.querySelectorAll('[id^="event-"]')].map(e => e.id)};
"""


@NEEDS_CHROMIUM
def test_contents_links_reach_the_event_they_name_on_a_phone(tmp_path: Path) -> None:
    page = tmp_path / "plan.html"
    page.write_bytes(write_html(colliding_plan(), OPTIONS))
    assert probe(page, PHONE, CONTENTS) == {
        "menu": True,
        "before": False,
        "after": True,
        "closed": True,
        "target": "checkout_completed",
        "inView": True,  # below the header, on the screen
        "hash": "#event-checkout-completed-2",
    }
    assert probe(page, DESKTOP, LANDED, "#event-checkout-completed-2") == {
        "target": "checkout_completed",
        "ids": ["event-checkout-completed", "event-checkout-completed-2"],
    }


@NEEDS_CHROMIUM
def test_a_large_page_renders_a_window_of_events_and_reaches_the_last_one(tmp_path: Path) -> None:
    events = tuple(event(f"Event {i:04d}", Property.build("n", type="integer")) for i in range(1500))
    page = tmp_path / "plan.html"
    page.write_bytes(write_html(Plan(settings=Settings(name="Large"), events=events), OPTIONS))
    script = """
    const out = {sections: document.querySelectorAll('section.event').length,
                 count: document.getElementById('count').textContent};
    document.getElementById('search').value = 'event 14';
    document.getElementById('search').dispatchEvent(new Event('input'));
    out.matching = document.getElementById('count').textContent;
    out.nav = document.querySelector('nav details summary').textContent;
    return out;
    """
    assert probe(page, DESKTOP, script) == {
        "sections": 100,
        "count": "1500 events",
        "matching": "100 of 1500 events match",
        "nav": "Uncategorised (100 of 1500)",
    }
    assert probe(page, PHONE, LANDED, "#event-event-1499") == {
        "target": "Event 1499",
        "ids": [f"event-event-{i}" for i in range(1400, 1500)],
    }
    earlier = """
    const first = () => document.querySelector('section.event');
    const top = el => Math.round(el.getBoundingClientRect().top);
    const kept = first(), before = top(kept);
    document.getElementById('earlier').click();
    const again = document.getElementById('event-event-1400');
    return {first: first().querySelector('h3').textContent, moved: top(again) - before,
            button: document.getElementById('earlier').textContent};
    """
    assert probe(page, DESKTOP, earlier, "#event-event-1450") == {
        "first": "Event 1300",
        "moved": 0,  # the events above appear without moving what is read
        "button": "Show 100 earlier events",
    }

"""The Markdown and HTML docs have a section per tracking plan: specifications, triggers, owner
and status, each specification linked to its event (by name or by Iglu URI), names escaped."""

from __future__ import annotations

from pathlib import Path
from uuid import UUID

from tests.helpers import CliRunnerCall
from trackplan.model.tracking_plans import EventSpecification, TrackingPlan, Trigger
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import save_tracking_plan

CHECKOUT = TrackingPlan(
    id=UUID(int=1),
    name="Checkout",
    description="Buying things.",
    owner="@acme/checkout",
    domain="Payments",
    status="published",
    access_instructions="atomic.events where app_id = 'shop'",
    source_applications=("web", "ios"),
    event_specifications=(
        EventSpecification(
            UUID(int=2),
            "Paid",
            "Checkout Completed",
            triggers=(Trigger(UUID(int=3), "Confirm", ("shop",), "https://x"),),
        ),
        EventSpecification(
            UUID(int=4), "Looked", "iglu:com.example/Product_Viewed/jsonschema/1-1-0", status="published"
        ),
        EventSpecification(UUID(int=5), "Later", "Not Yet An Event", excluded_source_applications=("ios",)),
    ),
)
HOSTILE = TrackingPlan(id=UUID(int=6), name="<script>alert(1)</script> | x", owner="a|b")


def exported(plan_repo: Path, run_cli: CliRunnerCall, fmt: str) -> str:
    ws = Workspace(plan_repo)
    save_tracking_plan(ws, CHECKOUT, "plans", "Checkout")
    save_tracking_plan(ws, HOSTILE, "plans", "Hostile")
    result = run_cli("-C", plan_repo, "export", "--ref", "plans", "--to", fmt)
    assert result.exit_code == 0, result.output
    return result.stdout


def test_markdown_has_a_section_per_plan_linked_to_its_events(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    text = exported(plan_repo, run_cli, "markdown")
    assert "- [Tracking plan: Checkout](#tracking-plan-checkout)\n" in text
    section = text[text.index('<a id="tracking-plan-checkout"></a>') :]
    assert section[: section.index("\n\n## Owners and stakeholders")] == (
        '<a id="tracking-plan-checkout"></a>\n'
        "## Tracking plan: Checkout\n\n"
        "Buying things.\n\n"
        "**Status:** published · **Domain:** Payments · **Owner:** @acme/checkout · **Sources:** web, ios · "
        "**Id:** 00000000-0000-0000-0000-000000000001\n\n"
        "**Access:** atomic.events where app_id = 'shop'\n\n"
        "| Specification | Event | Status | Triggers | Excluded sources | Description |\n"
        "|---|---|---|---|---|---|\n"
        "| Paid | [Checkout Completed](#event-checkout-completed) | draft | Confirm (shop, https://x) |  |  |\n"
        "| Looked | [iglu:com.example/Product_Viewed/jsonschema/1-1-0](#event-product-viewed) | published |  |  |  |\n"
        "| Later | `Not Yet An Event` | draft |  | ios |  |"
    )
    assert "## Tracking plan: <script>alert(1)</script> \\| x" in text  # a table-safe heading, as events get
    assert "**Owner:** a\\|b" in text


def test_html_has_a_section_per_plan_with_escaped_names(plan_repo: Path, run_cli: CliRunnerCall) -> None:
    page = exported(plan_repo, run_cli, "html")
    assert '<a href="#tracking-plan-checkout"><b>Tracking plan: Checkout</b></a>' in page
    assert (
        '<tr><td>Paid</td><td data-label="Event"><a href="#event-checkout-completed"><code>Checkout Completed</code>'
        '</a></td><td data-label="Status">draft</td><td data-label="Triggers">Confirm (shop, https://x)</td>'
        '<td data-label="Excluded sources"></td><td data-label="Description"></td></tr>'
    ) in page
    assert "<script>alert(1)</script>" not in page
    assert "<h2>Tracking plan: &lt;script&gt;alert(1)&lt;/script&gt; | x</h2>" in page

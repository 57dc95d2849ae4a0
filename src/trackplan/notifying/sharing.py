"""Share-instructions: a mail telling developers how to implement a tracking plan: its event
specifications with the events they use, links to the docs, and the codegen command."""

from __future__ import annotations

import html
import shlex
from collections.abc import Mapping, Sequence

from trackplan.model.tracking_plans import TrackingPlan
from trackplan.notifying.mail import Mail, SmtpConfig, send

MAX_RECIPIENTS = 50


def codegen_command(plan: TrackingPlan) -> str:
    return f"trackplan codegen --lang ts --plan {shlex.quote(plan.name)} -o src/tracking.ts"


def instructions_mail(
    recipient: str, plan: TrackingPlan, anchors: Mapping[str, str], docs_url: str | None, note: str
) -> Mail:
    """The mail for one recipient; `anchors` maps event names to their ids in the docs page."""

    def link(event: str) -> str | None:
        return f"{docs_url}#{anchors[event]}" if docs_url and event in anchors else None

    specs = plan.event_specifications
    lines = [
        f"{spec.name}: event {spec.event}" + (f" ({link(spec.event)})" if link(spec.event) else "") for spec in specs
    ]
    command = codegen_command(plan)
    text = "\n".join(
        [
            *([note, ""] if note else []),
            f"How to implement the tracking plan {plan.name!r}"
            + (f": {plan.description}" if plan.description else "."),
            "",
            "Its event specifications:",
            *(f"  {line}" for line in lines),
            "",
            "Generate typed tracking calls for it (TypeScript; --lang python for Python):",
            f"  {command}",
        ]
    )
    items = "".join(
        f"<li>{html.escape(spec.name)}: event "
        + (
            f'<a href="{html.escape(url)}">{html.escape(spec.event)}</a>'
            if (url := link(spec.event))
            else html.escape(spec.event)
        )
        + "</li>"
        for spec in specs
    )
    page = (
        (f"<p>{html.escape(note)}</p>" if note else "")
        + f"<p>How to implement the tracking plan <strong>{html.escape(plan.name)}</strong>.</p>"
        + f"<ul>{items}</ul><p>Generate typed tracking calls for it:</p><pre>{html.escape(command)}</pre>"
    )
    return Mail(recipient, f"How to implement the tracking plan {plan.name}", text, page)


def share_instructions(
    smtp: SmtpConfig,
    recipients: Sequence[str],
    plan: TrackingPlan,
    anchors: Mapping[str, str],
    docs_url: str | None,
    note: str = "",
) -> int:
    """Mail the instructions to each recipient; the number sent."""
    return send(smtp, [instructions_mail(r, plan, anchors, docs_url, note) for r in recipients])

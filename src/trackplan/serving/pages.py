"""The browsable front page: every workspace with its branches, linking to each branch's docs
(the `export --to html` catalogue), its export and the branch listing, and its organization id
(the tracking-plans API's)."""

from __future__ import annotations

from html import escape
from typing import TYPE_CHECKING
from urllib.parse import quote

from trackplan.serving.branches import list_branches
from trackplan.serving.config import ORGANIZATIONS

if TYPE_CHECKING:
    from trackplan.serving.accounts import Account
    from trackplan.serving.service import Service

_STYLE = (
    "body{font:15px/1.5 system-ui,sans-serif;max-width:56rem;margin:2rem auto;padding:0 1rem;color:#1d2430}"
    "h1{font-size:1.6rem}h2{font-size:1.2rem;margin-top:2rem;border-bottom:1px solid #d8dde6}"
    "table{border-collapse:collapse;width:100%}"
    "td,th{text-align:left;padding:.3rem .6rem;border-bottom:1px solid #eef0f4}"
    "code{font-size:.85em;color:#5b6577}a{color:#0b5cad}"
)


def index(service: Service, account: Account) -> str:
    """The workspaces `account` may export, each with its branches."""
    sections = []
    for ws_id in sorted(w for w in service.config.workspaces if account.allows(w, "export")):
        ws = service.workspace(ws_id)
        organization = service.config.workspaces[ws_id].organization
        rows = []
        for branch in list_branches(ws):
            base = f"/workspaces/{quote(ws_id)}/branches/{quote(branch.name, safe='/')}"
            rows.append(
                f"<tr><td>{escape(branch.name)}{' (main)' if branch.is_main else ''}</td>"
                f"<td><code>{branch.id}</code></td><td><code>{branch.head[:12]}</code></td>"
                f'<td><a href="{escape(base)}/docs">docs</a> · <a href="{escape(base)}/export/v1">export</a></td></tr>'
            )
        sections.append(
            f'<section class="workspace" id="{escape(ws_id)}"><h2>{escape(ws.settings("HEAD").name)} '
            f"<code>{escape(ws_id)}</code></h2>"
            f'<p><a href="/workspaces/{quote(ws_id)}/branches">branches (JSON)</a> · organization '
            f'<a href="{ORGANIZATIONS}/{organization}/data-products/v2"><code>{organization}</code></a></p>'
            "<table><thead><tr><th>branch</th><th>id</th><th>head</th><th></th></tr></thead>"
            f"<tbody>{''.join(rows)}</tbody></table></section>"
        )
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>trackplan</title>'
        f"<style>{_STYLE}</style></head><body><h1>Tracking plans</h1>"
        f'{"".join(sections)}<p><a href="/openapi.json">OpenAPI document</a></p></body></html>\n'
    )

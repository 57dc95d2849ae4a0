"""The docs site in a real headless browser: the front page and a branch's catalogue, served
by uvicorn, with the service account's credentials."""

from __future__ import annotations

from pathlib import Path

from tests.helpers import NEEDS_CHROMIUM, chromium
from tests.serving.support import WS, path, running, served_plan


@NEEDS_CHROMIUM
def test_the_docs_pages_render_in_a_headless_browser(tmp_path: Path) -> None:
    served = served_plan(tmp_path, n_events=3)
    secret = served.accounts.add("browser", scopes=("export",)).secret
    with running(served.config) as (url, _, _):
        signed_in = url.replace("http://", f"http://browser:{secret}@")
        docs, front = signed_in + path("feature/one", "docs"), signed_in + "/"
        shot = tmp_path / "docs.png"
        chromium("--window-size=1280,1000", f"--screenshot={shot}", docs, profile=tmp_path / "profile")
        docs_dom = chromium("--dump-dom", docs, profile=tmp_path / "profile")
        front_dom = chromium("--dump-dom", front, profile=tmp_path / "profile")
        chromium(
            "--window-size=1000,600", f"--screenshot={tmp_path / 'front.png'}", front, profile=tmp_path / "profile"
        )
    png = shot.read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and int.from_bytes(png[16:20], "big") == 1280
    assert len(png) > 20_000  # a rendered page, not a blank one
    assert "Event 0" in docs_dom and "Event 2" in docs_dom and 'id="search"' in docs_dom
    assert f'<section class="workspace" id="{WS}">' in front_dom
    assert f'href="/workspaces/{WS}/branches/feature/one/docs"' in front_dom

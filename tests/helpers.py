"""Small builders for tests."""

from __future__ import annotations

import random
import string
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from trackplan.cli.app import cli
from trackplan.model import Event, Property
from trackplan.repo.scaffold import init_plan
from trackplan.repo.workspace import Workspace

TESTS = Path(__file__).resolve().parent
ROOT = TESTS.parent
DATA = TESTS / "data"
SHARED = ROOT.parent / "shared"
CORPORA = SHARED / "corpora"
REFERENCE = SHARED / "reference"


def corpus(*parts: str) -> Path:
    """A path in the shared corpora; skips the test when they are not beside the checkout."""
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpora are not beside this checkout")
    return path


def make_event(name: str, n_props: int = 3, seed: int = 0, **fields: object) -> Event:
    rng = random.Random(f"{name}-{seed}")
    props = []
    for i in range(n_props):
        kind = rng.choice(["string", "integer", "number", "boolean"])
        extra: dict[str, object] = {"description": f"Property {i} of {name}."}
        if kind == "string" and rng.random() < 0.3:
            extra["enum"] = sorted(rng.sample(list(string.ascii_lowercase), 3))
        props.append(Property.build(f"prop_{i}", required=rng.random() < 0.5, type=kind, **extra))
    return Event(name=name, description=f"{name} happened.", properties=tuple(props), **fields)  # type: ignore[arg-type]


def plan_with(root: Path, n: int, events_layout: str = "flat", n_props: int = 6) -> tuple[Workspace, str]:
    """A plan repository at `root` with n generated events on main; returns (workspace, commit)."""
    init_plan(root, name="Test", with_examples=False, events_layout=events_layout)
    ws = Workspace(root)
    before = ws.load("HEAD")
    plan = before.plan.replace(events=tuple(make_event(f"Event {i}", n_props, seed=i) for i in range(n)))
    result = ws.commit_plan(before.plan.settings.main_branch, ws.store.resolve("HEAD"), before, plan, "add events")
    assert result.commit is not None
    return ws, result.commit


CHROMIUM = next((p for p in ("/usr/bin/chromium", "/usr/bin/chromium-browser") if Path(p).exists()), None)
NEEDS_CHROMIUM = pytest.mark.skipif(CHROMIUM is None, reason="chromium is not installed (apt-get install chromium)")


def chromium(*args: str, profile: Path) -> str:
    """Run headless Chromium with the flags this machine needs; returns stdout."""
    import subprocess

    assert CHROMIUM is not None
    flags = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        f"--user-data-dir={profile}",
    ]
    return subprocess.run([CHROMIUM, *flags, *args], capture_output=True, text=True, timeout=120, check=False).stdout


class CliRunnerCall:
    """The CLI in-process, as `run_cli("diff", "--format", "json")`."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str | Path, input: str | bytes | None = None) -> Result:
        return self.runner.invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)

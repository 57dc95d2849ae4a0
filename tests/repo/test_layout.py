from __future__ import annotations

import json
from pathlib import PurePosixPath

import pytest

from tests.helpers import corpus
from trackplan.model import Event, Plan
from trackplan.model.slugs import slugify
from trackplan.repo.paths import event_path
from trackplan.repo.writing import plan_files

TERRIBLE = "42_--terrible==\"event'++name~!3"
HOSTILE = [
    "../x",
    "../../etc/passwd",
    "/etc/passwd",
    "a\x00b",
    "x" * 300,
    "🚀🎉",
    "Sign Up",
    "sign_up",
    "SIGN UP",
    "signUp",
    TERRIBLE,
    "CON",
    ".",
    "..",
    "events/../../x",
    "C:\\Windows\\x",
]


@pytest.mark.parametrize("name", HOSTILE)
def test_slugs_are_safe(name: str) -> None:
    path = PurePosixPath(event_path(name))
    assert path.parent == PurePosixPath("events")
    assert ".." not in path.parts and not path.is_absolute()
    assert path.name.endswith(".yaml") and len(path.name) <= 100
    assert "\x00" not in str(path) and "\\" not in str(path)
    assert path.stem == path.stem.lower()


def test_slugs_are_stable() -> None:
    assert slugify("Checkout Completed") == "checkout-completed"
    assert slugify(TERRIBLE) == "42-terrible-event-name-3"
    assert event_path("Checkout Completed") == event_path("Checkout Completed")


def test_names_that_slug_alike_get_distinct_files_and_a_warning() -> None:
    plan = Plan(events=tuple(Event(n) for n in ["Sign Up", "sign_up", "SIGN UP", "signUp"]))
    changes, warnings = plan_files(None, plan)
    event_files = [p for p in changes if p.startswith("events/")]
    assert len(event_files) == 4
    assert len({p.lower() for p in event_files}) == 4  # also distinct on case-insensitive disks
    assert len(warnings) == 3 and all("shares its file name" in w for w in warnings)
    assert "events/sign-up.yaml" in event_files


def test_every_hostile_name_round_trips_through_files() -> None:
    from trackplan.repo.git.objects import hash_blob
    from trackplan.repo.reading import build_plan, parse_document

    plan = Plan(events=tuple(Event(n.replace("\x00", "")) for n in HOSTILE))
    changes, _ = plan_files(None, plan)
    blobs = {p: hash_blob(d) for p, d in changes.items() if d is not None}
    data = {hash_blob(d): (p, d) for p, d in changes.items() if d is not None}
    loaded = build_plan(blobs, lambda path, blob: parse_document(data[blob][1], path))
    assert loaded.plan.events == plan.events
    assert not loaded.warnings


@pytest.mark.corpus
def test_segment_terrible_name_gets_a_safe_distinct_file() -> None:
    plan = json.loads(corpus("segment-typewriter", "plan.json").read_text())
    names = [rule["key"] for rule in plan["rules"] if rule.get("type") == "TRACK"]
    assert any("terrible" in n for n in names)
    changes, _ = plan_files(None, Plan(events=tuple(Event(n) for n in names)))
    paths = [p for p in changes if p.startswith("events/")]
    assert len({p.lower() for p in paths}) == len(names)
    assert all(PurePosixPath(p).parent == PurePosixPath("events") for p in paths)


def test_parallel_parse_matches_serial_and_keeps_errors(monkeypatch: pytest.MonkeyPatch) -> None:
    from trackplan.errors import InputError
    from trackplan.repo import parallel
    from trackplan.repo.reading import parse_document

    items = [(f"events/e{i}.yaml", f"title: E{i}\nx-tags: [a, 'yes']\n".encode()) for i in range(40)]
    monkeypatch.setattr(parallel, "PARALLEL_MIN", 2)
    monkeypatch.setattr(parallel, "_enabled", True)
    assert parallel.parse_all(items) == [parse_document(d, p) for p, d in items]
    with pytest.raises(InputError, match=r"events/bad.yaml:2"):
        parallel.parse_all([*items, ("events/bad.yaml", b"title: x\n  y: [\n")])

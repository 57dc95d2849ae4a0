"""New events' file names: writing.py asks which paths are taken without building a set of
every path of the plan; its answers must be the ones the set of lower-cased paths gives."""

from __future__ import annotations

import random

import pytest

from trackplan.repo import writing
from trackplan.repo.paths import event_path

NAMES = ["Sign Up", "sign_up", "SIGN UP", "Event", "!!!", "Straße", "STRASSE", "İstanbul", "istanbul", "ΟΔΟΣ", "οδος"]


@pytest.mark.parametrize("sharded", [False, True])
@pytest.mark.parametrize("seed", range(10))
def test_taken_paths_answer_as_the_set_of_lower_cased_paths(seed: int, sharded: bool) -> None:
    rng = random.Random(seed)
    old = [event_path(name, frozenset(), sharded) for name in rng.sample(NAMES, 5)]
    old += [path.upper() for path in rng.sample(old, 2)] + ["events/ΟΔΟΣ.yaml", "events/a\u0130.yaml"]
    taken = writing._TakenPaths(old)
    expected = {path.lower() for path in old}
    for path in rng.sample(old, 3):
        taken.discard(path)
        expected.discard(path.lower())
    for name in rng.choices(NAMES, k=8):
        path = taken.new_event_path(name, sharded)
        assert path == event_path(name, expected, sharded), name
        assert all((candidate in taken) == (candidate.lower() in expected) for candidate in [*old, path])
        taken.add(path)
        expected.add(path.lower())

"""The hostile plan's repository for the codegen tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.support import use_hostile_plan


@pytest.fixture
def hostile_repo(plan_repo: Path) -> Path:
    """A plan repository holding tests/data/codegen/hostile."""
    use_hostile_plan(plan_repo)
    return plan_repo

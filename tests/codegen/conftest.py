"""Plan repositories for the codegen tests, with pinned commits."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.codegen.support import pin, use_hostile_plan


@pytest.fixture
def template_repo(plan_repo: Path) -> Path:
    """plan-template, as `trackplan init` makes it, in one pinned commit."""
    pin(plan_repo)
    return plan_repo


@pytest.fixture
def hostile_repo(plan_repo: Path) -> Path:
    """tests/data/codegen/hostile in one pinned commit."""
    use_hostile_plan(plan_repo)
    return plan_repo

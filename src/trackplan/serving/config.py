"""What `trackplan serve` serves: workspaces (plan repositories by id), limits, and the state folder.

With no `serve.yaml` the plan repository the command runs in is the one workspace, its id the
slug of the plan's name. `serve.yaml` names several:

    workspaces:
      web: /srv/plans/web.git          # a bare repository or a checkout
      app: {path: /srv/plans/app, plan_dir: plan, organization_id: f51dada7-4f11-4b6a-bbbd-2cf6a3673035}
    rate_limit: {per_second: 1, burst: 1, mode: enforce}   # or soft: log and serve
    max_body_bytes: 33554432

A workspace's `organization_id` names it in the Snowplow-style tracking-plans API; without one
it is derived from the workspace id.

Server state (accounts, idempotency keys) lives in a state folder outside every repository:
`$TRACKPLAN_STATE_DIR`, else `$XDG_STATE_HOME/trackplan`, else `~/.local/state/trackplan`.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from trackplan import yamlio
from trackplan.errors import InputError
from trackplan.formats import MAX_BYTES
from trackplan.model.slugs import slugify
from trackplan.repo.cache import EventMemo
from trackplan.repo.workspace import Workspace

STATE_DIR_ENV = "TRACKPLAN_STATE_DIR"
WORKSPACE_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
RATE_MODES = ("enforce", "soft")
ORGANIZATIONS = "/api/msc/v1/organizations"
"""Where the Snowplow-style API's paths start; each workspace is one organization under it."""


@dataclass(frozen=True)
class WorkspaceConfig:
    id: str
    path: Path
    plan_dir: Path | None = None
    organization_id: str | None = None

    @property
    def organization(self) -> str:
        """The organization id of the Snowplow-style API: serve.yaml's, else derived from the
        workspace id, the same on every server and across restarts."""
        return self.organization_id or str(uuid.uuid5(uuid.NAMESPACE_URL, f"trackplan:workspace:{self.id}"))

    def open(self, memo: EventMemo | None = None) -> Workspace:
        return Workspace(self.path, self.plan_dir if self.plan_dir is not None else Path("."), memo)


@dataclass(frozen=True)
class RateLimit:
    per_second: float = 1.0
    burst: int = 1
    mode: str = "enforce"


@dataclass(frozen=True)
class ServeConfig:
    workspaces: dict[str, WorkspaceConfig]
    state_dir: Path
    rate_limit: RateLimit = RateLimit()
    max_body_bytes: int = MAX_BYTES
    failed_logins: RateLimit = field(default_factory=lambda: RateLimit(per_second=0.2, burst=10))


def default_state_dir() -> Path:
    if os.environ.get(STATE_DIR_ENV):
        return Path(os.environ[STATE_DIR_ENV])
    base = Path(os.environ.get("XDG_STATE_HOME") or Path.home() / ".local" / "state")
    return base / "trackplan"


def check_state_dir(state_dir: Path) -> Path:
    """The state folder, refused when it lies inside a git repository (secrets stay out of plans)."""
    resolved = state_dir.expanduser().resolve()
    for folder in (resolved, *resolved.parents):
        if (folder / ".git").exists() or ((folder / "HEAD").is_file() and (folder / "objects").is_dir()):
            raise InputError(f"state folder {state_dir} is inside the git repository {folder}; choose one outside")
    return resolved


def workspace_from_plan(cwd: Path, plan_dir: Path | None) -> WorkspaceConfig:
    ws = Workspace(cwd, plan_dir)
    name = ws.settings("HEAD").name
    return WorkspaceConfig(slugify(name), ws.root)


def load_config(path: Path, state_dir: Path) -> ServeConfig:
    try:
        doc = yamlio.load(path.read_bytes(), str(path))
    except OSError as exc:
        raise InputError(f"{path}: cannot read: {exc.strerror}") from None
    if not isinstance(doc, Mapping) or not isinstance(doc.get("workspaces"), Mapping) or not doc["workspaces"]:
        raise InputError(f"{path}: expected `workspaces:` mapping ids to repositories")
    workspaces = {str(k): _workspace(path, str(k), v) for k, v in doc["workspaces"].items()}
    if len({ws.organization for ws in workspaces.values()}) < len(workspaces):
        raise InputError(f"{path}: two workspaces have the same organization_id; give each its own")
    limit = doc.get("rate_limit") or {}
    if not isinstance(limit, Mapping):
        raise InputError(f"{path}: rate_limit: expected a mapping")
    rate = RateLimit(
        per_second=_number(path, "rate_limit.per_second", limit.get("per_second", 1.0)),
        burst=int(_number(path, "rate_limit.burst", limit.get("burst", 1))),
        mode=str(limit.get("mode", "enforce")),
    )
    if rate.mode not in RATE_MODES or rate.burst < 1:
        raise InputError(f"{path}: rate_limit: mode is one of {', '.join(RATE_MODES)} and burst at least 1")
    max_body = int(_number(path, "max_body_bytes", doc.get("max_body_bytes", MAX_BYTES)))
    return ServeConfig(workspaces, state_dir, rate, max_body)


def _workspace(config: Path, ws_id: str, value: Any) -> WorkspaceConfig:
    if not WORKSPACE_ID.fullmatch(ws_id):
        raise InputError(f"{config}: workspace id {ws_id!r}: use letters, digits, '.', '_' or '-'")
    entry = {"path": value} if isinstance(value, str) else value
    if not isinstance(entry, Mapping) or not isinstance(entry.get("path"), str):
        raise InputError(f"{config}: workspaces.{ws_id}: expected a path or {{path: ..., plan_dir: ...}}")
    repo = (config.parent / Path(entry["path"]).expanduser()).resolve()
    if not repo.is_dir():
        raise InputError(f"{config}: workspaces.{ws_id}: {repo}: no such folder")
    plan_dir = entry.get("plan_dir")
    organization = entry.get("organization_id")
    if organization is not None and not _is_uuid(organization):
        raise InputError(f"{config}: workspaces.{ws_id}.organization_id: expected a UUID, not {organization!r}")
    plan = Path(str(plan_dir)) if plan_dir is not None else None
    return WorkspaceConfig(ws_id, repo, plan, str(organization).lower() if organization is not None else None)


def _is_uuid(value: Any) -> bool:
    try:
        return isinstance(value, str) and str(uuid.UUID(value)) == value.lower()
    except ValueError:
        return False


def _number(config: Path, key: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise InputError(f"{config}: {key}: expected a positive number, not {value!r}")
    return float(value)

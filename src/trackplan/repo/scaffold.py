"""Create a plan from the bundled template: a new repository, or a folder in an existing one."""

from __future__ import annotations

from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from trackplan import yamlio
from trackplan.errors import GitError, InputError
from trackplan.model import Settings
from trackplan.repo.git.store import GitStore, init_repository
from trackplan.repo.merge import ATTRIBUTES_FILE, attributes_text, declare_driver
from trackplan.repo.paths import EVENTS_DIR, SETTINGS_FILE, relocated


@dataclass(frozen=True)
class InitResult:
    root: Path
    name: str
    commit: str


# `init --empty`: identify.yaml without the example traits.
EMPTY_IDENTIFY = b"title: Identify Properties\ndescription: User traits sent with identify calls.\ntype: object\n"


def template_files(with_examples: bool = True) -> dict[str, bytes]:
    """The template's files, {relative path: bytes}; without examples, no example events or traits."""
    root = files("trackplan") / "plan-template"
    out: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            path = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, path + "/")
            elif with_examples or not path.startswith(f"{EVENTS_DIR}/"):
                out[path] = child.read_bytes()

    walk(root, "")
    if not with_examples:
        out["identify.yaml"] = EMPTY_IDENTIFY
    return out


def init_plan(
    target: Path, name: str | None = None, with_examples: bool = True, events_layout: str = "flat"
) -> InitResult:
    if (target / SETTINGS_FILE).exists():
        raise InputError(f"{target / SETTINGS_FILE}: a plan already exists here")
    plan_files = template_files(with_examples)
    settings_text = plan_files[SETTINGS_FILE].decode()
    settings_doc = yamlio.load(settings_text, SETTINGS_FILE)
    plan_name = name or target.name or "Tracking plan"
    settings_doc["name"] = plan_name
    if events_layout != "flat":
        settings_doc["events_layout"] = events_layout
        plan_files = {relocated(p, sharded=True): d for p, d in plan_files.items()}
    plan_files[SETTINGS_FILE] = yamlio.rewrite(settings_text, settings_doc).encode()
    plan_files[ATTRIBUTES_FILE] = (attributes_text("") or "").encode()  # plan files merge with the plan's driver
    main_branch = Settings.from_json(settings_doc).main_branch

    target.mkdir(parents=True, exist_ok=True)
    try:
        store = GitStore(target)
    except GitError:
        store = init_repository(target, main_branch)
    assert store.workdir is not None
    prefix = target.resolve().relative_to(store.workdir).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    branch = store.current_branch() or main_branch
    head = store.branch_head(branch)
    changes: dict[str, bytes | None] = {f"{prefix}{p}": d for p, d in plan_files.items()}
    commit = store.commit_changes(branch, head, changes, f"Create tracking plan {plan_name!r}")
    declare_driver(store)
    # git keeps no empty folder; the work tree gets events/ so people see where events go.
    (target / EVENTS_DIR).mkdir(exist_ok=True)
    return InitResult(root=target, name=plan_name, commit=commit)

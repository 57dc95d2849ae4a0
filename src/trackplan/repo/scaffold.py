"""Create a plan from the bundled template: a new repository, or a folder in an existing one."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path

from trackplan import yamlio
from trackplan.errors import GitError, InputError
from trackplan.model import Settings
from trackplan.repo.git.store import GitStore, init_repository
from trackplan.repo.merge import ATTRIBUTES_FILE, attributes_text, declare_driver
from trackplan.repo.paths import EVENTS_DIR, IDENTIFY_FILE, SETTINGS_FILE, relocated


@dataclass(frozen=True)
class InitResult:
    root: Path
    name: str
    commit: str


def template_files(with_examples: bool = True) -> dict[str, bytes]:
    """The template's files, {relative path: bytes}; without examples, no example events and no
    identify.yaml: an empty plan has no traits until an import or a person writes them."""
    root = files("trackplan") / "plan-template"
    out: dict[str, bytes] = {}

    def walk(node: Traversable, prefix: str) -> None:
        for child in sorted(node.iterdir(), key=lambda c: c.name):
            path = f"{prefix}{child.name}"
            if child.is_dir():
                walk(child, path + "/")
            elif with_examples or not (path.startswith(f"{EVENTS_DIR}/") or path == IDENTIFY_FILE):
                out[path] = child.read_bytes()

    walk(root, "")
    return out


def init_plan(
    target: Path, name: str | None = None, with_examples: bool = True, events_layout: str = "flat"
) -> InitResult:
    """The template committed as a new plan. In an existing repository the plan's main branch
    is the branch checked out there (a `master` is protected, not a `main` that does not
    exist); a repository this call created is removed again if the first commit fails."""
    if (target / SETTINGS_FILE).exists():
        raise InputError(f"{target / SETTINGS_FILE}: a plan already exists here")
    outer = next((p for p in target.resolve().parents if (p / SETTINGS_FILE).is_file()), None)
    if outer is not None:  # its files would be read as the outer plan's events
        raise InputError(f"{target}: is inside the plan at {outer}; make a new plan outside it")
    plan_files = template_files(with_examples)
    settings_text = plan_files[SETTINGS_FILE].decode()
    settings_doc = yamlio.load(settings_text, SETTINGS_FILE)
    plan_name = name or target.name or "Tracking plan"
    settings_doc["name"] = plan_name
    if events_layout != "flat":
        settings_doc["events_layout"] = events_layout
        plan_files = {relocated(p, sharded=True): d for p, d in plan_files.items()}
    template_main = Settings.from_json(settings_doc).main_branch
    store, created = _repository(target, template_main)
    branch = store.current_branch() or template_main
    if branch != template_main:
        settings_doc["main_branch"], settings_doc["protected_branches"] = branch, [branch]
    plan_files[SETTINGS_FILE] = yamlio.rewrite(settings_text, settings_doc).encode()
    plan_files[ATTRIBUTES_FILE] = (attributes_text("") or "").encode()  # plan files merge with the plan's driver
    assert store.workdir is not None
    prefix = target.resolve().relative_to(store.workdir).as_posix()
    prefix = "" if prefix == "." else prefix + "/"
    changes: dict[str, bytes | None] = {f"{prefix}{p}": d for p, d in plan_files.items()}
    try:
        commit = store.commit_changes(branch, store.branch_head(branch), changes, f"Create tracking plan {plan_name!r}")
    except BaseException:
        for made in created:  # nothing is left of a plan that was not created
            shutil.rmtree(made, ignore_errors=True)
        raise
    declare_driver(store)
    # git keeps no empty folder; the work tree gets events/ so people see where events go.
    (target / EVENTS_DIR).mkdir(exist_ok=True)
    return InitResult(root=target, name=plan_name, commit=commit)


def _repository(target: Path, branch: str) -> tuple[GitStore, list[Path]]:
    """The repository holding `target`, or a new one there; and what was created for it, to
    remove if the plan is not made (the .git folder, or `target` itself when this made it)."""
    created = [] if target.exists() else [target]
    target.mkdir(parents=True, exist_ok=True)
    try:
        return GitStore(target), created
    except GitError:
        return init_repository(target, branch), created or [target / ".git"]

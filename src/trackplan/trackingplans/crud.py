"""Creating, changing and removing tracking plans: each write one commit on a plan branch
(files.commit_tracking_plans), its plan looked up on that branch, by name or id.

A new plan starts as `draft`. A domain must be one of trackplan.yaml's domains and an event
specification's event must be in the plan, so a write never names what the plan lacks;
owners and app ids are checked by `validate`, which knows where they may come from.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace

from trackplan.errors import InputError
from trackplan.model.tracking_plans import STATUSES, EventSpecification, TrackingPlan, Trigger, new_id
from trackplan.repo.workspace import Workspace
from trackplan.trackingplans.files import (
    BranchPlans,
    PlanChange,
    PlanCommit,
    PlanEdit,
    PlanFile,
    commit_tracking_plans,
    find_in,
    missing_plan,
)
from trackplan.trackingplans.references import referenced_event

TRAILER = "Trackplan-Tracking-Plan"


@dataclass(frozen=True)
class PlanFields:
    """The fields a create or an update sets; None leaves a field as it is."""

    name: str | None = None
    description: str | None = None
    access_instructions: str | None = None
    domain: str | None = None
    owner: str | None = None
    status: str | None = None
    source_applications: tuple[str, ...] | None = None

    def changed(self) -> list[str]:
        return [f.name for f in fields(self) if getattr(self, f.name) is not None]


@dataclass(frozen=True)
class SpecificationFields:
    """A new event specification: its event (a name or an Iglu URI), and one trigger when
    `trigger` or `app_ids` is given."""

    event: str
    name: str | None = None
    description: str = ""
    trigger: str | None = None
    app_ids: tuple[str, ...] = ()


def _message(summary: str, plan: TrackingPlan) -> str:
    return f"{summary}\n\n{TRAILER}: {plan.id}\n"


def lookup(ws: Workspace, files: BranchPlans, wanted: str) -> PlanFile:
    """The plan named `wanted` (case-insensitively) or with that id, among a branch's plans."""
    found = find_in(files, wanted)
    if found is None:
        raise missing_plan(ws, files, wanted, f"on {files.branch!r}")
    return found


def _checked(ws: Workspace, plan: TrackingPlan, ref: str) -> TrackingPlan:
    name = plan.name.strip()
    if not name:
        raise InputError("a tracking plan needs a name that is not blank")
    if plan.status not in STATUSES:
        raise InputError(f"status {plan.status!r} is not one of {', '.join(STATUSES)}")
    domains = ws.settings(ref).domain_names
    if plan.domain is not None and plan.domain not in domains:
        known = ", ".join(domains) or "none"
        raise InputError(f"--domain {plan.domain!r} is not one of trackplan.yaml's domains ({known})")
    return plan


def create_plan(ws: Workspace, name: str, values: PlanFields, branch: str | None) -> PlanCommit:
    """A new tracking plan, `draft` unless `values` says otherwise."""
    plan = _with(TrackingPlan(id=new_id(), name=name), values)

    def edit(files: BranchPlans) -> PlanEdit:
        checked = _checked(ws, plan, files.commit)
        return PlanEdit((PlanChange(checked.id, checked),), _message(f"Add tracking plan {name}", checked))

    return commit_tracking_plans(ws, branch, edit)


def update_plan(ws: Workspace, wanted: str, values: PlanFields, branch: str | None) -> PlanCommit:
    """The plan `wanted` with `values` set (a new name renames it, and moves its file)."""

    def edit(files: BranchPlans) -> PlanEdit:
        old = lookup(ws, files, wanted).plan
        plan = _checked(ws, _with(old, values), files.commit)
        if values.changed() == ["status"]:
            summary = f"Set tracking plan {old.name} to {plan.status}"
        elif plan.name != old.name:
            summary = f"Rename tracking plan {old.name} to {plan.name}"
        else:
            summary = f"Update tracking plan {old.name}: {', '.join(values.changed())}"
        return PlanEdit((PlanChange(old.id, plan),), _message(summary, plan))

    return commit_tracking_plans(ws, branch, edit)


def delete_plan(ws: Workspace, wanted: str, branch: str | None) -> PlanCommit:
    def edit(files: BranchPlans) -> PlanEdit:
        old = lookup(ws, files, wanted).plan
        return PlanEdit((PlanChange(old.id, None),), _message(f"Delete tracking plan {old.name}", old))

    return commit_tracking_plans(ws, branch, edit)


def add_specification(ws: Workspace, wanted: str, spec: SpecificationFields, branch: str | None) -> PlanCommit:
    """The plan `wanted` with one more event specification, `draft`."""

    def edit(files: BranchPlans) -> PlanEdit:
        old = lookup(ws, files, wanted).plan
        if referenced_event(ws.load(files.commit), spec.event) is None:
            raise InputError(
                f"--event {spec.event!r}: no such event on {files.branch!r} (give an event name or an Iglu URI)"
            )
        name = spec.name or spec.event
        if old.specification(name) is not None:
            raise InputError(f"tracking plan {old.name!r} already has an event specification named {name!r}")
        triggers: tuple[Trigger, ...] = ()
        if spec.trigger is not None or spec.app_ids:
            triggers = (Trigger(new_id(), spec.trigger or "", spec.app_ids),)
        added = EventSpecification(new_id(), name, spec.event, spec.description, triggers=triggers)
        plan = old.with_specification(added)
        summary = f"Add event specification {name} to tracking plan {old.name}"
        return PlanEdit((PlanChange(old.id, plan),), _message(summary, plan))

    return commit_tracking_plans(ws, branch, edit)


def set_specification_status(ws: Workspace, wanted: str, spec: str, status: str, branch: str | None) -> PlanCommit:
    """The event specification `spec` (its name in any case, or its id) of the plan `wanted` set to `status`."""
    if status not in STATUSES:
        raise InputError(f"status {status!r} is not one of {', '.join(STATUSES)}")

    def edit(files: BranchPlans) -> PlanEdit:
        old = lookup(ws, files, wanted).plan
        found = old.specification(spec)
        if found is None:
            known = ", ".join(repr(s.name) for s in old.event_specifications) or "none"
            raise InputError(f"tracking plan {old.name!r} has no event specification {spec!r}; it has: {known}")
        plan = old.with_specification(replace(found, status=status))
        summary = f"Set event specification {found.name} of tracking plan {old.name} to {status}"
        return PlanEdit((PlanChange(old.id, plan),), _message(summary, plan))

    return commit_tracking_plans(ws, branch, edit)


def _with(plan: TrackingPlan, values: PlanFields) -> TrackingPlan:
    return replace(plan, **{name: getattr(values, name) for name in values.changed()})

"""A workspace's approval steps: who approves each, where a post starts, and what
a person may decide at a step.

A step is approved by the "team" (Membership.can_approve: owners, admins, editors)
or by the "client" (a review link's holder, or a viewer member). Without a saved
workflow a workspace has one team step and only contributors' posts need approval,
which is how SMO worked before steps existed.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from scheduler import audit
from scheduler.models import ApprovalWorkflow, Membership, Role

TEAM = ApprovalWorkflow.By.TEAM
CLIENT = ApprovalWorkflow.By.CLIENT
MAX_STEPS = 5
DEFAULT_STEPS: tuple[dict[str, str], ...] = ({"name": "Team", "by": TEAM},)


class WorkflowError(Exception):
    """The steps were refused; `field` names what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


@dataclass(frozen=True)
class Step:
    index: int
    name: str
    by: str

    @property
    def label(self) -> str:
        return str(ApprovalWorkflow.By(self.by).label)


@dataclass(frozen=True)
class Workflow:
    steps: tuple[Step, ...]
    every_post: bool

    def at(self, index: int) -> Step:
        """The step a post waits at; one past the end (steps removed since) is the last."""
        return self.steps[min(index, len(self.steps) - 1)]

    def is_last(self, index: int) -> bool:
        return index >= len(self.steps) - 1


def of(workspace_id: int) -> Workflow:
    saved = ApprovalWorkflow.objects.filter(workspace_id=workspace_id).first()
    raw = list(saved.steps) if saved and saved.steps else list(DEFAULT_STEPS)
    steps = tuple(Step(i, str(s["name"]), str(s["by"])) for i, s in enumerate(raw))
    return Workflow(steps, bool(saved and saved.every_post))


def member_may_decide(membership: Membership, step: Step) -> bool:
    if step.by == TEAM:
        return membership.can_approve
    return membership.role == Role.VIEWER


def first_step(membership: Membership) -> int | None:
    """The step a new post by `membership` starts at; None: it needs no approval.

    A team member's own post skips the team steps they could approve themselves
    (an editor does not approve their own post) and starts at the first they cannot.
    """
    flow = of(membership.workspace_id)
    if membership.can_schedule and not flow.every_post:
        return None
    for step in flow.steps:
        if not member_may_decide(membership, step):
            return step.index
    return None


def check_steps(steps: object) -> list[dict[str, str]]:
    """Return clean steps, or raise WorkflowError naming the first problem."""
    if not isinstance(steps, list) or not steps:
        raise WorkflowError("steps", _("Give at least one step."))
    if len(steps) > MAX_STEPS:
        raise WorkflowError("steps", _("At most %(n)s steps.") % {"n": MAX_STEPS})
    clean = []
    for i, step in enumerate(steps):
        if not isinstance(step, dict):
            raise WorkflowError(f"steps.{i}", _("Each step needs a name and who approves it."))
        name = str(step.get("name") or "").strip()
        if not name or len(name) > 100:
            raise WorkflowError(
                f"steps.{i}.name", _("Give each step a name (up to 100 characters).")
            )
        by = step.get("by")
        if by not in ApprovalWorkflow.By.values:
            raise WorkflowError(f"steps.{i}.by", _("Choose “team” or “client”."))
        clean.append({"name": name, "by": str(by)})
    return clean


def save(actor: Membership, steps: object, every_post: bool) -> Workflow:
    """Set the workspace's steps (owners and admins). Posts already waiting keep
    their step number; one past the new end waits at the last step."""
    if not actor.can_manage_people:
        raise WorkflowError(
            "steps",
            _("Your role (%(role)s) cannot change approval steps.")
            % {"role": actor.get_role_display()},
        )
    clean = check_steps(steps)
    with transaction.atomic():
        ApprovalWorkflow.objects.update_or_create(
            workspace_id=actor.workspace_id,
            defaults={"steps": clean, "every_post": every_post},
        )
        audit.record(
            actor.workspace_id,
            audit.A.APPROVAL_STEPS_CHANGED,
            actor=actor,
            approval_steps=" → ".join(f"{s['name']} ({s['by']})" for s in clean),
        )
    return of(actor.workspace_id)

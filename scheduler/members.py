"""Who is in a workspace: create one, change a member's role, remove a member.

The rules (owners and admins manage people; only an owner makes, demotes or removes
an owner; a workspace always keeps an owner) live here, once, for the web app and
the API. A refusal names the field it is about, so a form or a JSON answer can point
at it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.http import Http404
from django.utils.translation import gettext as _

from scheduler import audit
from scheduler.models import Membership, Role, User, Workspace


@dataclass
class Refused(Exception):
    """A people change the rules do not allow; `field` is what it is about."""

    field: str
    message: str
    # True when the actor's role is what forbids it (the API answers 403, not 400).
    forbidden: bool = False

    def __str__(self) -> str:
        return self.message


def create_workspace(user: User, name: str, timezone: str) -> Membership:
    """Make a workspace with `user` as its owner."""
    name = name.strip()
    if not name:
        raise Refused("name", _("Give the workspace a name."))
    with transaction.atomic():
        workspace = Workspace.objects.create(name=name[:200], timezone=timezone)
        return Membership.objects.create(user=user, workspace=workspace, role=Role.OWNER)


def check_role(actor: Membership, role: str, field: str = "role") -> None:
    """Refuse a role `actor` may not hand out (an admin giving owner)."""
    if role not in Role.values:
        raise Refused(field, _("Unknown role: %(role)s.") % {"role": role})
    if not actor.can_manage_people:
        raise Refused(field, _("Your role (%(role)s) cannot manage people.") % _role(actor), True)
    if role == Role.OWNER and actor.role != Role.OWNER:
        raise Refused(field, _("Only an owner can make someone an owner."), True)


def _check_target(actor: Membership, target: Membership) -> None:
    if target.workspace_id != actor.workspace_id:
        raise Http404  # never reached through the views, which look up in-workspace
    if not actor.can_manage_people:
        raise Refused("role", _("Your role (%(role)s) cannot manage people.") % _role(actor), True)
    if target.role == Role.OWNER and actor.role != Role.OWNER:
        raise Refused("role", _("Only an owner can change or remove an owner."), True)


def _locked(target: Membership) -> Membership:
    """Lock the workspace, then re-read `target`.

    People changes in one workspace take turns on the workspace row, so two owners
    demoting each other at once cannot leave it without one (and cannot deadlock,
    as locking each other's membership rows could).
    """
    Workspace.objects.select_for_update().filter(pk=target.workspace_id).first()
    return Membership.objects.select_related("user").get(pk=target.pk)


def _other_owners(target: Membership) -> bool:
    owners = Membership.objects.filter(workspace_id=target.workspace_id, role=Role.OWNER)
    return owners.exclude(pk=target.pk).exists()


def change_role(actor: Membership, target: Membership, role: str) -> bool:
    """Give `target` the role `role`; return whether anything changed."""
    _check_target(actor, target)
    check_role(actor, role)
    with transaction.atomic():
        target = _locked(target)
        if target.role == role:
            return False
        if target.role == Role.OWNER and not _other_owners(target):
            raise Refused(
                "role",
                _("%(name)s is the last owner; make someone else an owner first.")
                % {"name": target.user.username},
            )
        before = target.get_role_display()
        target.role = role
        target.save(update_fields=["role"])
        audit.record(
            target.workspace_id,
            audit.A.ROLE_CHANGED,
            target,
            actor=actor,
            target_label=target.user.username,
            role=str(target.get_role_display()),
            role_before=str(before),
        )
    return True


def remove(actor: Membership, target: Membership) -> None:
    """Take `target` out of the workspace. Their posts stay; they lose access."""
    _check_target(actor, target)
    with transaction.atomic():
        target = _locked(target)
        if target.role == Role.OWNER and not _other_owners(target):
            raise Refused(
                "member",
                _("%(name)s is the last owner; make someone else an owner first.")
                % {"name": target.user.username},
            )
        audit.record(
            target.workspace_id,
            audit.A.MEMBER_REMOVED,
            target,
            actor=actor,
            target_label=target.user.username,
            role=str(target.get_role_display()),
        )
        target.delete()


def _role(membership: Membership) -> dict[str, str]:
    return {"role": str(membership.get_role_display())}

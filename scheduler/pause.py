"""Pause publishing, for a whole workspace or one account, and resume it.

While paused, the dispatcher skips the deliveries it holds and publish() puts back
any it already queued (scheduler/engine.py): they stay `scheduled`, nothing is lost.
On resume a person says what happens to the posts that came due meanwhile:

- "publish_now": nothing moves; the dispatcher sends them on its next tick.
- "reschedule": each moves forward by the length of the pause, so a post due ten
  minutes into a two-hour pause goes out ten minutes after the resume.
- "review": each goes back to draft, for a person to look at again.
"""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, Membership, Workspace
from scheduler.queue import follow_deliveries

S = Delivery.State
CHOICES = {
    "publish_now": gettext_lazy("Publish them now"),
    "reschedule": gettext_lazy("Move them later by the length of the pause"),
    "review": gettext_lazy("Move them to drafts to review"),
}


def _check(membership: Membership) -> None:
    if not membership.can_manage_accounts:
        raise PermissionDenied(_("Only owners and admins can pause or resume publishing."))


def pause_workspace(membership: Membership, reason: str) -> bool:
    """Hold every delivery of the workspace; return False if it was already paused."""
    _check(membership)
    return bool(
        Workspace.objects.filter(pk=membership.workspace_id, paused_at__isnull=True).update(
            paused_at=timezone.now(), paused_by=membership.user, pause_reason=reason.strip()[:500]
        )
    )


def pause_account(membership: Membership, account: SocialAccount) -> bool:
    """Hold the deliveries of one account; return False if it was already paused."""
    _check(membership)
    if account.workspace_id != membership.workspace_id:
        raise PermissionDenied(_("This account belongs to another workspace."))
    return bool(
        SocialAccount.objects.filter(pk=account.pk, paused_at__isnull=True).update(
            paused_at=timezone.now()
        )
    )


def missed(workspace: Workspace, now: datetime | None = None) -> QuerySet[Delivery]:
    """The workspace's deliveries a pause holds past their time."""
    return Delivery.objects.filter(
        account__workspace=workspace, state=S.SCHEDULED, due_at__lte=now or timezone.now()
    )


def resume(
    membership: Membership,
    account: SocialAccount | None = None,
    what_was_missed: str = "publish_now",
) -> int:
    """Lift the workspace's pause (or `account`'s) and deal with what came due meanwhile.

    Return how many deliveries had come due. Deliveries still held by another pause
    (the account's own, or the workspace's) are left for that pause's resume.
    """
    _check(membership)
    if what_was_missed not in CHOICES:
        raise ValueError(f"unknown choice {what_was_missed!r}")
    now = timezone.now()
    with transaction.atomic():
        if account is None:
            target = Workspace.objects.select_for_update().get(pk=membership.workspace_id)
            paused_at = target.paused_at
            if paused_at is None:
                return 0
            Workspace.objects.filter(pk=target.pk, paused_at=paused_at).update(
                paused_at=None, paused_by=None, pause_reason=""
            )
            held = missed(target, now).filter(account__paused_at__isnull=True)
        else:
            if account.workspace_id != membership.workspace_id:
                raise PermissionDenied(_("This account belongs to another workspace."))
            paused_at = (
                SocialAccount.objects.select_for_update()
                .values_list("paused_at", flat=True)
                .get(pk=account.pk)
            )
            if paused_at is None:
                return 0
            SocialAccount.objects.filter(pk=account.pk, paused_at=paused_at).update(paused_at=None)
            held = missed(membership.workspace, now).filter(
                account=account, account__workspace__paused_at__isnull=True
            )
        rows = list(held.values_list("pk", "post_id", "scheduled_at", "due_at"))
        if what_was_missed == "reschedule":
            length = now - paused_at
            for pk, _post, scheduled_at, due_at in rows:
                engine.transition(
                    pk,
                    S.SCHEDULED,
                    S.SCHEDULED,
                    scheduled_at=(scheduled_at or due_at) + length,
                    due_at=due_at + length,
                )
        elif what_was_missed == "review":
            for pk, *_rest in rows:
                engine.transition(pk, S.SCHEDULED, S.DRAFT, scheduled_at=None, due_at=None)
        if what_was_missed != "publish_now":
            follow_deliveries({post_id for _pk, post_id, *_rest in rows})
    return len(rows)

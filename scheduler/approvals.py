"""Approving, rejecting and asking for changes on posts awaiting approval.

A post waits in `awaiting_approval` at one of its workspace's approval steps
(scheduler/workflow.py) until the people of that step decide: team members
(Membership), or a client through a review link (Reviewer). Approving at a step
before the last records the decision and moves the post on, its deliveries still
waiting; at the last step they are scheduled. Each decision moves the waiting
deliveries with `engine.transition`, leaves an ApprovalDecision and a Comment of
its kind, and notifies people, all in one transaction. A post whose time has
passed (or that expired, scheduler/unapproved.py) is never approved as it
stands: the approver must choose to publish it now or give it a new time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler import audit, comments, engine, notify, workflow
from scheduler.models import (
    ApprovalDecision,
    Comment,
    Delivery,
    Membership,
    Post,
    ReviewLink,
    Role,
)
from scheduler.posts import PAST_GRACE, check_time

S = Delivery.State
# Still waiting for a decision: expired ones wait for a new time.
UNDECIDED = (S.AWAITING_APPROVAL, S.EXPIRED)


class ReviewError(Exception):
    """The decision was not made; `message` says why (nothing changed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TimePassed(ReviewError):
    """The post's time is in the past: publish it now, or give a new time."""


@dataclass(frozen=True)
class Reviewer:
    """Someone deciding through a review link, without an account."""

    link: ReviewLink

    @property
    def workspace_id(self) -> int:
        return self.link.workspace_id


Decider = Membership | Reviewer


def awaiting(post: Post) -> bool:
    """Say whether a post (with prefetched deliveries) still waits for a decision."""
    return any(d.state in UNDECIDED for d in post.deliveries.all())


def is_late(post: Post, now: datetime | None = None) -> bool:
    """Say whether approving the post as it stands would publish it late."""
    now = now or timezone.now()
    return post.scheduled_at is None or post.scheduled_at < now - PAST_GRACE


def approve(
    decider: Decider,
    post: Post,
    *,
    publish_now: bool = False,
    new_time: datetime | None = None,
    note: str = "",
    at_step: int | None = None,
) -> Comment:
    """Approve the post at its step: move it to the next step, or at the last one
    schedule its deliveries. Raise TimePassed if its time is gone and neither
    `publish_now` nor a `new_time` says what to do instead."""
    now = timezone.now()
    if new_time is not None:
        problems = check_time(new_time, now)
        if problems:
            raise ReviewError(problems["scheduled_at"][0])
    with _deciding(decider, post, at_step) as (waiting, flow, step):
        last = flow.is_last(step.index)
        if publish_now and not last:
            raise ReviewError(_("Later steps still have to approve it: pick a new time instead."))
        when = now if publish_now else new_time
        if when is None:
            if is_late(post, now):
                raise TimePassed(
                    _(
                        "The time of this post has passed. Publish it now or pick a new time; "
                        "nothing was approved."
                    )
                )
            when = post.scheduled_at
        else:
            post.scheduled_at = when
        for d in waiting:
            if last:
                engine.transition(d.pk, d.state, S.SCHEDULED, scheduled_at=when, due_at=when)
            elif d.state == S.EXPIRED:
                engine.transition(d.pk, d.state, S.AWAITING_APPROVAL, scheduled_at=when)
            else:
                # Same state, a new time: not a transition (posts._retime does the same).
                Delivery.objects.filter(pk=d.pk, state=d.state).update(scheduled_at=when)
        if not last:
            post.approval_step = step.index + 1
        post.save(update_fields=["scheduled_at", "approval_step", "updated_at"])
        comment = _record(decider, post, step, Comment.Kind.APPROVED, note)
        if not last:
            notify.approval_needed(post.pk, fresh=True)
        return comment


def reject(decider: Decider, post: Post, reason: str, *, at_step: int | None = None) -> Comment:
    """Cancel the post's waiting deliveries, saying why."""
    if not reason.strip():
        raise ReviewError(_("Say why the post is rejected."))
    with _deciding(decider, post, at_step) as (waiting, _flow, step):
        for d in waiting:
            engine.transition(d.pk, d.state, S.CANCELLED, due_at=None)
        post.cancelled_at = timezone.now()
        post.save(update_fields=["cancelled_at", "updated_at"])
        return _record(decider, post, step, Comment.Kind.REJECTED, reason)


def request_changes(
    decider: Decider, post: Post, body: str, *, at_step: int | None = None
) -> Comment:
    """Send the post back to its author as a draft, saying what to change."""
    if not body.strip():
        raise ReviewError(_("Say what should change."))
    with _deciding(decider, post, at_step) as (waiting, _flow, step):
        for d in waiting:
            engine.transition(d.pk, d.state, S.DRAFT, scheduled_at=None, due_at=None)
        # A draft has no time (Post.scheduled_at); the author picks one again,
        # and it starts again at the first step.
        post.scheduled_at = None
        post.approval_step = 0
        post.save(update_fields=["scheduled_at", "approval_step", "updated_at"])
        return _record(decider, post, step, Comment.Kind.CHANGES_REQUESTED, body)


def may_decide(decider: Decider, step: workflow.Step) -> bool:
    if isinstance(decider, Reviewer):
        return step.by == workflow.CLIENT
    return workflow.member_may_decide(decider, step)


def _check_decider(decider: Decider, step: workflow.Step) -> None:
    if may_decide(decider, step):
        return
    if isinstance(decider, Reviewer):
        raise ReviewError(_("Waiting for the team first."))
    if decider.can_approve:
        raise ReviewError(
            _("This post waits at step “%(step)s”, decided by: %(by)s.")
            % {"step": step.name, "by": step.label}
        )
    raise PermissionDenied(
        _("Your role (%(role)s) cannot approve posts.") % {"role": decider.get_role_display()}
    )


@contextmanager
def _deciding(
    decider: Decider, post: Post, at_step: int | None
) -> Iterator[tuple[list[Delivery], workflow.Workflow, workflow.Step]]:
    """Check the decider, lock the post and yield its waiting deliveries in one
    transaction: of two people deciding at once, the second finds the post gone
    from the step (or from approval altogether)."""
    if isinstance(decider, Membership) and not (decider.can_approve or decider.role == Role.VIEWER):
        raise PermissionDenied(
            _("Your role (%(role)s) cannot approve posts.") % {"role": decider.get_role_display()}
        )
    if post.workspace_id != decider.workspace_id:
        raise Post.DoesNotExist
    with transaction.atomic():
        locked = Post.objects.select_for_update().filter(pk=post.pk)
        post.approval_step = locked.values_list("approval_step", flat=True).get()
        waiting = list(post.deliveries.filter(state__in=UNDECIDED).order_by("id"))
        if not waiting:
            raise ReviewError(_("This post is no longer awaiting approval."))
        if at_step is not None and at_step != post.approval_step:
            raise ReviewError(_("This post is no longer waiting at this step."))
        flow = workflow.of(post.workspace_id)
        step = flow.at(post.approval_step)
        _check_decider(decider, step)
        yield waiting, flow, step


# Decisions that change what gets published go into the audit log too.
AUDITED = {
    Comment.Kind.APPROVED: audit.A.POST_APPROVED,
    Comment.Kind.REJECTED: audit.A.POST_REJECTED,
}


def _record(decider: Decider, post: Post, step: workflow.Step, kind: str, body: str) -> Comment:
    reviewer = decider.link if isinstance(decider, Reviewer) else None
    user = None if reviewer else decider.user  # type: ignore[union-attr]
    name = reviewer.reviewer_name if reviewer else ""
    ApprovalDecision.objects.create(
        post=post,
        step=step.index,
        step_name=step.name,
        user=user,
        review_link=reviewer,
        reviewer_name=name,
        decision=kind,
        comment=body,
    )
    comment = comments.add(post, user, body, kind=kind, reviewer_name=name)
    if kind in AUDITED:
        actor = None if reviewer else decider
        details = {"reviewer": name} if reviewer else {}
        audit.post_event(AUDITED[kind], post, actor, note=body[:300], step=step.name, **details)
    notify.decided(comment.pk, tell_approvers=reviewer is not None)
    return comment

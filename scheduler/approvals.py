"""Approving, rejecting and asking for changes on posts awaiting approval.

A contributor's post waits in `awaiting_approval` until an approver decides
(Membership.can_approve). Each decision moves the waiting deliveries with
`engine.transition`, leaves a Comment of its kind and notifies the author, all in
one transaction. A post whose time has passed is never approved as it stands: the
approver must choose to publish it now or give it a new time.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from scheduler import audit, comments, engine, notify
from scheduler.models import Comment, Delivery, Membership, Post
from scheduler.posts import PAST_GRACE, check_time

S = Delivery.State


class ReviewError(Exception):
    """The decision was not made; `message` says why (nothing changed)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class TimePassed(ReviewError):
    """The post's time is in the past: publish it now, or give a new time."""


def awaiting(post: Post) -> bool:
    """Say whether a post (with prefetched deliveries) still waits for a decision."""
    return any(d.state == S.AWAITING_APPROVAL for d in post.deliveries.all())


def is_late(post: Post, now: datetime | None = None) -> bool:
    """Say whether approving the post as it stands would publish it late."""
    now = now or timezone.now()
    return post.scheduled_at is None or post.scheduled_at < now - PAST_GRACE


def approve(
    membership: Membership,
    post: Post,
    *,
    publish_now: bool = False,
    new_time: datetime | None = None,
    note: str = "",
) -> Comment:
    """Schedule the post's waiting deliveries; raise TimePassed if its time is gone
    and neither `publish_now` nor a `new_time` says what to do instead."""
    now = timezone.now()
    if new_time is not None:
        problems = check_time(new_time, now)
        if problems:
            raise ReviewError(problems["scheduled_at"][0])
    with _deciding(membership, post) as waiting:
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
            post.save(update_fields=["scheduled_at", "updated_at"])
        for d in waiting:
            engine.transition(
                d.pk, S.AWAITING_APPROVAL, S.SCHEDULED, scheduled_at=when, due_at=when
            )
        return _record(membership, post, Comment.Kind.APPROVED, note)


def reject(membership: Membership, post: Post, reason: str) -> Comment:
    """Cancel the post's waiting deliveries, saying why."""
    if not reason.strip():
        raise ReviewError(_("Say why the post is rejected."))
    with _deciding(membership, post) as waiting:
        for d in waiting:
            engine.transition(d.pk, S.AWAITING_APPROVAL, S.CANCELLED, due_at=None)
        post.cancelled_at = timezone.now()
        post.save(update_fields=["cancelled_at", "updated_at"])
        return _record(membership, post, Comment.Kind.REJECTED, reason)


def request_changes(membership: Membership, post: Post, body: str) -> Comment:
    """Send the post back to its author as a draft, saying what to change."""
    if not body.strip():
        raise ReviewError(_("Say what should change."))
    with _deciding(membership, post) as waiting:
        for d in waiting:
            engine.transition(d.pk, S.AWAITING_APPROVAL, S.DRAFT, scheduled_at=None, due_at=None)
        # A draft has no time (Post.scheduled_at); the author picks one again.
        post.scheduled_at = None
        post.save(update_fields=["scheduled_at", "updated_at"])
        return _record(membership, post, Comment.Kind.CHANGES_REQUESTED, body)


@contextmanager
def _deciding(membership: Membership, post: Post) -> Iterator[list[Delivery]]:
    """Check the approver, lock the post and yield its waiting deliveries in one
    transaction: of two approvers deciding at once, the second finds nothing waiting."""
    if not membership.can_approve:
        raise PermissionDenied(
            _("Your role (%(role)s) cannot approve posts.")
            % {"role": membership.get_role_display()}
        )
    if post.workspace_id != membership.workspace_id:
        raise Post.DoesNotExist
    with transaction.atomic():
        list(Post.objects.select_for_update().filter(pk=post.pk).values_list("pk"))
        waiting = list(post.deliveries.filter(state=S.AWAITING_APPROVAL).order_by("id"))
        if not waiting:
            raise ReviewError(_("This post is no longer awaiting approval."))
        yield waiting


# Decisions that change what gets published go into the audit log too.
AUDITED = {
    Comment.Kind.APPROVED: audit.A.POST_APPROVED,
    Comment.Kind.REJECTED: audit.A.POST_REJECTED,
}


def _record(membership: Membership, post: Post, kind: str, body: str) -> Comment:
    comment = comments.add(post, membership.user, body, kind=kind)
    if kind in AUDITED:
        audit.post_event(AUDITED[kind], post, membership, note=body[:300])
    notify.decided(comment.pk)
    return comment

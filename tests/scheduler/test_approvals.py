"""Approving, rejecting and asking for changes (scheduler/approvals.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import PermissionDenied

from scheduler import approvals, engine, posts
from scheduler.models import Comment, Delivery, Notification, Post
from tests.conftest import NOW, Cast

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
AT = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def contributors_post(cast: Cast, account, when: datetime = AT) -> Post:  # type: ignore[no-untyped-def]
    post = posts.create_post(
        cast.contributor, posts.PostInput("Buns at 7", accounts=[account], scheduled_at=when)
    )
    # Creating it told the approvers (tests/scheduler/test_notify.py); these
    # tests are about what the decision tells the author.
    Notification.objects.filter(kind="approval_needed").delete()
    return post


def states(post: Post) -> list[tuple[str, datetime | None, datetime | None]]:
    return list(post.deliveries.order_by("id").values_list("state", "scheduled_at", "due_at"))


def test_approving_schedules_the_waiting_deliveries_and_tells_the_author(
    cast: Cast, account, django_capture_on_commit_callbacks
) -> None:
    post = contributors_post(cast, account)
    assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]
    with django_capture_on_commit_callbacks(execute=True):
        comment = approvals.approve(cast.editor, post)
    assert states(post) == [(S.SCHEDULED, AT, AT)]
    assert (comment.kind, comment.author, comment.body) == ("approved", cast.editor.user, "")
    assert list(Notification.objects.values_list("user__username", "kind", "url")) == [
        ("contributor", "approved", f"/posts/{post.pk}/#comment-{comment.pk}")
    ]
    assert Notification.objects.get().message == "editor approved your post “Buns at 7”."
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["contributor@example.com"], "[SMO] editor approved your post “Buns at 7”.")
    ]


def test_nothing_awaiting_approval_is_dispatched_until_approved(cast: Cast, account, sent) -> None:
    post = contributors_post(cast, account)
    with time_machine.travel(AT + timedelta(minutes=5), tick=False):
        assert engine.dispatch_due() == 0
        assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]
    approvals.approve(cast.admin, post)
    with time_machine.travel(AT, tick=False):
        assert engine.dispatch_due() == 1
    assert [s.delivery_id for s in sent["publish"]] == [post.deliveries.get().pk]
    assert post.deliveries.get().state == S.QUEUED


def test_approving_a_post_whose_time_has_passed_changes_nothing_and_says_so(
    cast: Cast, account
) -> None:
    post = contributors_post(cast, account)
    with time_machine.travel(AT + timedelta(minutes=2), tick=False):
        with pytest.raises(approvals.TimePassed) as raised:
            approvals.approve(cast.editor, post)
    assert "has passed" in raised.value.message
    assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]
    assert not Comment.objects.exists()
    assert not Notification.objects.filter(kind="approved").exists()


def test_a_late_post_can_be_approved_to_publish_now(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    later = AT + timedelta(minutes=2)
    with time_machine.travel(later, tick=False):
        approvals.approve(cast.editor, post, publish_now=True)
    assert states(post) == [(S.SCHEDULED, later, later)]
    post.refresh_from_db()
    assert post.scheduled_at == later


def test_a_late_post_can_be_approved_for_a_new_time(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    new = AT + timedelta(days=1)
    with time_machine.travel(AT + timedelta(minutes=2), tick=False):
        approvals.approve(cast.owner, post, new_time=new)
    assert states(post) == [(S.SCHEDULED, new, new)]


def test_a_new_time_in_the_past_is_refused(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    with pytest.raises(approvals.ReviewError, match="in the past"):
        approvals.approve(cast.editor, post, new_time=NOW - timedelta(hours=1))
    assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]


def test_rejecting_cancels_with_the_reason(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    comment = approvals.reject(cast.admin, post, "  Off brand.  ")
    assert states(post) == [(S.CANCELLED, AT, None)]
    post.refresh_from_db()
    assert post.cancelled_at == NOW
    assert (comment.kind, comment.body) == ("rejected", "Off brand.")
    assert list(Notification.objects.values_list("user__username", "kind", "message")) == [
        ("contributor", "rejected", "admin rejected your post “Buns at 7”: Off brand.")
    ]


def test_rejecting_needs_a_reason(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    with pytest.raises(approvals.ReviewError, match="Say why"):
        approvals.reject(cast.admin, post, "   ")
    assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]


def test_asking_for_changes_sends_the_post_back_as_a_draft(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    comment = approvals.request_changes(cast.editor, post, "Add the price, @contributor.")
    assert states(post) == [(S.DRAFT, None, None)]
    post.refresh_from_db()
    assert post.scheduled_at is None
    assert comment.kind == "changes_requested"
    assert list(comment.mentions.values_list("username", flat=True)) == ["contributor"]
    # The author hears of the decision and of the mention: two events.
    assert sorted(Notification.objects.values_list("user__username", "kind")) == [
        ("contributor", "changes_requested"),
        ("contributor", "mentioned"),
    ]


def test_asking_for_changes_needs_a_comment(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    with pytest.raises(approvals.ReviewError, match="what should change"):
        approvals.request_changes(cast.editor, post, "")


@pytest.mark.parametrize("role", ["contributor", "viewer"])
def test_contributors_and_viewers_cannot_decide(cast: Cast, account, role: str) -> None:
    post = contributors_post(cast, account)
    for decide in (
        lambda: approvals.approve(cast.role(role), post),
        lambda: approvals.reject(cast.role(role), post, "no"),
        lambda: approvals.request_changes(cast.role(role), post, "no"),
    ):
        with pytest.raises(PermissionDenied):
            decide()
    assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]
    assert not Comment.objects.exists()


def test_a_post_decided_already_cannot_be_decided_again(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    approvals.approve(cast.editor, post)
    with pytest.raises(approvals.ReviewError, match="no longer awaiting"):
        approvals.reject(cast.admin, post, "Too late")
    assert states(post) == [(S.SCHEDULED, AT, AT)]
    assert list(Comment.objects.values_list("kind", flat=True)) == ["approved"]
    assert Notification.objects.filter(kind="rejected").count() == 0


def test_an_approver_of_another_workspace_cannot_decide(cast: Cast, account) -> None:
    post = contributors_post(cast, account)
    with pytest.raises(Post.DoesNotExist):
        approvals.approve(cast.outsider, post)
    assert states(post) == [(S.AWAITING_APPROVAL, AT, None)]

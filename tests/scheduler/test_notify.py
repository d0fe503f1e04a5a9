"""Notifications and their e-mails (scheduler/notify.py): who hears of what, once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from channels.models import SocialAccount
from scheduler import approvals, comments, engine, notify, posts, tokens
from scheduler.models import Delivery, Notification, Post
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory, PostFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
AT = datetime(2026, 11, 25, 16, 0, tzinfo=UTC)


def told() -> list[tuple[str, str]]:
    return sorted(Notification.objects.values_list("user__username", "kind"))


def awaiting_post(cast: Cast, account) -> Post:  # type: ignore[no-untyped-def]
    return posts.create_post(
        cast.contributor, posts.PostInput("Buns at 7", accounts=[account], scheduled_at=AT)
    )


def failed_delivery(cast: Cast, account, state: str = S.FAILED) -> Delivery:  # type: ignore[no-untyped-def]
    post = PostFactory(workspace=cast.workspace, author=cast.editor.user, text="Sale today")
    return DeliveryFactory(post=post, account=account, state=state, last_error="Text too long.")


def test_a_post_awaiting_approval_is_announced_to_the_approvers_once(
    cast: Cast, account, django_capture_on_commit_callbacks
) -> None:
    # create_post announces it itself (the hook in scheduler/posts.py).
    with django_capture_on_commit_callbacks(execute=True):
        post = awaiting_post(cast, account)
        again = notify.approval_needed(post.pk)
    assert again == []
    assert told() == [
        ("admin", "approval_needed"),
        ("editor", "approval_needed"),
        ("owner", "approval_needed"),
    ]
    n = Notification.objects.first()
    assert (n.message, n.url) == (
        "contributor asks for approval: “Buns at 7”",
        f"/posts/{post.pk}/#review",
    )
    assert sorted(m.to[0] for m in mail.outbox) == [
        "admin@example.com",
        "editor@example.com",
        "owner@example.com",
    ]
    assert Notification.objects.filter(emailed_at=NOW).count() == 3


def test_a_post_sent_back_and_resubmitted_is_announced_again(cast: Cast, account) -> None:
    post = awaiting_post(cast, account)
    approvals.request_changes(cast.editor, post, "Add the price")
    assert notify.approval_needed(post.pk) == []  # a draft needs nobody
    with time_machine.travel(NOW + timedelta(minutes=5), tick=False):
        posts.update_post(cast.contributor, post, {"scheduled_at": AT})  # announces it again
        assert notify.approval_needed(post.pk) == []
    assert Notification.objects.filter(kind="approval_needed").count() == 6


def test_e_mails_leave_only_when_the_transaction_commits(
    cast: Cast, account, django_capture_on_commit_callbacks
) -> None:
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            awaiting_post(cast, account)  # announces it
        assert mail.outbox == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert len(mail.outbox) == 3
    callbacks[0]()  # a second run sends nothing twice
    assert len(mail.outbox) == 3


def test_the_e_mail_is_plain_text_with_a_link_and_no_secret(
    cast: Cast, account, django_capture_on_commit_callbacks
) -> None:
    delivery = failed_delivery(cast, account)
    with django_capture_on_commit_callbacks(execute=True):
        notify.delivery_failed(delivery.pk)
    message = next(m for m in mail.outbox if m.to == ["owner@example.com"])
    assert message.subject == "[SMO] Post “Sale today” failed on Acme Sandbox: Text too long."
    assert message.body == (
        "Post “Sale today” failed on Acme Sandbox: Text too long.\n"
        "\n"
        f"Open it: http://127.0.0.1:8000/posts/{delivery.post_id}/#delivery-{delivery.pk}\n"
        "\n"
        "-- \n"
        "You get this e-mail as a member of Acme on SMO.\n"
        "All your notifications: http://127.0.0.1:8000/notifications/\n"
    )
    assert message.alternatives == []
    secret = account.credentials["token"]
    assert all(secret not in m.body and secret not in m.subject for m in mail.outbox)


def test_a_failed_delivery_tells_its_author_and_the_owners_and_admins_once(
    cast: Cast, account
) -> None:
    delivery = failed_delivery(cast, account)
    assert len(notify.delivery_failed(delivery.pk)) == 3
    assert notify.delivery_failed(delivery.pk) == []
    assert told() == [
        ("admin", "delivery_failed"),
        ("editor", "delivery_failed"),
        ("owner", "delivery_failed"),
    ]


def test_a_delivery_that_fails_again_after_a_retry_is_announced_again(cast: Cast, account) -> None:
    delivery = failed_delivery(cast, account)
    notify.delivery_failed(delivery.pk)
    with time_machine.travel(NOW + timedelta(hours=1), tick=False):
        engine.transition(delivery.pk, S.FAILED, S.SCHEDULED)
        assert notify.delivery_failed(delivery.pk) == []  # not failed now
        Delivery.objects.filter(pk=delivery.pk).update(state=S.PUBLISHING)
        engine.transition(delivery.pk, S.PUBLISHING, S.FAILED)  # the engine tells people
        assert notify.delivery_failed(delivery.pk) == []
    assert Notification.objects.count() == 6


def test_a_delivery_that_needs_attention_says_so(cast: Cast, account) -> None:
    delivery = failed_delivery(cast, account, state=S.NEEDS_ATTENTION)
    notify.delivery_failed(delivery.pk)
    assert set(Notification.objects.values_list("message", flat=True)) == {
        "Post “Sale today” needs attention on Acme Sandbox: Text too long."
    }


def test_an_account_that_needs_reconnecting_tells_the_owners_and_admins_once(
    cast: Cast, account
) -> None:
    assert notify.account_needs_reconnect(account.pk) == []  # still connected
    tokens.mark_needs_reconnect(account.pk, "Token revoked.")  # tells the admins itself
    assert notify.account_needs_reconnect(account.pk) == []
    assert told() == [("admin", "account_needs_reconnect"), ("owner", "account_needs_reconnect")]
    n = Notification.objects.first()
    assert (
        n.message
        == "Acme Sandbox needs reconnecting; its posts are on hold until then. Token revoked."
    )
    assert n.url == f"/accounts/#account-{account.pk}"


def test_an_account_that_expires_again_after_a_reconnect_is_announced_again(
    cast: Cast, account
) -> None:
    tokens.mark_needs_reconnect(account.pk, "Token revoked.")
    notify.account_needs_reconnect(account.pk)
    with time_machine.travel(NOW + timedelta(days=1), tick=False):
        account.refresh_from_db()
        account.status = SocialAccount.Status.ACTIVE
        account.save()
        tokens.mark_needs_reconnect(account.pk, "Token revoked again.")
    assert Notification.objects.filter(kind="account_needs_reconnect").count() == 4


def test_a_mention_tells_the_member_named_but_not_the_author_or_strangers(
    cast: Cast, account
) -> None:
    post = awaiting_post(cast, account)
    comment = comments.add(
        post, cast.viewer.user, "@Owner look; cc @viewer @outsider @nobody and bob@example.com"
    )
    # Stored as written (the author too); only others are told.
    assert list(comment.mentions.order_by("username").values_list("username", flat=True)) == [
        "owner",
        "viewer",
    ]
    assert [t for t in told() if t[1] == "mentioned"] == [("owner", "mentioned")]
    n = Notification.objects.get(kind="mentioned")
    assert n.url == f"/posts/{post.pk}/#comment-{comment.pk}"
    assert n.message.startswith("viewer mentioned you on “Buns at 7”: @Owner look")
    assert notify.mentioned(comment.pk) == []


def test_a_decision_on_your_own_post_does_not_notify_you(cast: Cast, account) -> None:
    post = PostFactory(workspace=cast.workspace, author=cast.editor.user)
    DeliveryFactory(post=post, account=account, state=S.AWAITING_APPROVAL, due_at=None)
    approvals.approve(cast.editor, post)
    assert told() == []

"""Answers from the inbox go out once, through the adapter, with the care of publishing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters import base
from channels.adapters.sandbox import SandboxAdapter
from channels.models import SandboxComment, SocialAccount
from scheduler import inbox_sync, replies, tasks
from scheduler.models import InboxItem, Reply
from tests.conftest import Sent
from tests.factories import UserFactory
from tests.scheduler.inbox_setup import published, visitor_says

pytestmark = pytest.mark.django_db
R = Reply.State


def an_item(**options: object) -> InboxItem:
    delivery = published()
    account = delivery.account
    visitor_says(account, "When does it ship?", post_id=delivery.external_id)
    inbox_sync.fetch(account.pk)
    if options:
        SocialAccount.objects.filter(pk=account.pk).update(options=options)
    return InboxItem.objects.select_related("account").get(account=account)


def answers(item: InboxItem) -> list[SandboxComment]:
    return list(SandboxComment.objects.filter(account_ref=item.account.external_id, own=True))


def test_an_answer_is_sent_once_and_appears_in_the_thread(sent: dict[str, list[Sent]]) -> None:
    item = an_item()
    reply = replies.create(item, UserFactory(), "  Next Tuesday!  ")
    assert (reply.state, reply.text) == (R.QUEUED, "Next Tuesday!")
    assert [s.delivery_id for s in sent["reply"]] == [reply.pk]

    assert tasks.send_reply.run(reply.pk) == "sent"
    assert tasks.send_reply.run(reply.pk) == "not-queued"  # a duplicate message
    reply.refresh_from_db()
    [written] = answers(item)
    assert (written.text, written.in_reply_to, str(written.post.public_id)) == (
        "Next Tuesday!",
        item.external_id,
        item.parent_post_id,
    )
    assert (reply.state, reply.external_id, reply.attempts) == (R.SENT, str(written.public_id), 1)
    own = InboxItem.objects.get(external_id=reply.external_id)
    assert (own.own, own.in_reply_to_id, own.state, own.kind) == (
        True,
        item.external_id,
        InboxItem.State.DONE,
        "reply",
    )
    # The next fetch reads the answer back from the network: still stored once.
    InboxSync = type(item.account).inbox.related.related_model
    InboxSync.objects.filter(pk=item.account_id).update(next_at=None, since=None)
    inbox_sync.fetch(item.account_id)
    assert InboxItem.objects.filter(account=item.account).count() == 2


def test_two_workers_racing_for_one_answer_send_it_once(monkeypatch: pytest.MonkeyPatch) -> None:
    item = an_item()
    reply = replies.create(item, None, "Soon")
    # The other worker claims it between this one's read and its claim.
    real = replies.transition

    def raced(pk, source, target, **fields):  # type: ignore[no-untyped-def]
        if target == R.SENDING:
            real(pk, source, target, **fields)
        return real(pk, source, target, **fields)

    monkeypatch.setattr(replies, "transition", raced)
    assert replies.send(reply.pk) == "lost-claim"
    assert answers(item) == []


def test_a_lost_answer_is_looked_up_not_sent_again(sent: dict[str, list[Sent]]) -> None:
    item = an_item(failure_rate=1, failure_kind="unknown")
    reply = replies.create(item, None, "Thanks!")
    assert replies.send(reply.pk) == "unknown"
    assert [s.delivery_id for s in sent["resolve_reply"]] == [reply.pk]
    assert replies.resolve_unknown(reply.pk) == "sent"
    reply.refresh_from_db()
    assert reply.state == R.SENT
    assert len(answers(item)) == 1


def test_an_answer_the_network_does_not_have_is_sent_again(
    monkeypatch: pytest.MonkeyPatch, sent: dict[str, list[Sent]]
) -> None:
    item = an_item()
    reply = replies.create(item, None, "Thanks!")
    with monkeypatch.context() as patched:
        patched.setattr(
            SandboxAdapter,
            "reply",
            lambda *a, **k: (_ for _ in ()).throw(base.Unknown("timed out")),
        )
        assert replies.send(reply.pk) == "unknown"
    sent["reply"].clear()
    assert replies.resolve_unknown(reply.pk) == "requeued"
    assert [s.delivery_id for s in sent["reply"]] == [reply.pk]
    assert replies.send(reply.pk) == "sent"
    assert len(answers(item)) == 1


def test_a_temporary_error_waits_then_the_sweep_sends_it_again(
    sent: dict[str, list[Sent]],
) -> None:
    item = an_item(failure_rate=1, failure_kind="transient")
    reply = replies.create(item, None, "Thanks!")
    assert replies.send(reply.pk) == "retry"
    reply.refresh_from_db()
    assert (reply.state, reply.failures) == (R.RETRY_WAIT, 1)
    assert "temporary error" in reply.reason
    sent["reply"].clear()
    assert replies.sweep()["due"] == 0  # not yet
    with time_machine.travel(reply.due_at + timedelta(seconds=1)):
        assert replies.sweep()["due"] == 1
    assert [s.delivery_id for s in sent["reply"]] == [reply.pk]


def test_a_refusal_fails_with_the_reason_and_a_person_may_send_it_again(
    sent: dict[str, list[Sent]],
) -> None:
    item = an_item(failure_rate=1, failure_kind="permanent")
    reply = replies.create(item, None, "Thanks!")
    assert replies.send(reply.pk) == "failed"
    reply.refresh_from_db()
    assert reply.state == R.FAILED
    assert reply.reason == "Sandbox: simulated refusal of this post."
    SocialAccount.objects.filter(pk=item.account_id).update(options={})
    assert replies.retry(reply) is True
    assert replies.retry(reply) is False  # already on its way
    assert replies.send(reply.pk) == "sent"


def test_a_rate_limit_waits_for_the_reset_time() -> None:
    item = an_item(failure_rate=1, failure_kind="rate_limited", retry_after_seconds=120)
    reply = replies.create(item, None, "Thanks!")
    assert replies.send(reply.pk) == "rate-limited"
    reply.refresh_from_db()
    assert reply.state == R.RETRY_WAIT
    assert reply.due_at > timezone.now() + timedelta(seconds=100)
    assert reply.failures == 0


def test_a_worker_lost_while_sending_leaves_it_to_the_lookup(
    sent: dict[str, list[Sent]],
) -> None:
    item = an_item()
    reply = replies.create(item, None, "Thanks!")
    replies.transition(reply.pk, R.QUEUED, R.SENDING)
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        counts = replies.sweep()
    assert counts["lost"] == 1
    reply.refresh_from_db()
    # The sweep asked the network at once: nothing there, so it goes again.
    assert reply.state == R.QUEUED
    assert counts["resolved"] == 1


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("   ", "Write an answer first."),
        ("x" * 501, "Sandbox allows 500 characters; this text has 501."),
    ],
)
def test_an_answer_is_checked_before_it_is_queued(text: str, message: str) -> None:
    item = an_item()
    with pytest.raises(replies.CannotReply) as caught:
        replies.create(item, None, text)
    assert str(caught.value) == message
    assert caught.value.field == "text"
    assert not Reply.objects.exists()


def test_an_account_that_needs_reconnecting_cannot_answer() -> None:
    item = an_item()
    SocialAccount.objects.filter(pk=item.account_id).update(status="needs_reconnect")
    item.account.refresh_from_db()
    with pytest.raises(replies.CannotReply, match="needs reconnecting"):
        replies.create(item, None, "Hi")


def test_answering_and_closing_closes_the_item() -> None:
    item = an_item()
    replies.create(item, UserFactory(), "Hi", close=True)
    item.refresh_from_db()
    assert item.state == InboxItem.State.DONE

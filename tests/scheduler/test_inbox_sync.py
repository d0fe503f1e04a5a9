"""Fetching the inbox: each item stored once, however often and however a fetch ends."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from channels.adapters import base
from channels.adapters.sandbox import SandboxAdapter
from channels.models import SocialAccount
from scheduler import inbox_sync
from scheduler.models import InboxItem, InboxSync
from tests.conftest import Sent
from tests.factories import SandboxAccountFactory
from tests.scheduler.inbox_setup import published, visitor_says

pytestmark = pytest.mark.django_db


def stored(account: SocialAccount) -> list[tuple[str, str]]:
    return sorted(
        InboxItem.objects.filter(account=account).values_list("kind", "text"),
        key=lambda kv: kv[1],
    )


def test_comments_replies_and_messages_are_stored_once_and_tied_to_the_post() -> None:
    delivery = published(post__text="Our launch")
    account = delivery.account
    first = visitor_says(account, "Love it!", post_id=delivery.external_id)
    visitor_says(account, "Me too", post_id=delivery.external_id, in_reply_to=str(first.public_id))
    visitor_says(account, "Can I ask something in private?", author="ann")

    assert inbox_sync.fetch(account.pk) == "fetched"
    assert stored(account) == [
        ("message", "Can I ask something in private?"),
        ("comment", "Love it!"),
        ("reply", "Me too"),
    ]
    comment = InboxItem.objects.get(external_id=first.public_id)
    assert comment.delivery_id == delivery.pk
    assert comment.parent_post_id == delivery.external_id
    assert comment.state == InboxItem.State.OPEN
    assert comment.workspace_id == account.workspace_id

    # Fetched again (the overlap reads them all again): nothing stored twice.
    InboxSync.objects.filter(pk=account.pk).update(since=timezone.now() - timedelta(days=1))
    assert inbox_sync.fetch(account.pk) == "fetched"
    assert InboxItem.objects.filter(account=account).count() == 3
    assert InboxSync.objects.get(pk=account.pk).last_count == 0


def test_a_fetch_that_stops_halfway_keeps_what_it_stored_and_starts_over_from_the_same_point(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    delivery = published()
    account = delivery.account
    for n in range(5):
        visitor_says(account, f"comment {n}", post_id=delivery.external_id)
    real = SandboxAdapter.fetch_engagement

    def dies_after_two(self, creds, since, posts=()):  # type: ignore[no-untyped-def]
        items: Iterator[base.Engagement] = real(self, creds, since, posts)
        yield next(items)
        yield next(items)
        raise base.Transient("connection reset on page 2")

    monkeypatch.setattr(SandboxAdapter, "fetch_engagement", dies_after_two)
    assert inbox_sync.fetch(account.pk) == "failed"
    sync = InboxSync.objects.get(pk=account.pk)
    assert InboxItem.objects.filter(account=account).count() == 2
    assert sync.since is None  # not moved: the next fetch reads the same span again
    assert sync.failures == 1 and sync.running_since is None
    assert sync.next_at > timezone.now()
    assert "connection reset" in sync.reason

    monkeypatch.setattr(SandboxAdapter, "fetch_engagement", real)
    InboxSync.objects.filter(pk=account.pk).update(next_at=None)
    assert inbox_sync.fetch(account.pk) == "fetched"
    assert InboxItem.objects.filter(account=account).count() == 5
    sync.refresh_from_db()
    assert (sync.failures, sync.last_count, sync.error_words) == (0, 3, {})
    assert sync.since is not None


def test_a_rate_limit_waits_for_the_networks_reset_time(monkeypatch: pytest.MonkeyPatch) -> None:
    account = SandboxAccountFactory()
    reset = datetime(2030, 1, 1, 12, tzinfo=UTC)

    def limited(self, creds, since, posts=()):  # type: ignore[no-untyped-def]
        raise base.RateLimited("Too Many Requests", reset, status=429)
        yield

    monkeypatch.setattr(SandboxAdapter, "fetch_engagement", limited)
    assert inbox_sync.fetch(account.pk) == "rate-limited"
    sync = InboxSync.objects.get(pk=account.pk)
    assert (sync.next_at, sync.rate_limited_until, sync.failures) == (reset, reset, 0)
    assert "slow down" in sync.reason
    # Not due until then.
    assert inbox_sync.collect_due() == 0


def test_one_account_is_fetched_by_one_worker_at_a_time() -> None:
    account = SandboxAccountFactory()
    InboxSync.objects.create(account=account, running_since=timezone.now())
    assert inbox_sync.fetch(account.pk) == "busy"
    # A claim older than SMO_STUCK_AFTER belongs to a worker that died: taken over.
    with time_machine.travel(timezone.now() + timedelta(minutes=6)):
        assert inbox_sync.fetch(account.pk) == "fetched"


def test_collect_due_sends_one_fetch_per_due_connected_account(
    sent: dict[str, list[Sent]],
) -> None:
    due = SandboxAccountFactory()
    later = SandboxAccountFactory()
    InboxSync.objects.create(account=later, next_at=timezone.now() + timedelta(minutes=1))
    SandboxAccountFactory(status=SocialAccount.Status.NEEDS_RECONNECT)
    SandboxAccountFactory(network="snapchat")  # its API gives no comments
    assert inbox_sync.collect_due() == 1
    assert [s.delivery_id for s in sent["fetch_inbox"]] == [due.pk]


def test_a_finished_fetch_is_due_again_after_the_networks_interval() -> None:
    account = SandboxAccountFactory()
    with time_machine.travel(datetime(2026, 11, 25, 14, tzinfo=UTC), tick=False):
        inbox_sync.fetch(account.pk)
        sync = InboxSync.objects.get(pk=account.pk)
        assert sync.next_at == timezone.now() + SandboxAdapter.engagement.interval
        assert sync.since == timezone.now()


def test_what_the_account_wrote_itself_needs_no_answer() -> None:
    delivery = published()
    account = delivery.account
    visitor_says(account, "Thanks all!", post_id=delivery.external_id, author=account.handle)
    account.refresh_from_db()
    from channels.models import SandboxComment

    SandboxComment.objects.update(own=True)
    inbox_sync.fetch(account.pk)
    item = InboxItem.objects.get(account=account)
    assert (item.own, item.state) == (True, InboxItem.State.DONE)


def test_an_account_with_a_dead_token_is_refreshed_then_fetched_again() -> None:
    account = SandboxAccountFactory(credentials={})
    assert inbox_sync.fetch(account.pk) == "refreshed"
    assert InboxSync.objects.get(pk=account.pk).running_since is None

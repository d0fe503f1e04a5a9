"""The inbox end to end through the real adapters and their fakes: a post published
by the engine, a comment on it fetched into the inbox and tied to the post, an
answer sent once and read back as the account's own, and a comment hidden; and
the post's figures and the account's followers read into the reports."""

from __future__ import annotations

from typing import Any

import pytest

from channels.models import SocialAccount
from scheduler import engine, inbox_sync, moderation, replies
from scheduler.models import Delivery, InboxItem, InboxSync, Reply
from tests.fakes.graph import FakeGraph
from tests.fakes.x import FakeX
from tests.scheduler.test_engine_with_fakes import (  # noqa: F401 - fixtures
    graph,
    graph_delivery,
    x,
    x_delivery,
)

pytestmark = pytest.mark.django_db
ALICE = "1001"


def published(delivery: Delivery) -> Delivery:
    assert engine.publish(delivery.pk) == "published"
    delivery.refresh_from_db()
    return delivery


def fetch_again(account: SocialAccount) -> None:
    InboxSync.objects.filter(pk=account.pk).update(since=None, next_at=None)
    assert inbox_sync.fetch(account.pk) == "fetched"


def answer(item: InboxItem, text: str) -> Reply:
    reply = replies.create(item, None, text)
    assert replies.send(reply.pk) == "sent"
    reply.refresh_from_db()
    return reply


def test_x_a_reply_to_the_post_is_answered_once(x: FakeX, sent: Any) -> None:  # noqa: F811
    delivery = published(x_delivery(x, text="Cardamom buns are back"))
    x.add_user(ALICE, "alice", "Alice")
    x.add_tweet(ALICE, "@acmebakery Are they vegan?", reply_to=delivery.external_id)
    account = delivery.account

    assert inbox_sync.fetch(account.pk) == "fetched"
    item = InboxItem.objects.get(account=account)
    assert (item.kind, item.author_handle, item.delivery_id) == ("comment", "alice", delivery.pk)

    reply = answer(item, "@alice Yes, all of them!")
    made = next(t for t in x.tweets if t["id"] == reply.external_id)
    assert made["in_reply_to_tweet_id"] == item.external_id
    fetch_again(account)
    assert InboxItem.objects.filter(account=account).count() == 2
    own = InboxItem.objects.get(external_id=reply.external_id)
    assert own.own is True


def test_facebook_a_comment_is_answered_and_hidden(graph: FakeGraph, sent: Any) -> None:  # noqa: F811
    delivery = published(graph_delivery("facebook", "1001"))
    graph.add_comment(delivery.external_id, "Open on Sundays?", ("7001", "Mia Svensson"))
    account = delivery.account

    assert inbox_sync.fetch(account.pk) == "fetched"
    item = InboxItem.objects.get(account=account)
    assert (item.kind, item.author_name, item.delivery_id) == (
        "comment",
        "Mia Svensson",
        delivery.pk,
    )

    reply = answer(item, "Yes, 9 to 3!")
    [made] = [c for c in graph.comments if c["id"] == reply.external_id]
    assert made["message"] == "Yes, 9 to 3!"
    fetch_again(account)
    assert InboxItem.objects.filter(account=account).count() == 2

    moderation.request(item, "hide", None)
    assert moderation.run(item.pk, "hide") == "done"
    item.refresh_from_db()
    assert item.hidden_at is not None
    assert next(c for c in graph.comments if c["id"] == item.external_id)["is_hidden"] is True


def test_x_figures_and_followers_are_read_into_the_reports(x: FakeX, sent: Any) -> None:  # noqa: F811
    """Analytics through the real adapter and fake: a post's figures land as the
    delivery's latest and in its time series, the followers beside them."""
    from scheduler import metrics_sync
    from scheduler.models import DeliveryMetrics, FollowerSample, MetricSample

    delivery = published(x_delivery(x, text="Cardamom buns are back"))
    x.set_metrics(
        delivery.external_id, like_count=12, reply_count=3, retweet_count=2, quote_count=1
    )
    x.set_followers(delivery.account.external_id, 250)
    assert metrics_sync.fetch(delivery.account.pk) == "fetched"
    latest = DeliveryMetrics.objects.get(delivery=delivery)
    assert (latest.likes, latest.comments, latest.shares) == (12, 3, 3)
    assert latest.reach is None  # X gives no reach
    assert MetricSample.objects.filter(delivery=delivery).count() == 1
    assert FollowerSample.objects.get(account=delivery.account).followers == 250

"""Reading each account's posts' figures and followers: kept as a time series,
the latest per delivery, one worker per account, backing off like the inbox."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from channels.adapters import base
from channels.adapters.metrics import PostMetrics
from channels.adapters.sandbox import SandboxAdapter
from channels.models import SandboxFollow, SandboxPost
from scheduler import metrics_sync
from scheduler.models import DeliveryMetrics, FollowerSample, MetricSample, MetricsSync
from tests.conftest import Sent
from tests.factories import SandboxAccountFactory
from tests.scheduler.inbox_setup import published, visitor_says

pytestmark = pytest.mark.django_db


def test_figures_are_read_kept_and_the_latest_replaces_the_last() -> None:
    delivery = published()
    account = delivery.account
    SandboxPost.objects.filter(public_id=delivery.external_id).update(views=40, likes=3)
    visitor_says(account, "Nice", post_id=delivery.external_id)
    SandboxFollow.objects.create(account_ref=account.external_id)
    assert metrics_sync.fetch(account.pk) == "fetched"
    latest = DeliveryMetrics.objects.get(delivery=delivery)
    assert (latest.impressions, latest.likes, latest.comments, latest.shares) == (40, 3, 1, 0)
    assert latest.saves is None  # the sandbox gives no saves
    assert FollowerSample.objects.get(account=account).followers == 1

    SandboxPost.objects.filter(public_id=delivery.external_id).update(views=90, likes=7)
    MetricsSync.objects.filter(pk=account.pk).update(next_at=None)
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=1)):
        assert metrics_sync.fetch(account.pk) == "fetched"
    assert [s.likes for s in MetricSample.objects.filter(delivery=delivery)] == [3, 7]
    assert DeliveryMetrics.objects.get(delivery=delivery).likes == 7
    assert FollowerSample.objects.filter(account=account).count() == 2


def test_posts_older_than_the_window_are_not_read_again(settings, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    delivery = published()
    asked: list[list[str]] = []

    def record(self, creds, ids):  # type: ignore[no-untyped-def]
        asked.append(list(ids))
        return iter(())

    monkeypatch.setattr(SandboxAdapter, "fetch_metrics", record)
    with time_machine.travel(datetime.now(UTC) + settings.SMO_METRICS_DAYS + timedelta(days=1)):
        assert metrics_sync.fetch(delivery.account.pk) == "fetched"
    assert asked == []
    assert metrics_sync.fetch(delivery.account.pk) == "busy" or asked in (
        [],
        [[delivery.external_id]],
    )


def test_a_network_that_gives_part_of_the_figures_keeps_the_rest_unknown(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    delivery = published()
    monkeypatch.setattr(
        SandboxAdapter,
        "fetch_metrics",
        lambda self, creds, ids: iter([PostMetrics(delivery.external_id, likes=5)]),
    )
    metrics_sync.fetch(delivery.account.pk)
    latest = DeliveryMetrics.objects.get(delivery=delivery)
    assert (latest.likes, latest.impressions, latest.comments) == (5, None, None)


def test_a_rate_limit_waits_for_the_reset_time(monkeypatch) -> None:  # type: ignore[no-untyped-def]
    delivery = published()
    reset = datetime(2030, 1, 1, tzinfo=UTC)

    def limited(self, creds, ids):  # type: ignore[no-untyped-def]
        raise base.RateLimited("slow down", reset, status=429)

    monkeypatch.setattr(SandboxAdapter, "fetch_metrics", limited)
    assert metrics_sync.fetch(delivery.account.pk) == "rate-limited"
    sync = MetricsSync.objects.get(pk=delivery.account.pk)
    assert (sync.next_at, sync.rate_limited_until, sync.running_since) == (reset, reset, None)
    assert metrics_sync.collect_due() == 0


def test_collect_due_sends_one_task_per_due_account(sent: dict[str, list[Sent]]) -> None:
    due = SandboxAccountFactory()
    SandboxAccountFactory(network="snapchat")
    assert metrics_sync.collect_due() == 1
    assert [s.delivery_id for s in sent["fetch_metrics"]] == [due.pk]

"""Read what each published post achieved, and each account's followers.

`collect_due` (beat, every 5 minutes) sends one `fetch_metrics(account_id)` per
account whose turn has come (scheduler/turns.py: one worker per account, the
network's interval, backoff after errors, the reset time after a rate limit).
Each reading of a post's figures is kept (MetricSample, for trends) and the
latest one replaces the delivery's DeliveryMetrics (what reports add up). Posts
are read while they are young enough to still change: SMO_METRICS_DAYS.
"""

from __future__ import annotations

import logging
from datetime import datetime

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from channels.adapters import base
from channels.adapters.metrics import PostMetrics
from channels.adapters.registry import ADAPTERS, adapter_class, adapter_for
from channels.models import SocialAccount
from scheduler import content, tokens, turns
from scheduler.models import Delivery, DeliveryMetrics, FollowerSample, MetricSample, MetricsSync

logger = logging.getLogger(__name__)
BATCH = 100  # posts per call where a network takes many ids at once


def collecting_networks() -> list[str]:
    return [n for n in ADAPTERS if adapter_class(n).metrics.any]


def collect_due(now: datetime | None = None) -> int:
    now = now or timezone.now()
    ids = list(
        turns.due(MetricsSync, "metrics_sync", collecting_networks(), now).values_list(
            "pk", flat=True
        )
    )
    for pk in ids:
        enqueue(pk)
    return len(ids)


def enqueue(account_id: int) -> None:
    from scheduler.tasks import fetch_metrics

    fetch_metrics.delay_on_commit(account_id)


def fetch(account_id: int, now: datetime | None = None) -> str:
    """Read one account's recent posts' figures and its followers."""
    now = now or timezone.now()
    account = SocialAccount.objects.filter(pk=account_id).first()
    if account is None:
        return "gone"
    adapter = adapter_for(account)
    support = adapter.metrics
    if not account.is_active or not support.any:
        return "skipped"
    if turns.claim(MetricsSync, account_id, now) is None:
        return "busy"
    creds = content.credentials_for(account)
    try:
        creds = tokens.fresh(account.pk, creds, account.network)
        posts = recent(account, now)
        ids = list(posts)
        for start in range(0, len(ids), BATCH):
            store(posts, adapter.fetch_metrics(creds, ids[start : start + BATCH]), now)
        if support.followers:
            followers = adapter.fetch_followers(creds)
            if followers is not None:
                FollowerSample.objects.create(account=account, taken_at=now, followers=followers)
    except base.AuthExpired as error:
        try:
            tokens.refresh_account(account.pk, creds)
        except base.AdapterError:
            pass  # the account is marked; its turn is released below
        return turns.stopped(MetricsSync, account, support.interval, error)
    except (base.AdapterError, SoftTimeLimitExceeded) as error:
        return turns.stopped(MetricsSync, account, support.interval, error)
    except Exception as error:
        logger.exception("account %s: reading its figures failed", account_id)
        return turns.stopped(MetricsSync, account, support.interval, error)
    turns.finished(MetricsSync, account_id, support.interval)
    return "fetched"


def recent(account: SocialAccount, now: datetime) -> dict[str, int]:
    """External id -> delivery id of the account's posts published within SMO_METRICS_DAYS."""
    return dict(
        Delivery.objects.filter(
            account=account,
            state=Delivery.State.PUBLISHED,
            published_at__gte=now - settings.SMO_METRICS_DAYS,
        )
        .exclude(external_id="")
        .order_by("-published_at")
        .values_list("external_id", "pk")
    )


def store(posts: dict[str, int], readings: object, now: datetime) -> int:
    """Keep each reading (of a post in `posts`) and make it the delivery's latest."""
    count = 0
    for reading in readings:  # type: ignore[attr-defined]
        assert isinstance(reading, PostMetrics)
        delivery_id = posts.get(reading.external_id)
        if delivery_id is None:
            continue  # not one SMO asked about
        figures = reading.figures()
        with transaction.atomic():
            MetricSample.objects.create(delivery_id=delivery_id, taken_at=now, **figures)
            DeliveryMetrics.objects.update_or_create(
                delivery_id=delivery_id, defaults={"taken_at": now, **figures}
            )
        count += 1
    return count

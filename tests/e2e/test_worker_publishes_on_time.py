"""The whole path with real processes: API -> database -> beat -> broker -> worker -> sandbox.

Runs on the embedded default (SQLite + file-system broker), and on PostgreSQL +
Redis when DATABASE_URL and CELERY_BROKER_URL name them.
"""

from __future__ import annotations

import statistics
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from channels.models import SandboxPost
from scheduler.models import Delivery
from tests.conftest import Cast
from tests.e2e.workers import celery_worker_and_beat

POSTS = 4


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture: here the engine sends real tasks."""


@pytest.mark.django_db(transaction=True)
def test_scheduled_posts_publish_within_two_seconds_of_their_time(
    cast: Cast,
    account,
    api,
    tmp_path: Path,  # type: ignore[no-untyped-def]
) -> None:
    with celery_worker_and_beat(tmp_path) as logs:
        start = timezone.now()
        times = [
            (start + timedelta(seconds=3 + 0.5 * i)).replace(microsecond=0) for i in range(POSTS)
        ]
        ids = []
        for i, when in enumerate(times):
            response = api.post(
                "/api/v1/posts/",
                {
                    "text": f"On time, number {i}",
                    "scheduled_at": when.isoformat(),
                    "account_ids": [account.pk],
                },
                format="json",
            )
            assert response.status_code == 201, response.json()
            ids.append(response.json()["id"])
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if Delivery.objects.filter(post_id__in=ids, state="published").count() == POSTS:
                break
            time.sleep(0.2)
        deliveries = list(Delivery.objects.filter(post_id__in=ids).order_by("post_id"))
        worker_log = logs["worker"].read_text(errors="replace")
    assert [d.state for d in deliveries] == ["published"] * POSTS, worker_log[-4000:]
    lateness = [(d.published_at - d.scheduled_at).total_seconds() for d in deliveries]
    print(
        f"\nlateness over {POSTS} posts: p50 {statistics.median(lateness) * 1000:.0f} ms, "
        f"max {max(lateness) * 1000:.0f} ms ({[round(x * 1000) for x in lateness]} ms)"
    )
    assert all(0 <= late < 2 for late in lateness), lateness
    # Exactly once: one sandbox post per delivery, one attempt each.
    assert SandboxPost.objects.filter(account_ref=account.external_id).count() == POSTS
    assert [d.attempts for d in deliveries] == [1] * POSTS
    assert all(
        d.published_at.tzinfo is not None and d.published_at > datetime(2020, 1, 1, tzinfo=UTC)
        for d in deliveries
    )

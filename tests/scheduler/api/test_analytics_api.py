"""/api/v1/analytics/: the figures of the reports, and 400s naming the field."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scheduler.models import Delivery, DeliveryMetrics
from tests.conftest import Cast
from tests.factories import DeliveryFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def published(cast: Cast, account, at: datetime, **figures: int) -> Delivery:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(
        post__workspace=cast.workspace,
        account=account,
        state=Delivery.State.PUBLISHED,
        published_at=at,
        external_id=f"p{at.timestamp()}",
    )
    DeliveryMetrics.objects.create(delivery=delivery, taken_at=at, **figures)
    return delivery


def test_summary(api, cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    best = published(cast, account, datetime(2026, 11, 20, 9, tzinfo=UTC), likes=9, impressions=300)
    published(cast, account, datetime(2026, 11, 21, 9, tzinfo=UTC), likes=1, impressions=100)
    body = api.get("/api/v1/analytics/summary/?start=2026-11-15&end=2026-11-25").json()
    assert (body["start"], body["end"]) == ("2026-11-15", "2026-11-25")
    assert body["totals"]["posts"] == 2 and body["totals"]["likes"] == 10
    assert body["totals"]["engagement_rate"] == 2.5
    assert len(body["days"]) == 11
    assert body["accounts"][0]["name"] == "Acme Sandbox"
    assert body["best_posts"][0]["delivery"] == best.pk
    assert body["best_posts"][0]["likes"] == 9


def test_the_default_period_is_the_last_30_days(api) -> None:  # type: ignore[no-untyped-def]
    body = api.get("/api/v1/analytics/summary/").json()
    assert (body["start"], body["end"]) == ("2026-10-27", "2026-11-25")


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-11-30&end=2026-11-01", "start"),
        ("start=2025-01-01&end=2026-11-01", "start"),
        ("start=yesterday", "start"),
        ("account=999999", "account"),
        ("campaign=abc", "campaign"),
    ],
)
def test_a_bad_period_or_filter_is_a_400_naming_it(api, query: str, field: str) -> None:  # type: ignore[no-untyped-def]
    response = api.get(f"/api/v1/analytics/summary/?{query}")
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_best_times(api, cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    for week in range(2):
        at = datetime(2026, 11, 10, 8, tzinfo=UTC) - timedelta(weeks=week)  # Tue 09:00 Stockholm
        published(cast, account, at, likes=4)
    body = api.get(f"/api/v1/analytics/best-times/?account={account.pk}").json()
    assert body["slots"] == [{"weekday": 1, "hour": 9, "posts": 2, "average": 4.0}]
    assert api.get("/api/v1/analytics/best-times/").status_code == 400


def test_another_workspaces_account_is_refused(api, cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    outsider = api.as_role("outsider")
    assert outsider.get(f"/api/v1/analytics/summary/?account={account.pk}").status_code == 400
    assert outsider.get(f"/api/v1/analytics/best-times/?account={account.pk}").status_code == 400

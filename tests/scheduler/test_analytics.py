"""The report figures on known data: totals with partial figures, days, clicks,
followers, best posts, and the best time to post."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.models import SocialAccount
from scheduler import analytics
from scheduler.models import Delivery, DeliveryMetrics, FollowerSample, LinkClick, ShortLink
from tests.factories import DeliveryFactory, SandboxAccountFactory, WorkspaceFactory

pytestmark = pytest.mark.django_db
# Monday 2 Nov 2026, in Stockholm (UTC+1 in November).
START = datetime(2026, 11, 2, 0, 0, tzinfo=UTC) - timedelta(hours=1)


def post(account: SocialAccount, at: datetime, **figures: int | None) -> Delivery:
    delivery = DeliveryFactory(
        post__workspace=account.workspace,
        account=account,
        state=Delivery.State.PUBLISHED,
        published_at=at,
        external_id=f"p{at.timestamp()}",
    )
    if figures:
        DeliveryMetrics.objects.create(delivery=delivery, taken_at=at, **figures)
    return delivery


@pytest.fixture
def account() -> SocialAccount:
    return SandboxAccountFactory(workspace=WorkspaceFactory(timezone="Europe/Stockholm"))


def scope(account: SocialAccount, days: int = 7) -> analytics.Scope:
    return analytics.Scope(account.workspace, START, START + timedelta(days=days))


def test_totals_add_up_what_is_given_and_leave_what_is_not_as_none(account: SocialAccount) -> None:
    post(account, START + timedelta(hours=9), impressions=1000, likes=30, comments=5, shares=5)
    post(account, START + timedelta(days=1, hours=9), impressions=1000, likes=10)
    post(account, START + timedelta(days=2), likes=60)  # a network without impressions
    post(account, START + timedelta(days=3))  # no figures read yet
    post(account, START - timedelta(days=1), likes=999)  # before the period
    found = analytics.totals(scope(account))
    assert found["posts"] == 4
    assert (found["impressions"], found["likes"], found["comments"]) == (2000, 100, 5)
    assert found["saves"] is None and found["video_views"] is None
    assert found["engagement"] == 110
    # The rate counts only posts whose impressions are known: 50 / 2000.
    assert found["engagement_rate"] == 2.5
    assert found["clicks"] == 0 and found["followers_gained"] is None


def test_days_are_the_workspace_days(account: SocialAccount) -> None:
    # 23:30 UTC on Monday is 00:30 on Tuesday in Stockholm.
    post(account, START + timedelta(hours=24, minutes=30), likes=4, impressions=100)
    post(account, START + timedelta(hours=25), likes=6)
    rows = analytics.daily(scope(account))
    assert [r["date"].isoformat() for r in rows][:3] == ["2026-11-02", "2026-11-03", "2026-11-04"]
    assert len(rows) == 7
    tuesday = rows[1]
    assert (tuesday["posts"], tuesday["engagement"], tuesday["impressions"]) == (2, 10, 100)
    assert rows[0]["posts"] == 0 and rows[0]["impressions"] is None


def test_clicks_on_short_links_count_by_day_and_scope(account: SocialAccount) -> None:
    delivery = post(account, START + timedelta(hours=9), likes=1)
    other = post(SandboxAccountFactory(workspace=account.workspace), START, likes=1)
    link = ShortLink.objects.create(delivery=delivery, url="https://example.com/a")
    elsewhere = ShortLink.objects.create(delivery=other, url="https://example.com/b")
    for hours in (10, 11, 35):
        LinkClick.objects.create(link=link, clicked_at=START + timedelta(hours=hours))
    LinkClick.objects.create(link=elsewhere, clicked_at=START + timedelta(hours=10))
    LinkClick.objects.create(link=link, clicked_at=START + timedelta(days=8))  # after
    whole = scope(account)
    assert analytics.totals(whole)["clicks"] == 4
    one = analytics.Scope(account.workspace, whole.start, whole.end, account_id=account.pk)
    assert analytics.totals(one)["clicks"] == 3
    assert [r["clicks"] for r in analytics.daily(one)][:3] == [2, 1, 0]


def test_followers_over_time_and_gained(account: SocialAccount) -> None:
    FollowerSample.objects.create(account=account, taken_at=START - timedelta(days=1), followers=90)
    FollowerSample.objects.create(
        account=account, taken_at=START + timedelta(hours=8), followers=100
    )
    FollowerSample.objects.create(
        account=account, taken_at=START + timedelta(hours=20), followers=104
    )
    FollowerSample.objects.create(
        account=account, taken_at=START + timedelta(days=3), followers=120
    )
    rows = analytics.daily(scope(account))
    assert [r["followers"] for r in rows] == [104, 104, 104, 120, 120, 120, 120]
    assert analytics.totals(scope(account))["followers_gained"] == 30  # 90 -> 120


def test_best_posts_by_engagement(account: SocialAccount) -> None:
    low = post(account, START + timedelta(hours=1), likes=1)
    high = post(account, START + timedelta(hours=2), likes=10, shares=5)
    post(account, START + timedelta(hours=3))  # no figures: not ranked
    assert analytics.best_posts(scope(account)) == [high, low]


def test_best_time_to_post_on_known_data(account: SocialAccount) -> None:
    now = START + timedelta(weeks=4)
    tuesday_9 = START + timedelta(days=1, hours=9)  # Tue 09:00 Stockholm
    friday_17 = START + timedelta(days=4, hours=17)  # Fri 17:00
    for week in range(3):
        shift = timedelta(weeks=week)
        post(account, tuesday_9 + shift, likes=10 + week)  # 10, 11, 12: average 11
        post(account, friday_17 + shift, likes=30)
    post(account, START + timedelta(days=6, hours=12), likes=11)  # one Sunday noon post
    grid, slots = analytics.best_times(account.workspace, account.pk, now)
    assert [(s.weekday, s.hour, s.posts, s.average) for s in slots] == [
        (4, 17, 3, 30.0),
        (1, 9, 3, 11.0),  # ties with Sunday noon on average, but has more posts
        (6, 12, 1, 11.0),
    ]
    assert grid[1][9] is not None and grid[1][9].average == 11.0
    assert grid[0][0] is None

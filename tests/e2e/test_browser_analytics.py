"""In a real browser: a sandbox post published with known figures, clicks and
followers; the analytics page shows its numbers, Chart.js draws the three charts
under the content security policy, and switching the period changes them.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_analytics.py

saves analytics-1280x800.png and analytics-390x844.png; docs/screenshots/analytics.png
is the first.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler.models import (
    Delivery,
    DeliveryMetrics,
    FollowerSample,
    LinkClick,
    Membership,
    MetricSample,
    ShortLink,
)
from tests.e2e.menu import open_menu
from tests.e2e.test_browser_flow import ZONE, log_in
from tests.factories import (
    DeliveryFactory,
    MembershipFactory,
    SandboxAccountFactory,
    UserFactory,
    WorkspaceFactory,
)
from tests.scheduler.inbox_setup import published

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]
CHARTS = ["chart-engagement", "chart-clicks", "chart-followers"]
ALL_DRAWN = (
    "ids => !!window.Chart && ids.every(id => !!Chart.getChart(document.getElementById(id)))"
)


@pytest.fixture
def admin(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    return MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role="owner"
    )


def figures(delivery: Delivery, at: Any, **values: int | None) -> None:
    MetricSample.objects.create(delivery=delivery, taken_at=at, **values)
    DeliveryMetrics.objects.create(delivery=delivery, taken_at=at, **values)


def history(admin: Membership, account: Any, now: Any) -> None:
    """Eleven older posts (8 to 28 days ago), followers each day, a few clicks."""
    for i in range(11):
        day = (now - timedelta(days=8 + 2 * i)).astimezone(ZoneInfo(ZONE))
        at = day.replace(hour=(9, 12, 17, 8, 19)[i % 5], minute=0, second=0, microsecond=0)
        old = DeliveryFactory(
            post__workspace=admin.workspace,
            post__text=f"Weekend special number {i}: sourdough, rye and seeded loaves",
            account=account,
            state=Delivery.State.PUBLISHED,
            published_at=at,
            external_id=f"old-{i}",
        )
        figures(
            old,
            at,
            impressions=400 + 90 * (i % 4),
            likes=10 + 7 * (i % 5),
            comments=i % 4,
            shares=i % 3,
        )
        link = ShortLink.objects.create(delivery=old, url=f"https://acme.example/{i}")
        LinkClick.objects.bulk_create(
            LinkClick(link=link, clicked_at=at + timedelta(hours=1)) for _ in range(i % 4)
        )
    for day in range(30, -1, -1):
        FollowerSample.objects.create(
            account=account,
            taken_at=now - timedelta(days=day, hours=1),
            followers=500 + 3 * (30 - day),
        )


def test_the_analytics_page_draws_the_figures_and_switches_period(
    live_server: Any, admin: Membership, page: Page, screenshots: Path | None
) -> None:
    base = live_server.url
    account = SandboxAccountFactory(workspace=admin.workspace, name="Acme Bakery", handle="acme")
    delivery = published(
        post__workspace=admin.workspace, post__text="Cardamom buns are back!", account=account
    )
    now = timezone.now()
    Delivery.objects.filter(pk=delivery.pk).update(published_at=now - timedelta(days=2))
    figures(delivery, now, impressions=1200, likes=80, comments=12, shares=8)
    link = ShortLink.objects.create(delivery=delivery, url="https://acme.example/buns")
    LinkClick.objects.bulk_create(
        LinkClick(link=link, clicked_at=now - timedelta(days=1)) for _ in range(5)
    )
    history(admin, account, now)
    log_in(page, base)

    open_menu(page)
    page.get_by_role("link", name="Analytics").click()
    expect(page).to_have_url(f"{base}/analytics/")
    page.wait_for_function(ALL_DRAWN, arg=CHARTS)
    cards = page.get_by_test_id("totals")
    expect(cards.locator('[data-total="posts"] strong')).to_have_text("12")

    page.locator('a[data-days="7"]').click()
    expect(page).to_have_url(f"{base}/analytics/?days=7")
    expect(cards.locator('[data-total="posts"] strong')).to_have_text("1")
    expect(cards.locator('[data-total="impressions"] strong')).to_have_text("1200")
    expect(cards.locator('[data-total="engagement"] strong')).to_have_text("100")
    expect(cards.locator('[data-total="engagement_rate"] strong')).to_have_text("8.33%")
    expect(cards.locator('[data-total="clicks"] strong')).to_have_text("5")
    expect(page.get_by_test_id("table-best")).to_contain_text("Cardamom buns are back!")
    page.wait_for_function(ALL_DRAWN, arg=CHARTS)
    drawn = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-engagement')).data.datasets[0].data"
        ".reduce((a, b) => a + b, 0)"
    )
    assert drawn == 100
    clicks = page.evaluate(
        "() => Chart.getChart(document.getElementById('chart-clicks')).data.datasets[0].data"
        ".reduce((a, b) => a + b, 0)"
    )
    assert clicks == 5
    page.get_by_test_id("table-clicks").locator("xpath=..").locator("summary").click()
    expect(page.get_by_test_id("table-clicks")).to_be_visible()

    if screenshots:
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/analytics/?days=30")
            page.wait_for_function(ALL_DRAWN, arg=CHARTS)
            page.screenshot(path=screenshots / f"analytics-{width}x{height}.png", full_page=True)

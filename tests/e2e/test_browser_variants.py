"""In a browser: audiences, a variant per audience at the same local time, a weekly series.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_variants.py

saves audiences-*, variant-form-*, post-variants-* and repeat-* screenshots at each viewport.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler import posts
from scheduler.localtime import to_utc
from scheduler.models import Membership, Post, Role
from tests.e2e.test_browser_flow import log_in
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

ZONE = "Europe/Stockholm"
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def admin(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    membership = MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role=Role.OWNER
    )
    SandboxAccountFactory(workspace=workspace, name="Acme Sandbox", handle="acme")
    SandboxAccountFactory(workspace=workspace, name="Acme US", handle="acme_us")
    return membership


def nine_am_in_a_month() -> tuple[datetime, datetime]:
    """09:00 in Stockholm 30 days from now (naive local, and UTC)."""
    day = (timezone.now() + timedelta(days=30)).astimezone(ZoneInfo(ZONE)).date()
    local = datetime(day.year, day.month, day.day, 9, 0)
    return local, to_utc(local, ZoneInfo(ZONE))


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_audiences_variants_and_a_weekly_series(
    live_server: Any,
    admin: Membership,
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    page: Page = new_context(viewport=viewport).new_page()
    base = live_server.url
    size = f"{viewport['width']}x{viewport['height']}"

    def look(name: str) -> None:
        page.wait_for_load_state()
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        assert width <= inner, f"{name} scrolls sideways at {size}: {width} > {inner}"
        if screenshots is not None:
            page.screenshot(path=screenshots / f"{name}-{size}.png", full_page=True)

    log_in(page, base)
    page.goto(f"{base}/audiences/")
    for name, zone, locale, regions, facebook in (
        ("Stockholm", "Europe/Stockholm", "sv-SE", "SE", ""),
        ("New York", "America/New_York", "en-US", "US", "US"),
    ):
        page.get_by_label("Name").fill(name)
        page.get_by_label("Time zone").fill(zone)
        page.get_by_label("Language").fill(locale)
        page.get_by_label("Regions").fill(regions)
        page.get_by_label("Facebook: show only in these countries").fill(facebook)
        page.get_by_role("button", name="Add audience").click()
        expect(page.get_by_text(f"Audience {name} added.")).to_be_visible()
    expect(page.get_by_test_id("audience")).to_have_count(2)
    look("audiences")

    local, when = nine_am_in_a_month()
    account = admin.workspace.accounts.get(name="Acme Sandbox")
    post = posts.create_post(
        admin,
        posts.PostInput(text="Our lemonade, ice cold.", accounts=[account], scheduled_at=when),
    )
    texts = {"Stockholm": "Vår lemonad, iskall.", "New York": "Tastes like summer."}
    for audience, text in texts.items():
        page.goto(f"{base}/posts/{post.pk}/")
        page.get_by_role("link", name="Add a variant").click()
        page.get_by_label("Audience", exact=True).select_option(label=audience)
        expect(page.get_by_label("Text for this audience")).to_have_value("Our lemonade, ice cold.")
        page.get_by_label("Text for this audience").fill(text)
        if audience == "New York":
            look("variant-form")
            page.get_by_label("Acme US").check()
        page.get_by_role("button", name="Add variant").click()
        expect(page.get_by_text("Variant added.")).to_be_visible()

    rows = page.get_by_test_id("variant")
    expect(rows).to_have_count(2)
    day = f"{local:%a, %b} {local.day}"
    expect(rows.nth(0)).to_contain_text(f"{day}, 9:00 AM America/New_York")
    expect(rows.nth(0)).to_contain_text("Acme Sandbox")
    expect(rows.nth(0)).to_contain_text("Acme US")
    expect(rows.nth(1)).to_contain_text(f"{day}, 9:00 AM Europe/Stockholm")
    look("post-variants")

    page.get_by_text("Repeat this post").click()
    look("repeat-form")
    page.get_by_label("Repeat", exact=True).select_option("weekly")
    page.locator("input[name=count]").fill("3")
    page.get_by_role("button", name="Repeat", exact=True).click()
    expect(page.get_by_text("The post now repeats: 3 posts.")).to_be_visible()
    expect(page.get_by_test_id("series-summary")).to_have_text("Repeats: every week (3 posts)")
    expect(page.get_by_test_id("series-post")).to_have_count(3)
    look("repeat")

    series = Post.objects.filter(variant_of=None).order_by("scheduled_at")
    assert [p.scheduled_at for p in series] == [when + timedelta(weeks=i) for i in range(3)] or (
        # A DST change inside the three weeks keeps 09:00 local, not the UTC hour.
        [p.scheduled_at.astimezone(ZoneInfo(ZONE)).hour for p in series] == [9, 9, 9]
    )

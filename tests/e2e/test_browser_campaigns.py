"""Campaigns in a real browser: create one with a colour and UTM defaults, find it, open it.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_campaigns.py

saves campaign-{list,form,page}-{1280x800,390x844}.png into that folder.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler.models import Campaign, Delivery, Membership, Role
from tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    MembershipFactory,
    PostFactory,
    SandboxAccountFactory,
    UserFactory,
    WorkspaceFactory,
)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
ZONE = ZoneInfo("Europe/Stockholm")
S = Delivery.State
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def owner(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Northwind Coffee", timezone=ZONE.key)
    return MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE.key), workspace=workspace, role=Role.OWNER
    )


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def _demo(owner: Membership) -> Campaign:
    """A campaign with posts in every state the results count, on two networks."""
    cafe = SandboxAccountFactory(workspace=owner.workspace, name="Northwind Café")
    x = SandboxAccountFactory(workspace=owner.workspace, name="Northwind on X", network="x")
    CampaignFactory(workspace=owner.workspace, name="Tasting night", color="#e11d48")
    spring = CampaignFactory(
        workspace=owner.workspace,
        name="Spring menu",
        color="#16a34a",
        starts_on=timezone.now().date() - timedelta(days=7),
        ends_on=timezone.now().date() + timedelta(days=30),
        description="Rhubarb, cardamom and a new single origin for the season.",
        utm={"source": "social", "medium": "organic", "campaign": "spring-menu"},
    )
    now = timezone.now()
    plan = [
        (-6, "Our Huila single origin is in: https://northwind.example/huila", [S.PUBLISHED] * 2),
        (-3, "Early birds: oat flat white at half price until nine.", [S.PUBLISHED, S.FAILED]),
        (-1, "Rhubarb cold brew: what should we call it?", [S.PUBLISHED]),
        (2, "Cardamom buns are back tomorrow morning.", [S.SCHEDULED, S.SCHEDULED]),
        (5, "Spring menu preview for members.", [S.AWAITING_APPROVAL]),
    ]
    for days, text, states in plan:
        when = now + timedelta(days=days)
        post = PostFactory(
            workspace=owner.workspace,
            author=owner.user,
            campaign=spring,
            text=text,
            scheduled_at=when,
            link="https://northwind.example/spring?ref=menu" if days < 0 else "",
        )
        for account, state in zip([cafe, x], states, strict=False):
            published = state == S.PUBLISHED
            DeliveryFactory(
                post=post,
                account=account,
                state=state,
                published_at=when + timedelta(minutes=12 if days == -1 else 1)
                if published
                else None,
                external_url=f"https://{account.network}.example/p/{post.pk}" if published else "",
            )
    return spring


def test_person_creates_a_campaign_sees_it_listed_and_opens_it(
    live_server: Any, owner: Membership, page: Page
) -> None:
    log_in(page, live_server.url)
    page.get_by_role("link", name="Campaigns").click()
    expect(page).to_have_url(f"{live_server.url}/campaigns/")
    page.get_by_role("link", name="New campaign").click()

    page.get_by_label("Name").fill("Summer Terrace")
    page.get_by_label("Colour").fill("#0ea5e9")
    page.get_by_label("Starts on").fill("2027-06-01")
    page.get_by_label("Ends on").fill("2027-05-01")
    page.get_by_label("Source").fill("instagram")
    page.get_by_label("Medium").fill("social")
    page.get_by_role("button", name="Create campaign").click()

    expect(page.get_by_text("The end is before the start.")).to_be_visible()
    page.get_by_label("Ends on").fill("2027-08-31")
    page.get_by_role("button", name="Create campaign").click()

    campaign = Campaign.objects.get(name="Summer Terrace")
    expect(page).to_have_url(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.get_by_text("Campaign “Summer Terrace” created.")).to_be_visible()
    expect(page.get_by_test_id("utm-example")).to_have_text(
        "https://example.com/?utm_source=instagram&utm_medium=social&utm_campaign=summer-terrace"
    )
    assert campaign.color == "#0ea5e9"

    page.get_by_role("link", name="Campaigns").click()
    row = page.locator(f'[data-campaign="{campaign.pk}"]')
    expect(row).to_contain_text("Summer Terrace")
    expect(row).to_contain_text("Jun 1, 2027 \u2013 Aug 31, 2027")
    expect(row.locator(".swatch")).to_have_css("background-color", "rgb(14, 165, 233)")
    row.get_by_role("link").click()
    expect(page).to_have_url(f"{live_server.url}/campaigns/{campaign.pk}/")
    expect(page.get_by_role("heading", name="Summer Terrace")).to_be_visible()


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_every_campaign_page_fits_the_screen(
    live_server: Any,
    owner: Membership,
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    spring = _demo(owner)
    page: Page = new_context(viewport=viewport).new_page()
    size = f"{viewport['width']}x{viewport['height']}"
    log_in(page, live_server.url)
    too_wide = {}
    pages = {
        "list": "/campaigns/",
        "page": f"/campaigns/{spring.pk}/",
        "form": f"/campaigns/{spring.pk}/edit/",
    }
    for name, url in pages.items():
        page.goto(f"{live_server.url}{url}")
        expect(page.locator("h1")).to_be_visible()
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            too_wide[name] = (width, inner)
        if screenshots is not None:
            page.screenshot(
                path=screenshots / f"campaign-{name}-{size}.png",
                full_page=True,
                animations="disabled",
            )
    assert too_wide == {}
    page.goto(f"{live_server.url}/campaigns/{spring.pk}/")
    expect(page.get_by_test_id("timing")).to_have_text("3 on time, 1 late")

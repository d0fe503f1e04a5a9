"""The Accounts page's health in a real browser: disconnect an account, see its
posts held, reconnect it.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_account_health.py

saves accounts-*.png and accounts-disconnected-*.png at 1280x800 and 390x844.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler.models import Delivery, Membership, Role
from tests.factories import (
    DeliveryFactory,
    MembershipFactory,
    PostFactory,
    SandboxAccountFactory,
    UserFactory,
    WorkspaceFactory,
)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
VIEWPORTS = [(1280, 800), (390, 844)]
S = Delivery.State

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture; nothing here reaches a worker."""


@pytest.fixture
def owner(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme")
    membership = MembershipFactory(
        user=UserFactory(username="owner"), workspace=workspace, role=Role.OWNER
    )
    now = timezone.now()
    sandbox = SandboxAccountFactory(workspace=workspace, name="Acme Sandbox", handle="acme")
    for text, state, at in (
        ("Cardamom buns are back", S.PUBLISHED, now - timedelta(hours=3)),
        ("Rhubarb cold brew on tap", S.SCHEDULED, None),
        ("Saffron week starts Monday", S.SCHEDULED, None),
    ):
        post = PostFactory(workspace=workspace, text=text)
        DeliveryFactory(post=post, account=sandbox, state=state, published_at=at)
    SandboxAccountFactory(
        workspace=workspace,
        network="linkedin",
        name="Acme Bakery (LinkedIn)",
        handle="acme-bakery",
        credentials={"access_token": "li-token"},
        credentials_expire_at=now + timedelta(days=5, hours=2),
    )
    SandboxAccountFactory(
        workspace=workspace,
        network="x",
        name="Acme Bakery (X)",
        handle="acmebakery",
        credentials={"access_token": "x-token", "refresh_token": "x-refresh"},
        credentials_expire_at=now + timedelta(hours=1),
        rate_limited_until=now + timedelta(minutes=14),
    )
    SandboxAccountFactory(
        workspace=workspace,
        network="pinterest",
        name="Acme Pins",
        handle="acmepins",
        status=SocialAccount.Status.NEEDS_RECONNECT,
        status_detail="Pinterest refused the refresh token; reconnect the account.",
    )
    return membership


def shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is None:
        return
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.timeout(120)
def test_disconnect_holds_posts_and_reconnect_releases_them(
    live_server: Any, owner: Membership, page: Page, screenshots: Path | None
) -> None:
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")
    page.goto(f"{base}/accounts/")
    health = page.get_by_test_id("account-health")
    expect(health).to_have_count(4)
    expect(health.nth(0)).to_have_text("Expires in 5 days")
    expect(health.nth(1)).to_have_text("Needs reconnecting")
    expect(health.nth(2)).to_have_text("OK")
    expect(health.nth(3)).to_contain_text("Rate-limited until")
    shoot(page, screenshots, "accounts")

    sandbox = page.locator(".account-row", has_text="Acme Sandbox")
    sandbox.get_by_text("Disconnect", exact=True).click()
    sandbox.get_by_role("button", name="Disconnect Acme Sandbox").click()
    expect(page.locator(".msg")).to_contain_text(
        "Disconnected Acme Sandbox. 2 scheduled posts are held until it is reconnected."
    )
    sandbox = page.locator(".account-row", has_text="Acme Sandbox")
    expect(sandbox.get_by_test_id("held-count")).to_have_text(
        "2 scheduled posts are held until the account is reconnected."
    )
    shoot(page, screenshots, "accounts-disconnected")

    sandbox.get_by_role("button", name="Reconnect").click()
    expect(page.locator(".msg")).to_contain_text("Reconnected Acme Sandbox and released 2")
    expect(page.locator(".account-row", has_text="Acme Sandbox")).to_have_attribute(
        "data-health", "ok"
    )

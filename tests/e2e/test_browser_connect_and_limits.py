"""In a real browser: an admin connects X (OAuth 2.0 with PKCE) and Facebook Pages with
Instagram (Facebook Login with a picker) through the fakes' sign-in pages, then the
composer shows each network's live limits as X, Facebook and Instagram count them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.fakes.graph import FakeGraph
from tests.fakes.x import FakeX

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture: nothing is published here."""


@pytest.fixture
def admin(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme")
    return MembershipFactory(
        user=UserFactory(username="admin"), workspace=workspace, role=Role.OWNER
    )


@pytest.fixture
def networks(settings: Any, live_server: Any) -> Iterator[tuple[FakeX, FakeGraph]]:
    with FakeX() as x, FakeGraph() as graph:
        x.add_user("2244994945", "acmebakery", "Acme Bakery")
        graph.add_page("1001", "Acme Bakery", "page-token-acme", instagram=("1789", "acmebakery"))
        graph.add_page("1002", "Acme Café", "page-token-cafe")
        settings.SMO_PUBLIC_URL = live_server.url  # the redirect URL the fakes send people back to
        settings.SMO_NETWORKS = {
            **settings.SMO_NETWORKS,
            "x": x.adapter_config(),
            "facebook": graph.config(),
            "instagram": graph.config(),
        }
        yield x, graph


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def test_an_admin_connects_x_facebook_and_instagram_and_the_composer_counts_for_each(
    live_server: Any,
    admin: Membership,
    networks: tuple[FakeX, FakeGraph],
    page: Page,
    screenshots: Path | None,
) -> None:
    log_in(page, live_server.url)
    page.get_by_role("link", name="Accounts").click()
    expect(page.locator(".network-row[data-network=x] .badge")).to_have_text("Ready")

    page.get_by_role("button", name="Connect X").click()  # to X's sign-in, and straight back
    expect(page).to_have_url(f"{live_server.url}/accounts/")
    expect(page.get_by_text("Connected Acme Bakery.")).to_be_visible()

    page.get_by_role("button", name="Connect Facebook").click()
    expect(page).to_have_url(f"{live_server.url}/accounts/connect/facebook/choose/")
    page.get_by_role("checkbox", name="Acme Bakery Facebook").check()
    page.get_by_role("checkbox", name="acmebakery Instagram").check()
    if screenshots is not None:
        page.screenshot(path=screenshots / "connect-choose.png", full_page=True)
    page.get_by_role("button", name="Connect", exact=True).click()
    expect(page.get_by_text("Connected Acme Bakery, acmebakery.")).to_be_visible()
    expect(page.locator(".account-row")).to_have_count(3)
    if screenshots is not None:
        page.screenshot(path=screenshots / "accounts.png", full_page=True)
    assert sorted(
        SocialAccount.objects.filter(workspace=admin.workspace).values_list("network", "name")
    ) == [("facebook", "Acme Bakery"), ("instagram", "acmebakery"), ("x", "Acme Bakery")]

    page.get_by_role("link", name="New post").click()
    for network in ("x", "facebook", "instagram"):
        page.locator(f".account-choice:has(.net-{network}) input").check()
    # A URL counts 23 on X, an emoji 2 (so 51, not 66); Instagram counts hashtags and needs media.
    text = "Fresh buns 🥐 today https://acmebakery.com/menu/spring-2026 #bakery"
    page.get_by_label("Text", exact=True).fill(text)
    x_meter = page.locator(".meter[data-network=x]")
    expect(x_meter.locator(".meter-count")).to_have_text("51 / 280")
    expect(page.locator(".meter[data-network=facebook] .meter-count")).to_have_text(
        f"{len(text)} / 63,206"
    )
    instagram = page.locator(".meter[data-network=instagram]")
    expect(instagram).to_have_class("meter blocked")  # within length, but no image
    expect(instagram.locator(".problems")).to_contain_text("Instagram")
    page.get_by_label("Text", exact=True).fill("x" * 281)
    expect(x_meter).to_have_class("meter over blocked")
    expect(x_meter.locator(".meter-count")).to_have_text("281 / 280")
    if screenshots is not None:
        page.screenshot(path=screenshots / "compose-limits.png", full_page=True)

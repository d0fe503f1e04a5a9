"""In a real browser: an admin types a Mastodon instance on the Accounts page. A bad
address is refused with the reason and what was typed kept; a good one goes to the
instance's sign-in (FakeMastodon) and back, and the composer then counts as that
instance does, against its own character limit."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import InstanceApp, SocialAccount
from scheduler.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.fakes.mastodon import FakeMastodon

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
def fake(settings: Any, live_server: Any) -> Iterator[FakeMastodon]:
    with FakeMastodon() as fake:
        fake.add_account("acmebakery", "Acme Bakery")
        fake.limits["max_characters"] = 1000
        settings.SMO_PUBLIC_URL = live_server.url  # where the instance sends people back
        yield fake


def test_an_admin_connects_the_mastodon_instance_they_type(
    live_server: Any,
    admin: Membership,
    fake: FakeMastodon,
    page: Page,
    screenshots: Path | None,
    tmp_path: Path,
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Accounts").click()
    row = page.locator(".network-row[data-network=mastodon]")
    expect(row.locator(".badge")).to_have_text("Ready")

    server = row.get_by_label("Your server's address")
    server.fill("mastodon.social/@acmebakery")
    row.get_by_role("button", name="Connect Mastodon").click()
    row = page.locator(".network-row[data-network=mastodon]")
    expect(row.get_by_role("alert")).to_have_text(
        "Enter only the server's address, without a path."
    )
    expect(row.get_by_label("Your server's address")).to_have_value("mastodon.social/@acmebakery")
    expect(row.get_by_label("Your server's address")).to_have_attribute("aria-invalid", "true")
    shot = (screenshots or tmp_path) / "accounts-mastodon-row.png"
    row.screenshot(path=shot)
    assert shot.stat().st_size > 0

    row.get_by_label("Your server's address").fill(fake.url)
    row.get_by_role("button", name="Connect Mastodon").click()  # to the instance and back
    expect(page).to_have_url(f"{live_server.url}/accounts/")
    expect(page.get_by_text("Connected Acme Bakery.")).to_be_visible()
    account = SocialAccount.objects.get(workspace=admin.workspace, network="mastodon")
    assert account.options["limits"]["max_characters"] == 1000
    assert InstanceApp.objects.filter(server=fake.url).count() == 1

    page.get_by_role("link", name="New post").click()
    page.locator(".account-choice:has(.net-mastodon) input").check()
    # The URL counts 23 and the remote mention @alice only: 19 + 23 + 7 = 49.
    text = "Fresh buns 🥐 today https://acmebakery.com/menu/spring-2026 @alice@mastodon.social"
    page.get_by_label("Text", exact=True).fill(text)
    meter = page.locator(".meter[data-network=mastodon]")
    expect(meter.locator(".meter-count")).to_have_text("49 / 1,000")
    page.get_by_label("Text", exact=True).fill("x" * 1001)
    expect(meter.locator(".meter-count")).to_have_text("1,001 / 1,000")
    if screenshots is not None:
        page.screenshot(path=screenshots / "compose-mastodon.png", full_page=True)

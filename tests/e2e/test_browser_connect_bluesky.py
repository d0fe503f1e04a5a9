"""In a real browser: an admin connects a Bluesky account with its handle and an app
password (against the fake PDS), sees a refused password said beside its field and
never shown again, and the composer counts Bluesky's text in graphemes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler.models import Membership, Role
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory
from tests.fakes.bluesky import APP_PASSWORD, FakeBluesky

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
WRONG = "zzzz-yyyy-xxxx-wwww"

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
def pds(settings: Any) -> Iterator[FakeBluesky]:
    with FakeBluesky() as fake:
        fake.add_account("acmebakery.test", display_name="Acme Bakery")
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "bluesky": fake.adapter_config()}
        yield fake


def test_an_admin_connects_bluesky_with_an_app_password(
    live_server: Any, admin: Membership, pds: FakeBluesky, page: Page, screenshots: Path | None
) -> None:
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Accounts").click()
    row = page.locator(".network-row[data-network=bluesky]")
    expect(row.locator(".badge")).to_have_text("Ready")

    row.get_by_label("Handle", exact=True).fill("@acmebakery.test")
    row.get_by_label("App password").fill(WRONG)
    row.get_by_role("button", name="Connect Bluesky").click()
    row = page.locator(".network-row[data-network=bluesky]")
    expect(row.get_by_role("alert")).to_have_text(
        "Bluesky did not accept that handle and app password."
    )
    expect(row.get_by_label("App password")).to_have_attribute("aria-invalid", "true")
    expect(row.get_by_label("App password")).to_have_value("")
    expect(row.get_by_label("Handle", exact=True)).to_have_value("@acmebakery.test")
    assert WRONG not in page.content()
    row.scroll_into_view_if_needed()
    if screenshots:
        row.screenshot(path=screenshots / "bluesky-row.png")

    row.get_by_label("App password").fill(APP_PASSWORD)
    row.get_by_role("button", name="Connect Bluesky").click()
    expect(page.get_by_text("Connected Acme Bakery.")).to_be_visible()
    assert APP_PASSWORD not in page.content()
    [account] = SocialAccount.objects.filter(workspace=admin.workspace, network="bluesky")
    assert (account.handle, account.name) == ("acmebakery.test", "Acme Bakery")

    page.get_by_role("link", name="New post").click()
    page.locator(".account-choice:has(.net-bluesky) input").check()
    # A family emoji is one grapheme of 25 bytes; a flag one of 8.
    page.get_by_label("Text", exact=True).fill("Fika 👨‍👩‍👧‍👦 🇸🇪")
    meter = page.locator(".meter[data-network=bluesky]")
    expect(meter.locator(".meter-count")).to_have_text("8 / 300")
    page.get_by_label("Text", exact=True).fill("å" * 301)
    expect(meter.locator(".meter-count")).to_have_text("301 / 300")

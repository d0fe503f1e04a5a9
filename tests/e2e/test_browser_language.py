"""In a real browser: pick Svenska on the profile page and the whole app speaks Swedish.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_language.py

saves the profile and the dashboard in Swedish at 1280x800 and 390x844.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from scheduler.models import Membership, Role
from tests.e2e.menu import open_menu
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def owner(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme")
    membership = MembershipFactory(
        user=UserFactory(username="anna"), workspace=workspace, role=Role.OWNER
    )
    SandboxAccountFactory(workspace=workspace, name="Acme Sandbox", handle="acme")
    return membership


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_picking_svenska_on_the_profile_turns_the_app_swedish(
    live_server: Any,
    owner: Membership,
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    # An English browser: only the profile makes it Swedish.
    page: Page = new_context(viewport=viewport, locale="en-US").new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    open_menu(page, "Menu")
    expect(page.get_by_role("link", name="Calendar")).to_be_visible()

    page.get_by_role("link", name="anna · Europe/Stockholm").click()
    expect(page).to_have_url(f"{live_server.url}/profile/")
    page.get_by_label("Language").select_option(label="Svenska")
    page.get_by_label("Time zone").select_option("Europe/Helsinki")
    page.get_by_role("button", name="Save").click()

    expect(page).to_have_url(f"{live_server.url}/profile/")
    expect(page.get_by_role("heading", name="Din profil")).to_be_visible()
    expect(page.locator(".msg.success")).to_have_text("Din profil är sparad.")
    open_menu(page, "Meny")
    nav = page.locator("nav.nav")
    for word in ["Översikt", "Nytt inlägg", "Kalender", "Kö", "Konton"]:
        expect(nav.get_by_role("link", name=word, exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="Logga ut")).to_be_visible()
    expect(page.get_by_label("Språk")).to_have_value("sv")
    expect(page.get_by_label("Tidszon")).to_have_value("Europe/Helsinki")
    expect(page.locator("html")).to_have_attribute("lang", "sv")
    size = f"{viewport['width']}x{viewport['height']}"
    _fits(page)
    if screenshots is not None:
        page.screenshot(path=screenshots / f"profile-sv-{size}.png", full_page=True)

    page.get_by_role("link", name="Översikt").click()
    expect(page.get_by_role("heading", name="Kommande")).to_be_visible()
    expect(page.get_by_role("link", name="anna · Europe/Helsinki")).to_be_visible()
    _fits(page)
    if screenshots is not None:
        page.screenshot(path=screenshots / f"dashboard-sv-{size}.png", full_page=True)


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_on_a_phone_the_page_links_fold_under_a_menu_button(
    live_server: Any,
    owner: Membership,
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    page: Page = new_context(viewport=viewport).new_page()
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("anna")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    menu = page.get_by_role("button", name="Menu")
    calendar = page.locator("nav.nav").get_by_role("link", name="Calendar")
    if viewport["width"] > 760:
        expect(menu).to_be_hidden()
        expect(calendar).to_be_visible()
        return
    topbar = page.locator(".topbar").bounding_box()
    assert topbar is not None and topbar["height"] < 110  # two rows, not four
    expect(calendar).to_be_hidden()
    menu.click()
    expect(menu).to_have_attribute("aria-expanded", "true")
    expect(calendar).to_be_visible()
    if screenshots is not None:
        page.screenshot(path=screenshots / "menu-open-390x844.png")
    calendar.click()
    expect(page).to_have_url(f"{live_server.url}/calendar/")
    expect(page.locator("nav.nav").get_by_role("link", name="Calendar")).to_be_hidden()
    _fits(page)


def _fits(page: Page) -> None:
    """Longer Swedish words must not push the page wider than the screen."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 0

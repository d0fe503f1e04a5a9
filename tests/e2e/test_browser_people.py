"""People in a real browser: an owner invites, the invitee signs up from the e-mailed
link and sees the workspace, then starts a workspace of their own and switches back.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_people.py

saves the People page and the invitation page at 1280 px and 390 px.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from django.core import mail
from playwright.sync_api import Page, expect

from scheduler.models import Membership, Role
from tests.e2e.menu import open_menu
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def owner(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Northwind Coffee")
    MembershipFactory(user=UserFactory(username="lina"), workspace=workspace, role=Role.VIEWER)
    return MembershipFactory(
        user=UserFactory(username="maria"), workspace=workspace, role=Role.OWNER
    )


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")


def fits(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{page.url} scrolls sideways: {scroll_width}"


def test_an_invited_person_joins_and_sees_the_workspace(
    live_server: Any, owner: Membership, new_context: Any, screenshots: Path | None
) -> None:
    base = live_server.url
    maria = new_context(viewport=VIEWPORTS["laptop"]).new_page()
    log_in(maria, base, "maria")
    maria.get_by_role("link", name="People").click()
    expect(maria.get_by_role("heading", name="People in Northwind Coffee")).to_be_visible()
    maria.get_by_label("E-mail address").fill("sam@example.com")
    maria.get_by_label("Role", exact=True).select_option("editor")
    maria.get_by_role("button", name="Send invitation").click()
    expect(maria.get_by_text("Invitation sent to sam@example.com.")).to_be_visible()
    expect(maria.locator("tr", has_text="sam@example.com")).to_contain_text("Editor")

    [message] = mail.outbox
    link = re.search(r"https?://\S+/invite/[\w-]+/", message.body).group(0)  # type: ignore[union-attr]
    path = link.split("://", 1)[1].split("/", 1)[1]

    sam = new_context(viewport=VIEWPORTS["phone"]).new_page()
    sam.goto(f"{base}/{path}")
    expect(sam.get_by_text("maria invites you to Northwind Coffee as Editor.")).to_be_visible()
    if screenshots:
        sam.screenshot(path=str(screenshots / "invite-accept-phone.png"), full_page=True)
    sam.get_by_label("Username").fill("sam")
    sam.get_by_label("Password", exact=True).fill("a long pass 123")
    sam.get_by_label("Password confirmation").fill("a long pass 123")
    sam.get_by_role("button", name="Create account and join").click()
    expect(sam).to_have_url(f"{base}/")
    expect(sam.get_by_text("Welcome to Northwind Coffee: you joined as Editor.")).to_be_visible()
    expect(sam.locator(".who")).to_contain_text("Northwind Coffee")
    open_menu(sam)
    sam.get_by_role("link", name="People").click()
    expect(sam.locator("tr", has_text="sam")).to_contain_text("Editor")
    fits(sam)

    # The link is used up.
    other = new_context().new_page()
    other.goto(f"{base}/{path}")
    expect(other.get_by_text("This invitation was already used.")).to_be_visible()

    # Maria sees Sam as a member, and no invitation left.
    maria.reload()
    expect(
        maria.locator(f"#member-{Membership.objects.get(user__username='sam').pk}")
    ).to_be_visible()
    expect(maria.get_by_text("No pending invitations.")).to_be_visible()
    if screenshots:
        for name, size in VIEWPORTS.items():
            maria.set_viewport_size(size)
            maria.screenshot(path=str(screenshots / f"people-{name}.png"), full_page=True)
            fits(maria)

    # Sam starts a workspace of their own, lands in it, and switches back.
    sam.get_by_role("link", name="New workspace").click()
    sam.get_by_label("Name").fill("Sam's side project")
    sam.get_by_role("button", name="Create workspace").click()
    expect(sam.get_by_role("heading", name="People in Sam's side project")).to_be_visible()
    sam.get_by_label("Workspace").select_option(label="Northwind Coffee")
    expect(sam).to_have_url(f"{base}/")
    expect(sam.get_by_label("Workspace")).to_have_value(str(owner.workspace_id))
    fits(sam)
    if screenshots:
        sam.screenshot(path=str(screenshots / "switcher-phone.png"))
    assert Membership.objects.filter(user__username="sam").count() == 2

"""Approvals in a real browser: a contributor asks, an approver decides, both see it.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_approvals.py

saves approvals, post-comments and notifications pages at 1280 px and 390 px.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler.models import Comment, Delivery, Membership, Post, Role
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
ZONE = "Europe/Stockholm"
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def team(transactional_db: None) -> dict[str, Membership]:
    workspace = WorkspaceFactory(name="Northwind Coffee", timezone=ZONE)
    SandboxAccountFactory(workspace=workspace, name="Northwind Sandbox", handle="northwind")
    return {
        name: MembershipFactory(
            user=UserFactory(username=name, timezone=ZONE), workspace=workspace, role=role
        )
        for name, role in (("maria", Role.OWNER), ("lina", Role.CONTRIBUTOR))
    }


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")


def write_post(page: Page, base: str, text: str) -> Post:
    """As the contributor: write a post for two hours from now and save it."""
    when = (timezone.now() + timedelta(hours=2)).astimezone(ZoneInfo(ZONE))
    page.goto(f"{base}/compose/")
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_role("checkbox", name="Northwind Sandbox").check()
    page.get_by_role("radio", name="Schedule").check()
    page.get_by_label("Date", exact=True).fill(when.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill(when.strftime("%H:%M"))
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/posts/\d+/$"))
    expect(page.get_by_test_id("post-status")).to_have_attribute("data-state", "awaiting_approval")
    return Post.objects.get(text=text)


def fits(page: Page) -> None:
    scroll_width, inner_width = page.evaluate(
        "[document.documentElement.scrollWidth, window.innerWidth]"
    )
    assert scroll_width <= inner_width, f"{page.url} scrolls sideways: {scroll_width}"


def test_an_approver_approves_a_contributors_post_and_the_contributor_hears_of_it(
    live_server: Any, team: dict[str, Membership], new_context: Any
) -> None:
    base = live_server.url
    lina = new_context().new_page()
    maria = new_context().new_page()
    log_in(lina, base, "lina")
    post = write_post(lina, base, "Cardamom buns are back on Friday!")
    expect(lina.get_by_test_id("review")).to_contain_text("approves it before it can go out")

    log_in(maria, base, "maria")
    expect(maria.get_by_test_id("bell")).to_have_attribute("data-unread", "1")
    maria.get_by_role("link", name="Approvals").click()
    item = maria.get_by_test_id("awaiting-post")
    expect(item).to_have_count(1)
    expect(item).to_contain_text("Cardamom buns are back on Friday!")
    expect(item).to_contain_text("lina")
    item.get_by_role("button", name="Approve", exact=True).click()
    expect(maria.locator(".msg")).to_contain_text("Approved: it goes out")
    expect(maria.get_by_test_id("no-approvals")).to_be_visible()
    assert list(Delivery.objects.values_list("state", flat=True)) == ["scheduled"]

    lina.reload()
    expect(lina.get_by_test_id("bell")).to_have_attribute("data-unread", "1")
    lina.get_by_test_id("bell").click()
    note = lina.get_by_test_id("notification")
    expect(note).to_have_count(1)
    expect(note).to_contain_text("maria approved your post “Cardamom buns are back on Friday!”.")
    note.get_by_role("link").click()
    expect(lina).to_have_url(f"{base}/posts/{post.pk}/#comment-{Comment.objects.get().pk}")
    expect(lina.get_by_test_id("post-status")).to_have_attribute("data-state", "scheduled")
    expect(lina.get_by_test_id("bell")).to_have_attribute("data-unread", "0")


def test_an_approver_rejects_with_a_reason_that_the_contributor_reads(
    live_server: Any, team: dict[str, Membership], new_context: Any
) -> None:
    base = live_server.url
    lina = new_context().new_page()
    maria = new_context().new_page()
    log_in(lina, base, "lina")
    post = write_post(lina, base, "Free coffee for everyone, forever")

    log_in(maria, base, "maria")
    maria.goto(f"{base}/posts/{post.pk}/")
    review = maria.get_by_test_id("review")
    review.get_by_text("Reject", exact=True).click()
    review.get_by_role("button", name="Reject post").click()  # no reason: the browser asks
    assert Delivery.objects.get().state == "awaiting_approval"
    review.get_by_label("Why is it rejected?").fill("We cannot afford that, @lina.")
    review.get_by_role("button", name="Reject post").click()
    expect(maria.locator(".msg")).to_contain_text("Rejected")
    expect(maria.get_by_test_id("post-status")).to_have_attribute("data-state", "cancelled")
    decision = maria.get_by_test_id("comment")
    expect(decision).to_have_attribute("data-kind", "rejected")
    expect(decision.locator(".mention")).to_have_text("@lina")

    lina.goto(f"{base}/notifications/")
    kinds = lina.get_by_test_id("notification")
    expect(kinds).to_have_count(2)  # the rejection and the mention in it
    expect(kinds.filter(has_text="rejected your post")).to_contain_text(
        "maria rejected your post “Free coffee for everyone, forever”: We cannot afford that"
    )


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_pages_fit_the_screen(
    live_server: Any,
    team: dict[str, Membership],
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    base = live_server.url
    size = f"{viewport['width']}x{viewport['height']}"
    lina = new_context(viewport=viewport).new_page()
    maria = new_context(viewport=viewport).new_page()
    log_in(lina, base, "lina")
    first = write_post(lina, base, "Rhubarb cold brew lands Monday. Who is in? ☕")
    write_post(lina, base, "Behind the scenes: how we roast our Huila beans, a short thread.")
    # The comment form works with htmx: the list updates in place.
    lina.goto(f"{base}/posts/{first.pk}/")
    lina.get_by_label("Add a comment").fill("@maria can you check the price before Monday?")
    lina.get_by_role("button", name="Comment", exact=True).click()
    expect(lina.get_by_test_id("comment")).to_have_count(1)
    expect(lina.get_by_label("Add a comment")).to_have_value("")

    def look(page: Page, name: str) -> None:
        page.wait_for_load_state()
        fits(page)
        if screenshots is not None:
            page.screenshot(
                path=screenshots / f"{name}-{size}.png", full_page=True, animations="disabled"
            )

    log_in(maria, base, "maria")
    expect(maria.get_by_test_id("bell")).to_have_attribute("data-unread", "3")
    maria.goto(f"{base}/approvals/")
    maria.get_by_test_id("awaiting-post").first.get_by_text("Ask for changes").click()
    look(maria, "approvals")
    maria.goto(f"{base}/posts/{first.pk}/")
    maria.get_by_label("Add a comment").fill("Looks good, @lina. Price is 45 kr.")
    maria.get_by_role("button", name="Comment", exact=True).click()
    expect(maria.get_by_test_id("comment")).to_have_count(2)
    look(maria, "post-comments")
    maria.goto(f"{base}/notifications/")
    look(maria, "notifications")

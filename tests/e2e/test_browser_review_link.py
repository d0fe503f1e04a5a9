"""Client review links in a real browser: an admin shares two posts, a reviewer
with no account and no session approves one and sends the other back.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_review_link.py

saves the approvals page, the link page, the review page and the steps page.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler import approvals, posts, workflow
from scheduler.models import Comment, Delivery, Post, Role
from tests.e2e.test_browser_approvals import PASSWORD, VIEWPORTS, ZONE, fits
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def waiting(transactional_db: None) -> tuple[Post, Post]:
    """Two contributor's posts waiting at an Editor step and a Client step; the
    editor has approved both, so both wait for the client."""
    workspace = WorkspaceFactory(name="Northwind Coffee", timezone=ZONE)
    account = SandboxAccountFactory(
        workspace=workspace, name="Northwind Sandbox", handle="northwind"
    )
    people = {
        name: MembershipFactory(
            user=UserFactory(username=name, timezone=ZONE), workspace=workspace, role=role
        )
        for name, role in (("maria", Role.ADMIN), ("lina", Role.CONTRIBUTOR), ("erik", Role.EDITOR))
    }
    workflow.save(
        people["maria"],
        [{"name": "Editor", "by": "team"}, {"name": "Client", "by": "client"}],
        every_post=False,
    )
    when = timezone.now() + timedelta(hours=3)
    made = []
    for text in ("Cardamom buns are back on Friday!", "Rhubarb cold brew lands Monday."):
        post = posts.create_post(
            people["lina"], posts.PostInput(text, accounts=[account], scheduled_at=when)
        )
        approvals.approve(people["erik"], post)
        made.append(post)
    return made[0], made[1]


def log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")


def share(page: Page, base: str) -> str:
    """As the admin: tick both posts, name the reviewer, make the link; return its URL."""
    page.goto(f"{base}/approvals/")
    items = page.get_by_test_id("awaiting-post")
    expect(items).to_have_count(2)
    expect(items.first.get_by_test_id("approval-step")).to_contain_text("Step 2 of 2: Client")
    expect(items.first.get_by_test_id("approval-step")).to_contain_text("Approved by erik")
    for i in range(2):
        items.nth(i).get_by_test_id("share-pick").check()
    page.get_by_label("Reviewer's name").fill("Cleo from Northwind")
    page.get_by_role("button", name="Make review link").click()
    expect(page.get_by_test_id("review-link-created")).to_contain_text("It shows 2 posts")
    url = page.get_by_test_id("review-url").input_value()
    assert "/review/" in url
    return url


def test_a_client_approves_one_post_and_asks_for_changes_on_another_through_the_link(
    live_server: Any, waiting: tuple[Post, Post], new_context: Any
) -> None:
    base = live_server.url
    first, second = waiting
    maria = new_context().new_page()
    log_in(maria, base, "maria")
    url = share(maria, base)

    client = new_context().new_page()  # no session, no account
    client.goto(url)
    expect(client.get_by_role("heading", level=1)).to_contain_text("Posts from Northwind Coffee")
    cards = client.get_by_test_id("review-post")
    expect(cards).to_have_count(2)
    one = cards.filter(has_text="Cardamom buns")
    two = cards.filter(has_text="Rhubarb cold brew")
    expect(one.locator(".preview-sandbox")).to_contain_text("Cardamom buns are back on Friday!")
    expect(one).to_contain_text("Step 2 of 2: Client")
    one.get_by_role("button", name="Approve").click()
    expect(client.locator(".msg")).to_contain_text("Approved. Thank you!")
    two.get_by_text("Request changes").click()
    two.get_by_label("What should change?").fill("Say it starts at 8, please.")
    two.get_by_role("button", name="Send back for changes").click()
    expect(client.locator(".msg")).to_contain_text("Sent back with your comment.")
    expect(cards.filter(has_text="Rhubarb")).to_have_attribute("data-state", "decided")

    assert list(first.deliveries.values_list("state", flat=True)) == [Delivery.State.SCHEDULED]
    assert list(second.deliveries.values_list("state", flat=True)) == [Delivery.State.DRAFT]
    comment = Comment.objects.get(post=second, kind=Comment.Kind.CHANGES_REQUESTED)
    assert (comment.body, comment.reviewer_name) == (
        "Say it starts at 8, please.",
        "Cleo from Northwind",
    )
    # The team reads who decided on the post page.
    maria.goto(f"{base}/posts/{second.pk}/")
    expect(maria.get_by_test_id("comment").last).to_contain_text("Cleo from Northwind")
    expect(maria.get_by_test_id("comment").last).to_contain_text("Say it starts at 8, please.")


def test_a_revoked_link_says_it_no_longer_works(
    live_server: Any, waiting: tuple[Post, Post], new_context: Any
) -> None:
    base = live_server.url
    maria = new_context().new_page()
    log_in(maria, base, "maria")
    url = share(maria, base)
    maria.goto(f"{base}/approvals/")
    maria.get_by_test_id("review-link-row").get_by_role("button", name="Revoke").click()
    expect(maria.locator(".msg")).to_contain_text("Review link revoked")
    client = new_context().new_page()
    answer = client.goto(url)
    assert answer is not None and answer.status == 410
    expect(client.get_by_test_id("review-gone")).to_contain_text("withdrawn")


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_the_review_pages_fit_the_screen(
    live_server: Any,
    waiting: tuple[Post, Post],
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    base = live_server.url
    size = f"{viewport['width']}x{viewport['height']}"

    def look(page: Page, name: str) -> None:
        page.wait_for_load_state()
        fits(page)
        if screenshots is not None:
            page.screenshot(
                path=screenshots / f"review-{name}-{size}.png",
                full_page=True,
                animations="disabled",
            )

    maria = new_context(viewport=viewport).new_page()
    log_in(maria, base, "maria")
    url = share(maria, base)
    look(maria, "link-created")
    maria.goto(f"{base}/approvals/")
    look(maria, "approvals")
    maria.goto(f"{base}/approvals/steps/")
    look(maria, "steps")
    client = new_context(viewport=viewport).new_page()
    client.goto(url)
    client.get_by_test_id("review-post").first.get_by_text("Request changes").click()
    look(client, "page")

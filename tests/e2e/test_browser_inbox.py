"""In a real browser: a visitor comments on a sandbox post; the comment arrives in
the open inbox without a reload; the keyboard opens it, a saved reply answers it,
the answer lands in the thread and on the sandbox post; another comment is hidden
and a message assigned to a teammate.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_inbox.py

saves inbox-1280x800.png and inbox-390x844.png; docs/screenshots/inbox.png is the first.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from channels.models import SandboxComment
from scheduler import inbox_sync, moderation, replies
from scheduler.models import Delivery, InboxItem, Membership, Notification, Reply, SavedReply
from tests.e2e.test_browser_flow import ZONE, log_in
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory
from tests.scheduler.inbox_setup import published, visitor_says

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def admin(transactional_db: None, settings: Any) -> Membership:
    settings.SMO_INBOX_POLL_SECONDS = 1
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    MembershipFactory(user=UserFactory(username="sam", timezone=ZONE), workspace=workspace)
    return MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role="owner"
    )


def test_a_comment_is_answered_from_the_inbox(
    live_server: Any, admin: Membership, page: Page, screenshots: Path | None
) -> None:
    base = live_server.url
    account = SandboxAccountFactory(workspace=admin.workspace, name="Acme Bakery", handle="acme")
    delivery: Delivery = published(
        post__workspace=admin.workspace, post__text="Cardamom buns are back!", account=account
    )
    SavedReply.objects.create(
        workspace=admin.workspace, title="Opening hours", text="We open at 7 every day."
    )
    visitor_says(account, "Do you deliver?", author="Bo")  # a private message
    visitor_says(account, "Spam spam spam", post_id=delivery.external_id, author="Spammer")
    inbox_sync.fetch(account.pk)
    log_in(page, base)

    # A visitor comments on the sandbox post, from the sandbox's own page.
    page.goto(f"{base}/sandbox/posts/{delivery.external_id}/")
    page.get_by_label("Your name").fill("Ann")
    page.get_by_label("Comment").fill("When do you open tomorrow?")
    page.get_by_role("button", name="Comment as a visitor").click()
    expect(page.get_by_text("Comment posted.")).to_be_visible()

    # The inbox is open when the worker fetches it: the comment arrives by itself.
    page.goto(f"{base}/inbox/")
    rows = page.get_by_test_id("inbox-row")
    expect(rows).to_have_count(2)
    assert inbox_sync.fetch(account.pk) == "fetched"
    expect(rows).to_have_count(3)
    expect(rows.first).to_contain_text("When do you open tomorrow?")
    expect(rows.first).to_contain_text("Cardamom buns are back!")

    # j opens the newest; r goes to the answer box; a saved reply fills it.
    page.keyboard.press("j")
    detail = page.get_by_test_id("inbox-item")
    expect(detail).to_contain_text("Answer Ann")
    expect(page.locator("#inbox-list .inbox-row.selected")).to_contain_text("When do you open")
    page.keyboard.press("r")
    expect(page.locator("#reply-text")).to_be_focused()
    page.keyboard.type("Hi Ann! ")
    page.get_by_label("Insert a saved reply").select_option(label="Opening hours")
    expect(page.locator("#reply-text")).to_have_value("Hi Ann! We open at 7 every day.")

    # Too long first: refused with the reason, and nothing typed is lost.
    page.locator("#reply-text").press("End")
    page.locator("#reply-text").type(" x" * 250)
    page.get_by_role("button", name="Send").click()
    expect(page.get_by_test_id("reply-error")).to_contain_text("Sandbox allows 500 characters")
    expect(page.locator("#reply-text")).to_have_value(
        "Hi Ann! We open at 7 every day." + " x" * 250
    )
    assert not Reply.objects.exists()

    page.locator("#reply-text").fill("Hi Ann! We open at 7 every day.")
    page.locator("#reply-text").press("Control+Enter")
    expect(page.get_by_test_id("reply-state")).to_have_attribute("data-state", "queued")
    # A worker sends it; the open conversation shows it as the account's answer.
    reply = Reply.objects.get()
    assert replies.send(reply.pk) == "sent"
    expect(page.get_by_test_id("reply-state")).to_have_count(0)
    own = page.locator(".thread-entry.own")
    expect(own).to_contain_text("Hi Ann! We open at 7 every day.")
    expect(own).to_contain_text("Acme Bakery")
    expect(page.get_by_test_id("item-state")).to_have_attribute("data-state", "done")
    assert SandboxComment.objects.filter(own=True, text__startswith="Hi Ann").count() == 1

    # The spam: hidden on the network.
    spam = page.get_by_test_id("inbox-row").filter(has_text="Spam spam spam")
    spam.click()
    # Ann's conversation shows the spam too (both sit under the same post): wait
    # until the spam is the item open, or Hide would act on Ann's comment.
    expect(page.locator(".thread-entry.current")).to_contain_text("Spam spam spam")
    page.get_by_role("button", name="Hide").click()
    expect(page.get_by_test_id("moderation-pending")).to_be_visible()
    item = InboxItem.objects.get(text="Spam spam spam")
    assert moderation.run(item.pk, "hide") == "done"
    page.keyboard.press("e")  # and closed
    expect(page.get_by_test_id("item-state")).to_have_attribute("data-state", "done")
    expect(page.get_by_role("button", name="Show again")).to_be_visible()
    assert SandboxComment.objects.get(text="Spam spam spam").hidden is True

    # The private message goes to Sam.
    page.get_by_test_id("inbox-row").filter(has_text="Do you deliver?").click()
    expect(page.locator(".thread-entry.current")).to_contain_text("Do you deliver?")
    page.keyboard.press("a")
    expect(page.locator("[data-inbox-assign]")).to_be_focused()
    page.locator("[data-inbox-assign]").select_option(label="sam")
    expect(page.get_by_test_id("item-state")).to_have_attribute("data-state", "assigned")
    assert Notification.objects.filter(user__username="sam", kind="inbox_assigned").exists()

    # The post page shows the conversation; the sandbox post shows the answer.
    page.goto(f"{base}/posts/{delivery.post_id}/")
    conversation = page.get_by_test_id("post-conversation")
    expect(conversation).to_contain_text("When do you open tomorrow?")
    expect(conversation).to_contain_text("Hi Ann! We open at 7 every day.")
    page.goto(f"{base}/sandbox/posts/{delivery.external_id}/")
    expect(page.get_by_test_id("sandbox-comment").filter(has_text="Hi Ann")).to_be_visible()
    expect(page.get_by_test_id("sandbox-comment").filter(has_text="Spam")).to_have_count(0)

    if screenshots:
        visitor_says(
            account, "Is the cardamom bun vegan?", post_id=delivery.external_id, author="Cy"
        )
        visitor_says(account, "Loved the buns today!", post_id=delivery.external_id, author="Dee")
        inbox_sync.fetch(account.pk)
        for width, height in ((1280, 800), (390, 844)):
            page.set_viewport_size({"width": width, "height": height})
            page.goto(f"{base}/inbox/?state=all")
            page.get_by_test_id("inbox-row").filter(has_text="When do you open").click()
            expect(page.locator(".thread-entry.own")).to_be_visible()
            page.screenshot(path=screenshots / f"inbox-{width}x{height}.png", full_page=True)

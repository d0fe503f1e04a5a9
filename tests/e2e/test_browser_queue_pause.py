"""The queue and pause publishing in a real browser.

Set two posting times, add two posts to the queue, swap them, pause the workspace,
let the first slot pass, see the banner on another page, and resume with "review":
the missed post is back among the drafts.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_queue_pause.py

saves queue-*.png and pause-banner-*.png at 1280x800 and 390x844.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from scheduler import engine
from scheduler.models import Delivery, Membership, Role
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
ZONE = ZoneInfo("Europe/Stockholm")
VIEWPORTS = [(1280, 800), (390, 844)]

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture; nothing here reaches a worker."""


@pytest.fixture
def owner(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE.key)
    membership = MembershipFactory(
        user=UserFactory(username="owner", timezone=ZONE.key), workspace=workspace, role=Role.OWNER
    )
    SandboxAccountFactory(workspace=workspace, name="Acme Sandbox", handle="acme")
    return membership


def shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is None:
        return
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


def queued_texts(page: Page) -> list[str]:
    return page.get_by_test_id("queued-post").locator(".queue-text").all_inner_texts()


@pytest.mark.timeout(120)
def test_queue_reorder_pause_and_review(
    live_server: Any, owner: Membership, page: Page, screenshots: Path | None
) -> None:
    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")

    page.get_by_role("link", name="Queue").click()
    expect(page).to_have_url(f"{base}/queue/")
    tomorrow = timezone.localtime(timezone.now(), ZONE) + timedelta(days=1)
    card = page.get_by_test_id("queue-account")
    for at in ("09:00", "10:00"):
        card.get_by_label("Day").select_option(str(tomorrow.weekday()))
        card.get_by_label("Time").fill(at)
        card.get_by_role("button", name="Add time").click()
    day = tomorrow.strftime("%a")
    expect(card.locator(".slot-chip")).to_contain_text([f"{day} 9:00 AM", f"{day} 10:00 AM"])
    expect(card.get_by_role("button", name=f"Remove {day} 9:00 AM")).to_be_visible()

    for text in ("Cardamom buns are back", "Rhubarb cold brew on tap"):
        card.get_by_text("Add a post to this queue").click()
        card.get_by_label("Text").fill(text)
        card.get_by_role("button", name="Add to queue").click()
        expect(page.locator(".msg")).to_contain_text("Added to the queue for")
    assert queued_texts(page) == ["Cardamom buns are back", "Rhubarb cold brew on tap"]
    expect(card.get_by_test_id("empty-slot").first).to_contain_text(f"Empty slot — {day} 9:00 AM")

    card.get_by_test_id("queued-post").first.get_by_role("button", name="Move down").click()
    expect(card.get_by_test_id("queued-post").first).to_contain_text("Rhubarb cold brew")
    assert queued_texts(page) == ["Rhubarb cold brew on tap", "Cardamom buns are back"]
    first, second = Delivery.objects.order_by("scheduled_at")
    nine = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    assert (first.post.text, first.scheduled_at) == ("Rhubarb cold brew on tap", nine)
    assert (second.post.text, second.scheduled_at) == (
        "Cardamom buns are back",
        nine.replace(hour=10),
    )
    shoot(page, screenshots, "queue")

    page.get_by_role("link", name="Pause publishing").click()
    page.get_by_label("Reason").fill("Breaking news: holding everything")
    page.get_by_role("button", name="Pause all publishing").click()
    expect(page.get_by_test_id("pause-banner")).to_contain_text("Publishing is paused")

    # The 09:00 slot passes while paused: the post waits, scheduled.
    with time_machine.travel(nine + timedelta(minutes=30), tick=True):
        assert engine.dispatch_due() == 0
        assert Delivery.objects.get(pk=first.pk).state == "scheduled"
        page.get_by_role("link", name="Dashboard").click()
        banner = page.get_by_test_id("pause-banner")
        expect(banner).to_contain_text("by owner: Breaking news: holding everything")
        expect(banner).to_contain_text("1 post came due meanwhile and waits.")
        shoot(page, screenshots, "pause-banner")
        banner.get_by_label("Move them to drafts to review").check()
        banner.get_by_role("button", name="Resume publishing").click()
        expect(page.locator(".msg")).to_have_text(
            "Publishing resumed. 1 missed post moved to drafts."
        )
        expect(page.get_by_test_id("pause-banner")).to_have_count(0)
        drafts = page.locator("section.card", has_text="Drafts")
        expect(drafts).to_contain_text("Rhubarb cold brew on tap")
        assert engine.dispatch_due() == 0
    assert Delivery.objects.get(pk=first.pk).state == "draft"
    assert Delivery.objects.get(pk=second.pk).state == "scheduled"

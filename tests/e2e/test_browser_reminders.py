"""In a real browser: add a Snapchat profile, schedule a photo to it, and post it by hand
from the reminder SMO sends when it comes due.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_reminders.py

saves reminder-1280x800.png and reminder-390x844.png; docs/screenshots/reminder.png
is the first.
"""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.utils import timezone
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, Membership, Notification, Post
from tests.e2e.test_browser_composer import jpeg_file
from tests.e2e.test_browser_flow import ZONE, log_in, next_whole_minute
from tests.factories import MembershipFactory, UserFactory, WorkspaceFactory

S = Delivery.State
pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]
CAPTION = "Cardamom buns, fresh at 7. Come early!"


@pytest.fixture
def admin(transactional_db: None, settings: Any, tmp_path: Path) -> Membership:
    settings.MEDIA_ROOT = tmp_path / "media"
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    return MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role="owner"
    )


def test_a_snapchat_post_is_posted_by_hand_from_its_reminder(
    live_server: Any, admin: Membership, page: Page, tmp_path: Path, screenshots: Path | None
) -> None:
    base = live_server.url
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    log_in(page, base)

    # 1. Add the profile by hand: a name and a username, no sign-in.
    page.goto(f"{base}/accounts/")
    row = page.locator("li.network-row[data-network=snapchat]")
    row.get_by_label("Profile name").fill("Acme Bakery")
    row.get_by_label("Username").fill("acmebakery")
    row.get_by_role("button", name="Add a Snapchat profile").click()
    expect(page.locator(".msg")).to_have_text(
        "Added Acme Bakery. SMO will remind you to post to it by hand."
    )
    account = SocialAccount.objects.get(network="snapchat")
    expect(page.locator(f"#account-{account.pk} [data-testid=publishing-reminder]")).to_be_visible()
    if screenshots is not None:
        page.screenshot(path=screenshots / "accounts-snapchat-1280x800.png", full_page=True)

    # 2. Schedule a photo to it.
    page.goto(f"{base}/compose/")
    page.get_by_role("checkbox", name="Acme Bakery").check()
    page.get_by_label("Text", exact=True).fill(CAPTION)
    page.locator("#media-file").set_input_files(str(jpeg_file(tmp_path)))
    expect(page.locator(".media-chip")).to_have_count(1)
    expect(page.locator(".meter[data-network=snapchat]")).to_have_class("meter")
    page.get_by_role("radio", name="Schedule").check()
    when = next_whole_minute(timezone.now(), at_least=timedelta(minutes=2))
    local = when.astimezone(ZoneInfo(ZONE))
    page.get_by_label("Date", exact=True).fill(local.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill(local.strftime("%H:%M"))
    page.get_by_role("button", name="Save").click()
    post = Post.objects.get()
    expect(page).to_have_url(f"{base}/posts/{post.pk}/")
    expect(page.get_by_test_id("post-status")).to_have_attribute("data-state", "scheduled")
    page.goto(f"{base}/calendar/?view=week&date={local:%Y-%m-%d}")
    chip = page.locator(f".cal-chip[data-post='{post.pk}']")
    expect(chip).to_have_class(re.compile(r"\bcal-reminder\b"))
    expect(chip.get_by_test_id("reminder-label")).to_have_text("Reminder")
    if screenshots is not None:
        page.screenshot(path=screenshots / "calendar-reminder-1280x800.png", full_page=True)

    # 3. Its time comes: the engine's due work sends a reminder instead of posting.
    delivery = Delivery.objects.get()
    with time_machine.travel(when + timedelta(seconds=1), tick=False):
        assert engine.dispatch_due() == 1
        assert engine.publish(delivery.pk) == "reminder"
    assert [m.subject for m in mail.outbox] == [
        f"[SMO] Time to post “{CAPTION}” on Acme Bakery by hand."
    ]
    assert Notification.objects.get().url == f"/reminders/{delivery.pk}/"

    # 4. Open it from the notification.
    page.goto(f"{base}/")
    expect(page.get_by_test_id("open-reminders-count")).to_have_text("1")
    page.get_by_test_id("bell").click()
    page.get_by_role("link", name=re.compile("Time to post")).click()
    expect(page).to_have_url(f"{base}/reminders/{delivery.pk}/")
    expect(page.get_by_role("heading", name="Post this on Snapchat by hand")).to_be_visible()
    expect(page.get_by_label("Caption")).to_have_value(CAPTION)
    image = page.locator(".reminder-media img")
    expect(image).to_have_attribute("alt", "")
    # The preview loads after the page; wait for it rather than read it mid-load.
    loaded = image.element_handle()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=loaded)
    assert page.evaluate("img => img.naturalWidth", loaded) == 1080
    download = page.get_by_test_id("media-download")
    expect(download).to_have_text("Download buns.jpg")
    with page.expect_download() as saved:
        download.click()
    assert saved.value.suggested_filename == "buns.jpg"

    # 5. Copy the caption.
    page.get_by_role("button", name="Copy").click()
    expect(page.locator(".copy-status")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == CAPTION
    if screenshots is not None:
        page.screenshot(path=screenshots / "reminder-1280x800.png", full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=screenshots / "reminder-390x844.png", full_page=True)
        page.set_viewport_size({"width": 1280, "height": 800})

    # 6. Posted by hand: say so, with its address.
    address = "https://www.snapchat.com/@acmebakery/spotlight/W7_EDlXWTBiXAEEniNoMPwAAYb2Vz"
    page.get_by_label("Address of the post (optional)").fill(address)
    page.get_by_role("button", name="Mark as posted").click()
    expect(page.locator(".msg")).to_have_text("Marked as posted on Acme Bakery.")
    expect(page.get_by_test_id("delivery-state")).to_have_attribute("data-state", "published")
    expect(page.get_by_role("button", name="Mark as posted")).to_have_count(0)
    delivery.refresh_from_db()
    assert (delivery.state, delivery.external_url) == (S.PUBLISHED, address)
    assert delivery.published_at is not None
    page.goto(f"{base}/")
    expect(page.get_by_test_id("open-reminders-count")).to_have_count(0)

"""The evergreen queue in a real browser, on the sandbox network.

A post goes out on the sandbox; its author marks it evergreen on its page, adds a
posting time and turns evergreen on on the queue page, clicks "Fill now", and sees
the recycled copy in the queue; at its slot the copy goes out on the sandbox too.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_evergreen.py

saves evergreen-post-*.png and evergreen-queue-*.png at 1280x800 and 390x844.
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

from channels.models import SandboxPost, SocialAccount
from scheduler import engine, posts
from scheduler.models import Delivery, Membership, Post, Role
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
ZONE = ZoneInfo("Europe/Stockholm")
VIEWPORTS = [(1280, 800), (390, 844)]
S = Delivery.State

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
    return MembershipFactory(
        user=UserFactory(username="owner", timezone=ZONE.key), workspace=workspace, role=Role.OWNER
    )


def publish_now(delivery: Delivery) -> None:
    """What the worker does for a due delivery, here in the test's own process."""
    assert engine.transition(delivery.pk, S.SCHEDULED, S.QUEUED)
    assert engine.publish(delivery.pk) == "published"


def shoot(page: Page, folder: Path | None, name: str) -> None:
    if folder is None:
        return
    for width, height in VIEWPORTS:
        page.set_viewport_size({"width": width, "height": height})
        page.screenshot(path=str(folder / f"{name}-{width}x{height}.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})


@pytest.mark.timeout(120)
def test_mark_evergreen_turn_it_on_and_fill_the_queue(
    live_server: Any, owner: Membership, page: Page, screenshots: Path | None
) -> None:
    account = SandboxAccountFactory(workspace=owner.workspace, name="Acme Sandbox", handle="acme")
    # It went out a month ago, longer ago than the gap chosen below.
    with time_machine.travel(timezone.now() - timedelta(days=30), tick=False):
        original = posts.create_post(
            owner,
            posts.PostInput(
                text="Cardamom buns every Friday", accounts=[account], publish_now=True
            ),
        )
        publish_now(original.deliveries.get())

    base = live_server.url
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill("owner")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base}/")

    page.goto(f"{base}/posts/{original.pk}/")
    page.get_by_role("button", name="Mark evergreen").click()
    expect(page.locator(".msg")).to_contain_text("Marked evergreen")
    expect(page.get_by_role("button", name="Stop recycling (evergreen)")).to_be_visible()
    shoot(page, screenshots, "evergreen-post")

    page.get_by_role("link", name="See it on the queue page").click()
    expect(page).to_have_url(f"{base}/queue/")
    card = page.get_by_test_id("queue-account")
    tomorrow = timezone.localtime(timezone.now(), ZONE) + timedelta(days=1)
    card.get_by_label("Day").select_option(str(tomorrow.weekday()))
    card.get_by_label("Time", exact=True).fill("09:00")
    card.get_by_role("button", name="Add time").click()

    section = page.get_by_test_id("evergreen")
    expect(section.get_by_test_id("evergreen-post")).to_contain_text("Cardamom buns every Friday")
    expect(section.get_by_role("button", name="Fill now")).to_have_count(0)  # off until turned on
    section.get_by_label("Recycle evergreen posts").check()
    section.get_by_label("Minimum gap").fill("0")
    section.get_by_role("button", name="Save").click()
    # A gap of 0 is refused, with what was typed kept.
    expect(section.locator(".field-errors")).to_contain_text("greater than or equal to 1")
    expect(section.get_by_label("Recycle evergreen posts")).to_be_checked()
    section.get_by_label("Minimum gap").fill("14")
    section.get_by_role("button", name="Save").click()
    expect(page.locator(".msg")).to_contain_text("Evergreen settings saved for Acme Sandbox.")

    section.get_by_role("button", name="Fill now").click()
    expect(page.locator(".msg")).to_contain_text("Recycled 1 evergreen post into the queue.")
    recycled = card.get_by_test_id("queued-post")
    expect(recycled).to_have_count(1)
    expect(recycled).to_contain_text("Cardamom buns every Friday")
    expect(recycled.locator(".recycled")).to_have_text("♻ Recycled")
    expect(section.get_by_test_id("evergreen-post").locator("td").nth(1)).to_have_text("1")
    shoot(page, screenshots, "evergreen-queue")

    copy = Post.objects.get(evergreen_of=original)
    nine = tomorrow.replace(hour=9, minute=0, second=0, microsecond=0)
    assert (copy.scheduled_at, copy.from_queue) == (nine, True)
    delivery = copy.deliveries.get()
    with time_machine.travel(nine + timedelta(seconds=1), tick=False):
        publish_now(delivery)
    assert (
        SandboxPost.objects.filter(
            account_ref=SocialAccount.objects.get(pk=account.pk).external_id,
            text="Cardamom buns every Friday",
        ).count()
        == 2
    )

"""What a person does in a real browser: log in, schedule a post, watch it go out.

Headless chromium (Playwright) against pytest-django's live server on 127.0.0.1; the first
test also runs a real Celery worker and beat against the same test database. See
tests/e2e/conftest.py for the browser set-up and why DJANGO_ALLOW_ASYNC_UNSAFE is on.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_flow.py

saves a full-page screenshot of every page at each viewport into that folder;
docs/screenshot-dashboard.png and docs/screenshot-compose.png are its
dashboard-1280x800.png and compose-1280x800.png.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from channels.models import SandboxPost, SocialAccount
from scheduler.models import Campaign, Delivery, DeliveryAttempt, Membership, Post, Role
from tests.e2e.workers import celery_worker_and_beat
from tests.factories import MembershipFactory, SandboxAccountFactory, UserFactory, WorkspaceFactory

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
ZONE = "Europe/Stockholm"

pytestmark = [
    pytest.mark.django_db(transaction=True),
    # pytest-playwright's own base_url fixture, under pytest 9; nothing to do with SMO.
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture(autouse=True)
def sent() -> None:
    """Override the recording fixture: here the engine sends real tasks."""


@pytest.fixture
def admin(transactional_db: None) -> Membership:
    """`admin` owns the Acme workspace, which has one sandbox account."""
    workspace = WorkspaceFactory(name="Acme", timezone=ZONE)
    membership = MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role=Role.OWNER
    )
    SandboxAccountFactory(workspace=workspace, name="Acme Sandbox", handle="acme")
    return membership


def log_in(page: Page, base_url: str, username: str = "admin") -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def next_whole_minute(now: datetime, at_least: timedelta) -> datetime:
    """The first whole minute at least `at_least` after `now` (the form has minute precision)."""
    minute = (now + at_least).replace(second=0, microsecond=0)
    return minute if minute >= now + at_least else minute + timedelta(minutes=1)


def next_dst_gap(zone: ZoneInfo, after: datetime) -> datetime:
    """A naive wall-clock time that does not exist in `zone`: 30 minutes into its next gap."""
    step = timedelta(minutes=30)
    at = after.astimezone(UTC).replace(minute=0, second=0, microsecond=0)
    for _ in range(2 * 366 * 48):  # two years of half hours
        before, after_step = (
            at.astimezone(zone).utcoffset(),
            (at + step).astimezone(zone).utcoffset(),
        )
        assert before is not None and after_step is not None
        if after_step > before:
            # The clocks jump at `at + step`; the wall clock reads its old-offset time
            # there, and the next (after_step - before) of wall time never happens.
            return (at + step + before).replace(tzinfo=None) + timedelta(minutes=30)
        at += step
    raise AssertionError(f"{zone.key} has no DST gap in the next two years")


# --- 1. The acceptance path ---------------------------------------------------------------

STATUS_IS_PUBLISHED = """() => {
  const status = document.querySelector('[data-testid="post-status"]');
  return status && status.dataset.state === "published" ? Date.now() : false;
}"""


@pytest.mark.timeout(240)
def test_person_schedules_a_post_and_sees_it_published_on_the_sandbox_feed(
    live_server: Any, admin: Membership, page: Page, tmp_path: Path
) -> None:
    base = live_server.url
    text = f"Fresh cardamom buns at 7, see you there! ({secrets.token_hex(3)})"
    zone = ZoneInfo(admin.user.timezone)
    with celery_worker_and_beat(tmp_path) as logs:
        log_in(page, base)
        page.locator(".page-head").get_by_role("link", name="New post").click()
        expect(page).to_have_url(f"{base}/compose/")
        page.get_by_label("Text", exact=True).fill(text)
        page.get_by_role("checkbox", name="Acme Sandbox").check()
        page.get_by_role("radio", name="Schedule").check()
        # Ten seconds leave time to save and see "scheduled" before the minute comes.
        when = next_whole_minute(timezone.now(), at_least=timedelta(seconds=10))
        local = when.astimezone(zone)
        page.get_by_label("Date", exact=True).fill(local.strftime("%Y-%m-%d"))
        page.get_by_label("Time", exact=True).fill(local.strftime("%H:%M"))
        page.get_by_role("button", name="Save").click()

        expect(page).to_have_url(re.compile(rf"^{re.escape(base)}/posts/\d+/$"))
        post = Post.objects.get()
        assert page.url == f"{base}/posts/{post.pk}/"
        expect(page.get_by_test_id("post-status")).to_have_attribute("data-state", "scheduled")
        assert timezone.now() < when, "saved too late to see the post wait for its minute"
        assert (post.text, post.scheduled_at) == (text, when)

        wait_ms = ((when - timezone.now()).total_seconds() + 15) * 1000
        try:
            flipped_ms = page.wait_for_function(
                STATUS_IS_PUBLISHED, polling=50, timeout=wait_ms
            ).json_value()
        except PlaywrightError:
            states = list(Delivery.objects.values_list("state", "last_error"))
            pytest.fail(
                f"the post page never showed published; deliveries {states}\n"
                f"worker log:\n{logs['worker'].read_text(errors='replace')[-4000:]}"
            )
    delay = flipped_ms / 1000 - when.timestamp()
    assert 0 <= delay < 3, delay

    page.get_by_role("link", name="Sandbox feed").click()
    expect(page).to_have_url(f"{base}/sandbox/")
    entries = page.get_by_test_id("feed-entry").filter(has_text=text)
    expect(entries).to_have_count(1)
    expect(entries.locator("p")).to_have_text(text)
    delivery = Delivery.objects.get()
    assert (delivery.state, delivery.attempts) == ("published", 1)
    assert SandboxPost.objects.filter(text=text).count() == 1
    print(
        f"\nscheduled for {local:%H:%M} {zone.key}: published "
        f"{(delivery.published_at - when).total_seconds() * 1000:.0f} ms after the minute, "
        f"shown on the post page after {delay * 1000:.0f} ms"
    )


# --- 2. Bad input: the form says what is wrong, where, and keeps what was typed -------------


def submit(page: Page) -> int:
    """Press Save and return the status code of the page that answered."""
    with page.expect_navigation() as answer:
        page.get_by_role("button", name="Save").click()
    response = answer.value
    assert response is not None and response.request.method == "POST"
    return response.status


def test_composer_keeps_what_was_typed_and_names_each_problem_when_the_time_is_past_and_the_text_too_long(
    live_server: Any, admin: Membership, page: Page
) -> None:
    text = ("Our spring menu is here: cardamom buns, rhubarb cold brew. " * 9)[:501]
    yesterday = timezone.localtime(timezone.now() - timedelta(days=1), ZoneInfo(ZONE))
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/compose/")
    page.get_by_label("Text", exact=True).fill(text)
    meter = page.locator(".meter[data-network=sandbox]")
    expect(meter.locator(".meter-count")).to_have_text("501 / 500")
    expect(meter).to_have_class("meter over blocked")
    page.get_by_role("checkbox", name="Acme Sandbox").check()
    page.get_by_role("radio", name="Schedule").check()
    page.get_by_label("Date", exact=True).fill(yesterday.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill(yesterday.strftime("%H:%M"))

    assert submit(page) == 400

    # Each message sits right after the field it is about, and describes it.
    too_long = "Acme Sandbox: Sandbox allows 500 characters; this text has 501."
    past = "This time is in the past. Pick a time from now on, or publish now."
    expect(page.locator("#id_text ~ #id_text_error > #id_text_errors")).to_have_text(too_long)
    expect(page.locator("#id_time ~ #id_time_error > #id_time_errors")).to_have_text(past)
    expect(page.get_by_label("Text", exact=True)).to_have_accessible_description(too_long)
    expect(page.get_by_label("Time", exact=True)).to_have_accessible_description(past)
    expect(page.get_by_role("alert")).to_have_count(2)
    # What was typed is still there.
    expect(page.get_by_label("Text", exact=True)).to_have_value(text)
    expect(page.get_by_role("checkbox", name="Acme Sandbox")).to_be_checked()
    expect(page.get_by_role("radio", name="Schedule")).to_be_checked()
    expect(page.get_by_label("Date", exact=True)).to_have_value(yesterday.strftime("%Y-%m-%d"))
    expect(page.get_by_label("Time", exact=True)).to_have_value(yesterday.strftime("%H:%M"))
    expect(meter.locator(".meter-count")).to_have_text("501 / 500")
    assert (Post.objects.count(), Delivery.objects.count()) == (0, 0)


def test_composer_keeps_text_and_names_the_problem_when_the_time_is_in_a_dst_gap(
    live_server: Any, admin: Membership, page: Page
) -> None:
    gap = next_dst_gap(ZoneInfo(ZONE), after=timezone.now())
    text = "Clocks go forward tonight: we open at 8 as usual, just an hour sleepier."
    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/compose/")
    page.get_by_label("Text", exact=True).fill(text)
    page.get_by_role("checkbox", name="Acme Sandbox").check()
    page.get_by_label("Date", exact=True).fill(gap.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill(gap.strftime("%H:%M"))

    assert submit(page) == 400

    no_such_time = (
        f"{gap:%Y-%m-%d %H:%M} does not exist in {ZONE}: the clocks move forward at that time "
        "(daylight saving). Pick another time."
    )
    expect(page.locator("#id_time ~ #id_time_error > #id_time_errors")).to_have_text(no_such_time)
    expect(page.get_by_label("Time", exact=True)).to_have_accessible_description(no_such_time)
    expect(page.get_by_label("Time", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_role("alert")).to_have_count(1)
    expect(page.get_by_label("Text", exact=True)).to_have_value(text)
    expect(page.get_by_role("checkbox", name="Acme Sandbox")).to_be_checked()
    expect(page.get_by_label("Date", exact=True)).to_have_value(gap.strftime("%Y-%m-%d"))
    expect(page.get_by_label("Time", exact=True)).to_have_value(gap.strftime("%H:%M"))
    assert Post.objects.count() == 0


# --- 3. Every page fits a laptop and a phone ----------------------------------------------


@dataclass
class Demo:
    """A workspace that looks lived in: posts waiting, published, failed and drafted."""

    membership: Membership
    post_page: Post
    feed_entry: SandboxPost


def _delivery(
    post: Post,
    account: SocialAccount,
    state: str,
    *,
    attempts: Sequence[tuple[str, str, str]] = (),
    **fields: Any,
) -> Delivery:
    """A delivery in `state`, with one attempt row per (outcome, detail, network code)."""
    delivery = Delivery.objects.create(
        post=post,
        account=account,
        state=state,
        scheduled_at=post.scheduled_at,
        due_at=post.scheduled_at if state == "scheduled" else None,
        attempts=len(attempts),
        **fields,
    )
    for number, (outcome, detail, code) in enumerate(attempts, start=1):
        started = (post.scheduled_at or timezone.now()) + timedelta(seconds=30 * (number - 1) ** 2)
        DeliveryAttempt.objects.create(
            delivery=delivery,
            number=number,
            worker="celery@smo-1",
            started_at=started,
            finished_at=started + timedelta(milliseconds=240),
            outcome=outcome,
            detail=detail,
            network_code=code,
        )
    return delivery


def _published(post: Post, account: SocialAccount, base_url: str) -> SandboxPost:
    assert post.scheduled_at is not None
    entry = SandboxPost.objects.create(
        account_ref=account.external_id,
        text=post.text,
        created_at=post.scheduled_at + timedelta(milliseconds=180),
    )
    _delivery(
        post,
        account,
        "published",
        attempts=[("published", "", "")],
        external_id=str(entry.public_id),
        external_url=f"{base_url}/sandbox/posts/{entry.public_id}/",
        published_at=entry.created_at,
    )
    return entry


@pytest.fixture
def demo(transactional_db: None, live_server: Any) -> Demo:
    zone = ZoneInfo(ZONE)
    workspace = WorkspaceFactory(name="Northwind Coffee", timezone=ZONE)
    admin = MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE), workspace=workspace, role=Role.OWNER
    )
    lina = UserFactory(username="lina", timezone=ZONE)
    MembershipFactory(user=lina, workspace=workspace, role=Role.EDITOR)
    cafe = SandboxAccountFactory(
        workspace=workspace, name="Northwind Coffee", handle="northwindcoffee"
    )
    roastery = SandboxAccountFactory(
        workspace=workspace, name="Northwind Roastery", handle="northwind_roastery"
    )
    spring = Campaign.objects.create(workspace=workspace, name="Spring menu", color="#16a34a")
    hiring = Campaign.objects.create(workspace=workspace, name="Hiring", color="#db2777")

    now = timezone.now().replace(second=0, microsecond=0)
    today = timezone.localtime(now, zone).replace(hour=0, minute=0)

    def post(
        text: str, when: datetime | None, author: Any = admin.user, campaign: Campaign | None = None
    ) -> Post:
        return Post.objects.create(
            workspace=workspace, author=author, campaign=campaign, text=text, scheduled_at=when
        )

    # Waiting for their time.
    menu = post(
        "Our spring menu lands on Monday: cardamom buns, rhubarb cold brew and a new "
        "single-origin from Huila. See you at the counter!",
        now + timedelta(hours=2, minutes=15),
        campaign=spring,
    )
    _delivery(menu, cafe, "scheduled")
    _delivery(menu, roastery, "scheduled")
    jobs = post(
        "We're hiring baristas for the Södermalm shop. Weekend shifts, training included. "
        "Apply by 15 December at northwind.example/jobs",
        today + timedelta(days=1, hours=9),
        author=lina,
        campaign=hiring,
    )
    _delivery(jobs, cafe, "scheduled")
    roast = post(
        "Roast day! This week's batch: Ethiopia Guji, washed. Bergamot, peach, black tea.",
        today + timedelta(days=3, hours=12, minutes=30),
        author=lina,
    )
    _delivery(roast, roastery, "scheduled")

    # Went out.
    thanks = post(
        "Thank you for 10,000 followers! Tomorrow's first coffee is on us: just say 'northwind' at the till.",
        now - timedelta(minutes=50),
    )
    feed_entry = _published(thanks, cafe, live_server.url)
    _published(
        post(
            "Fresh batch of Kenya Nyeri just out of the roaster. Juicy, blackcurrant, bright.",
            now - timedelta(days=1, hours=3),
            author=lina,
        ),
        roastery,
        live_server.url,
    )
    _published(
        post(
            "Rainy Tuesday = cinnamon bun Tuesday. Two for one until noon.",
            now - timedelta(days=2, hours=5),
            campaign=spring,
        ),
        cafe,
        live_server.url,
    )

    # Went out on one account and not the other: the post page shows both stories.
    latte = post(
        "Latte art evening this Friday at 18:00! Bring a friend, we bring the milk. Free entry, "
        "sign up at the counter or reply here. Our head barista Amira will show the tulip, the "
        "rosetta and, if you are brave, the swan.",
        now - timedelta(hours=3, minutes=10),
        campaign=spring,
    )
    _published(latte, cafe, live_server.url)
    _delivery(
        latte,
        roastery,
        "failed",
        attempts=[
            ("transient", "Sandbox: simulated temporary error (nothing was posted).", "503"),
            ("transient", "Sandbox: simulated temporary error (nothing was posted).", "503"),
            ("permanent", "Sandbox: simulated refusal of this post.", "422"),
        ],
        failures=3,
        last_error="Sandbox: simulated refusal of this post.",
    )

    # Not scheduled yet.
    idea = post(
        "Idea: a behind-the-scenes thread on how we choose green coffee at origin.",
        None,
        author=lina,
    )
    _delivery(idea, cafe, "draft")

    return Demo(membership=admin, post_page=latte, feed_entry=feed_entry)


VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_every_page_fits_the_screen_without_scrolling_sideways(
    live_server: Any,
    demo: Demo,
    new_context: Any,
    viewport: dict[str, int],
    screenshots: Path | None,
) -> None:
    page: Page = new_context(viewport=viewport).new_page()
    base = live_server.url
    size = f"{viewport['width']}x{viewport['height']}"
    too_wide: dict[str, tuple[int, int]] = {}

    def look(name: str) -> None:
        page.wait_for_load_state()
        page.evaluate("document.fonts.ready")
        scroll_width, inner_width = page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth]"
        )
        if scroll_width > inner_width:
            too_wide[name] = (scroll_width, inner_width)
        if screenshots is not None:
            page.screenshot(
                path=screenshots / f"{name}-{size}.png", full_page=True, animations="disabled"
            )

    page.goto(f"{base}/login/")
    look("login")
    log_in(page, base)
    look("dashboard")

    page.goto(f"{base}/compose/")
    page.get_by_label("Text", exact=True).fill(
        "Our spring menu lands on Monday: cardamom buns, rhubarb cold brew and a new single-origin "
        "from Huila. See you at the counter!"
    )
    page.get_by_role("checkbox", name="Northwind Coffee").check()
    page.get_by_label("Campaign").select_option(label="Spring menu")
    page.get_by_label("Text", exact=True).focus()
    look("compose")

    gap = next_dst_gap(ZoneInfo(ZONE), after=timezone.now())
    page.get_by_label("Date", exact=True).fill(gap.strftime("%Y-%m-%d"))
    page.get_by_label("Time", exact=True).fill(gap.strftime("%H:%M"))
    assert submit(page) == 400
    look("compose-errors")

    page.goto(f"{base}/posts/{demo.post_page.pk}/")
    expect(page.get_by_test_id("post-status")).to_have_attribute(
        "data-state", "partially_published"
    )
    expect(page.get_by_test_id("post-status")).to_have_text("Partly published")
    look("post")

    page.goto(f"{base}/sandbox/")
    expect(page.get_by_test_id("feed-entry")).to_have_count(4)
    look("sandbox-feed")

    page.goto(f"{base}/sandbox/posts/{demo.feed_entry.public_id}/")
    look("sandbox-post")

    assert too_wide == {}

"""The calendar in a real browser: drag a post to another day, open it, and fit every screen.

    SMO_SCREENSHOTS=/tmp/smo-shots pytest tests/e2e/test_browser_calendar.py

saves calendar-{month,week,list}-{1280x800,390x844}.png into that folder, and the same
in Swedish as calendar-*-sv-*.png.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone
from playwright.sync_api import Page, expect

from channels.models import SocialAccount
from scheduler.models import Audience, Delivery, Membership, Post, Role
from tests.factories import (
    CampaignFactory,
    DeliveryFactory,
    MembershipFactory,
    PostFactory,
    SandboxAccountFactory,
    UserFactory,
    WorkspaceFactory,
)

PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
ZONE = ZoneInfo("Europe/Stockholm")
S = Delivery.State
VIEWPORTS = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.filterwarnings("ignore:Session-scoped fixtures defined as instance methods"),
]


@pytest.fixture
def owner(transactional_db: None) -> Membership:
    workspace = WorkspaceFactory(name="Northwind Coffee", timezone=ZONE.key)
    return MembershipFactory(
        user=UserFactory(username="admin", timezone=ZONE.key), workspace=workspace, role=Role.OWNER
    )


def local(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), ZONE)


def post(
    owner: Membership, text: str, when: datetime, accounts: list[SocialAccount], **kw: Any
) -> Post:
    states = kw.pop("states", [S.SCHEDULED] * len(accounts))
    made = PostFactory(
        workspace=owner.workspace, author=owner.user, text=text, scheduled_at=when, **kw
    )
    for account, state in zip(accounts, states, strict=True):
        DeliveryFactory(post=made, account=account, state=state)
    return made


def log_in(page: Page, base_url: str) -> None:
    page.goto(f"{base_url}/login/")
    page.get_by_label("Username").fill("admin")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(f"{base_url}/")


def test_person_drags_a_post_to_another_day_and_opens_it(
    live_server: Any, owner: Membership, page: Page
) -> None:
    account = SandboxAccountFactory(workspace=owner.workspace, name="Northwind")
    today = timezone.now().astimezone(ZONE).date()
    day = today + timedelta(days=3)
    # Stay inside the month grid's week: from Sunday, go back a day instead.
    target = day - timedelta(days=1) if day.weekday() == 6 else day + timedelta(days=1)
    moving = post(owner, "Cardamom buns are back on Friday", local(day, 10, 15), [account])

    log_in(page, live_server.url)
    page.get_by_role("link", name="Calendar").click()
    page.goto(f"{live_server.url}/calendar/?date={day:%Y-%m-%d}")
    chip = page.locator(f'.cal-chip[data-post="{moving.pk}"]')
    expect(page.locator(f'.cal-day[data-date="{day:%Y-%m-%d}"]').locator(chip)).to_be_visible()

    chip.drag_to(page.locator(f'.cal-day[data-date="{target:%Y-%m-%d}"]'))

    moved_chip = page.locator(
        f'.cal-day[data-date="{target:%Y-%m-%d}"] .cal-chip[data-post="{moving.pk}"]'
    )
    expect(moved_chip).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("Moved to")
    expect(page.locator(f'.cal-day[data-date="{day:%Y-%m-%d}"] .chip')).to_have_count(0)
    wanted = local(target, 10, 15)
    assert list(moving.deliveries.values_list("scheduled_at", "due_at")) == [(wanted, wanted)]

    moved_chip.click()
    expect(page).to_have_url(f"{live_server.url}/posts/{moving.pk}/")
    expect(page.get_by_text("Cardamom buns are back on Friday").first).to_be_visible()


def test_a_refused_move_says_why(live_server: Any, owner: Membership, page: Page) -> None:
    # A Wednesday, so yesterday and tomorrow are both in the week on screen.
    wednesday = datetime(2026, 12, 2, 12, tzinfo=ZONE)
    with time_machine.travel(wednesday, tick=True):
        account = SandboxAccountFactory(workspace=owner.workspace)
        today = wednesday.date()
        day = today + timedelta(days=1)
        moving = post(owner, "Tomorrow's news", local(day, 9), [account])
        yesterday = today - timedelta(days=1)

        log_in(page, live_server.url)
        page.goto(f"{live_server.url}/calendar/?view=week&date={day:%Y-%m-%d}")
        target = page.locator(f'.cal-slot[data-date="{yesterday:%Y-%m-%d}"][data-hour="9"]')
        page.locator(f'.cal-chip[data-post="{moving.pk}"]').drag_to(target)

        expect(page.get_by_role("status")).to_contain_text("This time is in the past.")
    assert moving.deliveries.get().scheduled_at == local(day, 9)


def test_the_month_on_screen_downloads_as_csv_and_icalendar(
    live_server: Any, owner: Membership, page: Page
) -> None:
    account = SandboxAccountFactory(workspace=owner.workspace, name="Northwind Café")
    today = timezone.now().astimezone(ZONE).date()
    made = post(owner, "Cardamom buns, Friday", local(today, 23, 30), [account])

    log_in(page, live_server.url)
    page.goto(f"{live_server.url}/calendar/?view=month&date={today:%Y-%m-%d}")
    with page.expect_download() as csv_download:
        page.get_by_role("link", name="CSV", exact=True).click()
    rows = Path(csv_download.value.path()).read_text(encoding="utf-8-sig").splitlines()
    assert len(rows) == 2 and "Cardamom buns, Friday" in rows[1]
    with page.expect_download() as ics_download:
        page.get_by_role("link", name="iCalendar").click()
    ics = Path(ics_download.value.path()).read_text(encoding="utf-8")
    assert ics.startswith("BEGIN:VCALENDAR") and ics.count("BEGIN:VEVENT") == 1
    delivery = made.deliveries.get()
    assert f"UID:delivery-{delivery.pk}@" in ics


def _demo(owner: Membership) -> None:
    """A realistic fortnight: campaigns, two networks, each state the calendar shows."""
    cafe = SandboxAccountFactory(workspace=owner.workspace, name="Northwind Café")
    x = SandboxAccountFactory(workspace=owner.workspace, name="Northwind on X", network="x")
    spring = CampaignFactory(workspace=owner.workspace, name="Spring menu", color="#16a34a")
    tasting = CampaignFactory(workspace=owner.workspace, name="Tasting night", color="#e11d48")
    today = timezone.now().astimezone(ZONE).date()
    plan = [
        (
            -6,
            9,
            "Our Huila single origin is in: bright, juicy, red apple.",
            [S.PUBLISHED] * 2,
            spring,
        ),
        (-3, 8, "Early birds: oat flat white at half price until nine.", [S.FAILED], None),
        (
            -1,
            16,
            "Thank you for a packed tasting night!",
            [S.PUBLISHED, S.NEEDS_ATTENTION],
            tasting,
        ),
        (
            0,
            18,
            "Tonight: latte art throwdown, sign up at the counter.",
            [S.SCHEDULED] * 2,
            tasting,
        ),
        (1, 7, "Cardamom buns are back tomorrow morning.", [S.SCHEDULED], spring),
        (1, 12, "Rhubarb cold brew: what should we call it?", [S.AWAITING_APPROVAL], spring),
        (2, 10, "Meet Lina, our new head roaster.", [S.SCHEDULED] * 2, None),
        (4, 15, "Weekend hours: 8 to 18, both days.", [S.SCHEDULED], None),
        (4, 19, "Tasting night tickets are live.", [S.SCHEDULED, S.AWAITING_APPROVAL], tasting),
        (9, 11, "Spring menu preview for members.", [S.SCHEDULED], spring),
    ]
    made = {}
    for offset, hour, text, states, campaign in plan:
        accounts = [cafe, x][: len(states)]
        made[text] = post(
            owner,
            text,
            local(today + timedelta(days=offset), hour),
            accounts,
            states=states,
            campaign=campaign,
        )
    # Two audience variants of one post: one chip ("+2 variants"), indented in the list.
    parent = made["Meet Lina, our new head roaster."]
    for name, hour in (("Norway", 11), ("Finland", 9)):
        audience = Audience.objects.create(workspace=owner.workspace, name=name, timezone=ZONE.key)
        post(
            owner,
            f"Meet Lina ({name})",
            local(today + timedelta(days=2), hour),
            [cafe],
            variant_of=parent,
            audience=audience,
        )


# Swedish dates are shorter, English times longer ("10:00 AM"): both must fit.
VARIANTS = {"en": ("", "+2 variants"), "sv": ("-sv", "+2 varianter")}


@pytest.mark.parametrize("language", VARIANTS.keys())
@pytest.mark.parametrize("viewport", VIEWPORTS.values(), ids=VIEWPORTS.keys())
def test_every_calendar_view_fits_the_screen(
    live_server: Any,
    owner: Membership,
    new_context: Any,
    viewport: dict[str, int],
    language: str,
    screenshots: Path | None,
) -> None:
    _demo(owner)
    owner.user.language = language
    owner.user.save(update_fields=["language"])
    suffix, two_variants = VARIANTS[language]
    page: Page = new_context(viewport=viewport).new_page()
    size = f"{viewport['width']}x{viewport['height']}"
    log_in(page, live_server.url)
    too_wide = {}
    for view in ("month", "week", "list"):
        page.goto(f"{live_server.url}/calendar/?view={view}")
        expect(page.locator(".cal-chip, .cal-row").first).to_be_visible()
        expect(
            page.locator(".cal-day.today, .cal-week-day.today, .list-day.today").first
        ).to_be_visible()
        width, inner = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
        if width > inner:
            too_wide[view] = (width, inner)
        if view != "list":
            expect(page.locator(".cal-variants").first).to_have_text(two_variants)
        else:
            expect(page.locator(".cal-variant")).to_have_count(2)
        if screenshots is not None:
            page.screenshot(
                path=screenshots / f"calendar-{view}{suffix}-{size}.png",
                full_page=True,
                animations="disabled",
            )
    assert too_wide == {}

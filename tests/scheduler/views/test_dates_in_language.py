"""Pages show dates in the person's language: English month first and 12-hour, Swedish
day first and 24-hour. The clock and the zone stay the person's (Stockholm here)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from scheduler.models import Delivery, DeliveryAttempt, Post
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory, PostFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
# NOW is Wednesday 25 Nov 2026, 15:00 in Stockholm.
TOMORROW_1330 = datetime(2026, 11, 26, 13, 30, tzinfo=UTC)  # 14:30 in Stockholm


def person(cast: Cast, language: str) -> Client:
    user = cast.editor.user
    user.language = language
    user.save(update_fields=["language"])
    client = Client()
    client.force_login(user)
    return client


def scheduled(cast: Cast, account, when: datetime) -> Post:  # type: ignore[no-untyped-def]
    post = PostFactory(workspace=cast.workspace, scheduled_at=when, author=cast.editor.user)
    DeliveryFactory(post=post, account=account, state=S.SCHEDULED)
    return post


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                '<h2 class="cal-title">November 2026</h2>',
                'aria-label="Thursday, November 26"',
                '<span class="cal-day-label">Thu, Nov 26</span>',
                'datetime="2026-11-26T14:30:00+01:00">2:30\u00a0PM</time>',
            ],
        ),
        (
            "sv",
            [
                '<h2 class="cal-title">November 2026</h2>',
                'aria-label="torsdag 26 november"',
                '<span class="cal-day-label">Tors 26 nov</span>',
                'datetime="2026-11-26T14:30:00+01:00">14:30</time>',
            ],
        ),
    ],
)
def test_the_month(cast: Cast, account, language: str, expected: list[str]) -> None:
    scheduled(cast, account, TOMORROW_1330)
    html = person(cast, language).get("/calendar/").content.decode()
    assert [e for e in expected if e not in html] == []


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        (
            "en",
            [
                "Nov 23 \u2013 Nov 29, 2026</h2>",
                '<h3 class="cal-day-name">Thu, Nov 26',
                '<span class="cal-hour-label">8\u00a0AM</span>',
                '<span class="cal-hour-label">2\u00a0PM</span>',
            ],
        ),
        (
            "sv",
            [
                "23 nov \u2013 29 nov 2026</h2>",
                '<h3 class="cal-day-name">Tors 26 nov',
                '<span class="cal-hour-label">08:00</span>',
                '<span class="cal-hour-label">14:00</span>',
            ],
        ),
    ],
)
def test_the_week(cast: Cast, account, language: str, expected: list[str]) -> None:
    scheduled(cast, account, TOMORROW_1330)
    html = person(cast, language).get("/calendar/?view=week").content.decode()
    assert [e for e in expected if e not in html] == []


@pytest.mark.parametrize(
    ("language", "heading"),
    [("en", "Thursday, November 26"), ("sv", "Torsdag 26 november")],
)
def test_the_list_capitalises_its_day_headings(
    cast: Cast, account, language: str, heading: str
) -> None:
    scheduled(cast, account, TOMORROW_1330)
    html = person(cast, language).get("/calendar/?view=list").content.decode()
    assert f'<h3 class="cal-day-name">{heading}</h3>' in html


@pytest.mark.parametrize(
    ("language", "message"),
    [("en", "Moved to Sat, Nov 28, 2:30\u00a0PM."), ("sv", "Flyttat till lör 28 nov 14:30.")],
)
def test_the_move_message(cast: Cast, account, language: str, message: str) -> None:
    post = scheduled(cast, account, TOMORROW_1330)
    response = person(cast, language).post(
        f"/calendar/posts/{post.pk}/move/",
        {"date": "2026-11-28", "time": "14:30", "next": "/calendar/"},
        follow=True,
    )
    assert message in response.content.decode()


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", ["Thu, Nov 26, 2026, 2:30\u00a0PM", "<td>1</td><td>3:00:00\u00a0PM</td>"]),
        ("sv", ["tors 26 nov 2026 14:30", "<td>1</td><td>15:00:00</td>"]),
    ],
)
def test_the_post_page(cast: Cast, account, language: str, expected: list[str]) -> None:
    post = scheduled(cast, account, TOMORROW_1330)
    DeliveryAttempt.objects.create(
        delivery=post.deliveries.get(), number=1, started_at=NOW, finished_at=NOW
    )
    html = person(cast, language).get(f"/posts/{post.pk}/").content.decode()
    assert [e for e in expected if e not in html] == []

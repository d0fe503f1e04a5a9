"""Moving a post on the calendar: drag and drop (htmx-style POST) and the "Move to…" form."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler.models import Delivery, Post
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
# NOW is Wednesday 25 Nov 2026, 15:00 in Stockholm.
TOMORROW_0930 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Stockholm
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def scheduled(
    cast: Cast, accounts: list[SocialAccount], when: datetime, state: str = S.SCHEDULED
) -> Post:
    post = PostFactory(workspace=cast.workspace, scheduled_at=when, author=cast.editor.user)
    for account in accounts:
        DeliveryFactory(post=post, account=account, state=state)
    return post


def times(post: Post) -> list[tuple[str, datetime | None, datetime | None]]:
    return list(post.deliveries.order_by("id").values_list("state", "scheduled_at", "due_at"))


def test_dropping_on_a_day_keeps_the_time_of_day_and_rerenders_the_calendar(
    cast: Cast, account
) -> None:
    other = SandboxAccountFactory(workspace=cast.workspace, network="x")
    post = scheduled(cast, [account, other], TOMORROW_0930)
    query = f"view=month&account={account.pk}"

    response = signed_in(cast).post(
        f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-28", "calendar": query}, **HTMX
    )

    assert response.status_code == 200
    moved = datetime(2026, 11, 28, 9, 30, tzinfo=UTC)
    assert times(post) == [(S.SCHEDULED, moved, moved), (S.SCHEDULED, moved, moved)]
    post.refresh_from_db()
    assert post.scheduled_at == moved
    html = response.content.decode()
    assert html.startswith('<div id="calendar-body"')
    assert f'data-query="view=month&amp;account={account.pk}"' in html
    assert 'data-moved="Moved to Sat, Nov 28, 10:30\u00a0AM."' in html
    day = html[html.index('data-date="2026-11-28"') :]
    assert f'data-post="{post.pk}"' in day[: day.index("</section>")]


def test_dropping_on_an_hour_keeps_the_minutes(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)

    response = signed_in(cast).post(
        f"/calendar/posts/{post.pk}/move/",
        {"date": "2026-11-27", "hour": "18", "calendar": "view=week"},
        **HTMX,
    )

    assert response.status_code == 200
    at = datetime(2026, 11, 27, 17, 30, tzinfo=UTC)  # 18:30 in Stockholm
    assert times(post) == [(S.SCHEDULED, at, at)]
    assert 'data-hour="18"' in response.content.decode()


def test_the_move_form_works_without_javascript(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    client = signed_in(cast)

    page = client.get(f"/calendar/posts/{post.pk}/move/?next=/calendar/%3Fview%3Dlist")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="date" required value="2026-11-26"' in html
    assert 'name="time" required value="10:30"' in html
    assert 'name="next" value="/calendar/?view=list"' in html

    response = client.post(
        f"/calendar/posts/{post.pk}/move/",
        {"date": "2026-12-02", "time": "08:05", "next": "/calendar/?view=list"},
        follow=True,
    )

    assert response.redirect_chain == [("/calendar/?view=list", 302)]
    at = datetime(2026, 12, 2, 7, 5, tzinfo=UTC)
    assert times(post) == [(S.SCHEDULED, at, at)]
    assert "Moved to Wed, Dec 2, 8:05\u00a0AM." in response.content.decode()


def test_the_form_ignores_a_next_address_on_another_site(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    response = signed_in(cast).post(
        f"/calendar/posts/{post.pk}/move/",
        {"date": "2026-12-02", "time": "08:05", "next": "https://evil.example/"},
    )
    assert response["Location"] == "/calendar/"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (
            {"date": "2026-11-24"},
            "This time is in the past. Pick a time from now on, or publish now.",
        ),
        ({"date": "2026-11-25", "time": "14:58"}, "This time is in the past."),
        ({"date": "next tuesday"}, "Pick a day to move the post to."),
        (
            {"date": "2026-12-01", "time": "25:00"},
            "Give the time as hours and minutes, like 14:30.",
        ),
        (
            {"date": "2027-03-28", "time": "02:30"},
            "2027-03-28 02:30 does not exist in Europe/Stockholm: the clocks move forward",
        ),
        (
            {"date": "2027-10-31", "time": "02:30"},
            "2027-10-31 02:30 happens twice in Europe/Stockholm (the clocks go back).",
        ),
    ],
)
def test_times_that_cannot_be_used_are_refused_with_the_reason(
    cast: Cast, account, data: dict[str, str], message: str
) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    before = times(post)

    response = signed_in(cast).post(f"/calendar/posts/{post.pk}/move/", data, **HTMX)

    assert response.status_code == 400
    assert response["Content-Type"] == "text/plain"
    assert message in response.content.decode()
    assert times(post) == before


def test_a_refusal_without_javascript_shows_the_form_again_with_the_reason(
    cast: Cast, account
) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    response = signed_in(cast).post(
        f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-20", "time": "09:00"}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert '<p class="errors" role="alert">This time is in the past.' in html
    assert 'value="2026-11-20"' in html


@pytest.mark.parametrize(
    ("state", "message"),
    [
        (S.PUBLISHED, "This post has already been published; it cannot move."),
        (S.PUBLISHING, "This post is being published right now; it cannot move."),
        (S.UNKNOWN, "This post is being published right now; it cannot move."),
        (S.FAILED, "Nothing in this post can move"),
    ],
)
def test_posts_out_or_on_their_way_out_cannot_move(
    cast: Cast, account, state: str, message: str
) -> None:
    post = scheduled(cast, [account], TOMORROW_0930, state=state)
    response = signed_in(cast).post(
        f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-28"}, **HTMX
    )
    assert response.status_code == 409
    assert message in response.content.decode()
    assert times(post) == [(state, TOMORROW_0930, TOMORROW_0930)]


def test_a_cancelled_post_cannot_move(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930, state=S.CANCELLED)
    post.cancelled_at = TOMORROW_0930
    post.save()
    response = signed_in(cast).post(
        f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-28"}, **HTMX
    )
    assert response.status_code == 409
    assert response.content.decode() == "This post was cancelled; it cannot move."


def test_viewers_may_not_move_posts(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    client = signed_in(cast, "viewer")
    assert client.get(f"/calendar/posts/{post.pk}/move/").status_code == 403
    response = client.post(f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-28"}, **HTMX)
    assert response.status_code == 403
    assert times(post) == [(S.SCHEDULED, TOMORROW_0930, TOMORROW_0930)]


def test_posts_of_another_workspace_are_not_found(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    response = signed_in(cast, "outsider").post(
        f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-28"}, **HTMX
    )
    assert response.status_code == 404
    assert times(post) == [(S.SCHEDULED, TOMORROW_0930, TOMORROW_0930)]


def test_a_contributors_post_awaiting_approval_still_awaits_it_after_a_move(
    cast: Cast, account
) -> None:
    post = scheduled(cast, [account], TOMORROW_0930, state=S.AWAITING_APPROVAL)
    Delivery.objects.filter(post=post).update(due_at=None)

    response = signed_in(cast, "contributor").post(
        f"/calendar/posts/{post.pk}/move/", {"date": "2026-11-30"}, **HTMX
    )

    assert response.status_code == 200
    at = datetime(2026, 11, 30, 9, 30, tzinfo=UTC)
    assert times(post) == [(S.AWAITING_APPROVAL, at, None)]

"""The calendar's month, week and list views: what shows where, filters, time zones, queries."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler.models import Delivery, Post
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
# NOW is Wednesday 25 Nov 2026, 15:00 in Stockholm.
TOMORROW_0930 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Stockholm


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def scheduled(
    cast: Cast,
    accounts: list[SocialAccount],
    when: datetime | None,
    state: str = S.SCHEDULED,
    **fields: object,
) -> Post:
    fields.setdefault("author", cast.editor.user)
    post = PostFactory(workspace=cast.workspace, scheduled_at=when, **fields)
    for account in accounts:
        DeliveryFactory(post=post, account=account, state=state)
    return post


def chips(html: str) -> list[str]:
    """The post ids of the chips on the page, in order."""
    return re.findall(r'class="cal-chip campaign"[^>]*data-post="(\d+)"', html)


def day_html(html: str, day: str) -> str:
    start = html.index(f'data-date="{day}"')
    return html[start : html.index("</section>", start)]


@pytest.fixture
def x_account(cast: Cast) -> SocialAccount:
    return SandboxAccountFactory(workspace=cast.workspace, network="x", name="Acme on X")


def test_calendar_needs_a_login(cast: Cast) -> None:
    response = Client().get("/calendar/")
    assert response.status_code == 302
    assert response["Location"] == "/login/?next=/calendar/"


def test_month_shows_one_chip_per_post_with_each_network_state_and_campaign_colour(
    cast: Cast, account, x_account
) -> None:
    campaign = CampaignFactory(workspace=cast.workspace, name="Launch", color="#e11d48")
    post = scheduled(cast, [account, x_account], TOMORROW_0930, text="Big news", campaign=campaign)

    html = signed_in(cast).get("/calendar/").content.decode()

    assert chips(html) == [str(post.pk)]
    cell = day_html(html, "2026-11-26")
    assert "--c: #e11d48" in cell
    assert (
        '<time class="cal-chip-time" datetime="2026-11-26T10:30:00+01:00">10:30\u00a0AM</time>'
        in cell
    )
    assert 'class="net net-sandbox"' in cell and 'class="net net-x"' in cell
    assert cell.count('class="badge state-scheduled"') == 1
    assert f'href="/posts/{post.pk}/"' in cell
    assert f'data-move="/calendar/posts/{post.pk}/move/"' in cell
    assert '<h2 class="cal-title">November 2026</h2>' in html


def test_a_post_with_mixed_states_shows_a_badge_for_each(cast: Cast, account, x_account) -> None:
    post = scheduled(cast, [], TOMORROW_0930)
    DeliveryFactory(post=post, account=account, state=S.PUBLISHED)
    DeliveryFactory(post=post, account=x_account, state=S.FAILED)

    cell = day_html(signed_in(cast).get("/calendar/").content.decode(), "2026-11-26")

    assert 'class="badge state-published">Published<' in cell
    assert 'class="badge state-failed">Failed<' in cell
    assert "data-move=" not in cell  # nothing left to move


def test_drafts_and_cancelled_posts_are_not_on_the_calendar(cast: Cast, account) -> None:
    scheduled(cast, [account], None, state=S.DRAFT)
    scheduled(cast, [account], TOMORROW_0930, state=S.CANCELLED)
    shown = scheduled(cast, [account], TOMORROW_0930, state=S.AWAITING_APPROVAL)

    html = signed_in(cast).get("/calendar/").content.decode()

    assert chips(html) == [str(shown.pk)]
    assert 'class="badge state-awaiting_approval">Awaiting approval<' in html


def test_today_is_highlighted_in_the_persons_zone(cast: Cast) -> None:
    html = signed_in(cast).get("/calendar/").content.decode()
    assert re.search(r'class="cal-day today[^"]*" data-drop data-date="2026-11-25"', html)
    assert html.count("cal-day today") == 1


def test_times_and_days_follow_the_persons_time_zone(cast: Cast, account) -> None:
    late = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)  # 22:00 on the 25th in New York
    post = scheduled(cast, [account], late)
    user = cast.editor.user
    user.timezone = "America/New_York"
    user.save()

    html = signed_in(cast).get("/calendar/").content.decode()

    assert f'data-post="{post.pk}"' in day_html(html, "2026-11-25")
    assert ">10:00\u00a0PM</time>" in html
    assert "Times in America/New_York." in html


def test_previous_and_next_keep_the_view_and_filters(cast: Cast, account) -> None:
    html = signed_in(cast).get(f"/calendar/?view=week&account={account.pk}").content.decode()

    assert f'href="?view=week&amp;account={account.pk}&amp;date=2026-11-16" rel="prev"' in html
    assert f'href="?view=week&amp;account={account.pk}&amp;date=2026-11-30" rel="next"' in html
    assert f'href="?view=list&amp;account={account.pk}"' in html
    assert f"/calendar/export.csv?view=week&amp;account={account.pk}" in html


def test_next_month_shows_that_months_posts(cast: Cast, account) -> None:
    december = scheduled(cast, [account], datetime(2026, 12, 15, 12, 0, tzinfo=UTC))
    scheduled(cast, [account], TOMORROW_0930)

    html = signed_in(cast).get("/calendar/?date=2026-12-01").content.decode()

    assert chips(html) == [str(december.pk)]
    assert '<h2 class="cal-title">December 2026</h2>' in html


@pytest.mark.parametrize("name", ["account", "campaign", "state", "author"])
def test_each_filter_narrows_the_calendar(cast: Cast, account, x_account, name: str) -> None:
    campaign = CampaignFactory(workspace=cast.workspace)
    wanted = scheduled(cast, [x_account], TOMORROW_0930, S.AWAITING_APPROVAL, campaign=campaign)
    wanted.author = cast.contributor.user
    wanted.save()
    scheduled(cast, [account], TOMORROW_0930)
    value = {
        "account": x_account.pk,
        "campaign": campaign.pk,
        "state": S.AWAITING_APPROVAL,
        "author": cast.contributor.user.pk,
    }[name]

    html = signed_in(cast).get(f"/calendar/?{name}={value}").content.decode()

    assert chips(html) == [str(wanted.pk)]
    assert f'<option value="{value}" selected>' in html


def test_week_view_places_posts_by_hour(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    early = scheduled(cast, [account], datetime(2026, 11, 27, 5, 15, tzinfo=UTC))  # 06:15

    html = signed_in(cast).get("/calendar/?view=week").content.decode()

    slot = re.search(r'data-date="2026-11-26" data-hour="10">(.*?)</div>', html, re.S)
    assert slot and f'data-post="{post.pk}"' in slot.group(1)
    slot = re.search(r'data-date="2026-11-27" data-hour="6">(.*?)</div>', html, re.S)
    assert slot and f'data-post="{early.pk}"' in slot.group(1)
    assert '<span class="cal-hour-label">6\u00a0AM</span>' in html  # the day widened to fit
    assert "Nov 23 \u2013 Nov 29, 2026" in html


def test_list_view_lists_the_months_posts_by_day_with_a_move_link(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930, text="Listed")

    html = signed_in(cast).get("/calendar/?view=list").content.decode()

    assert 'id="day-2026-11-25"' in html  # today, even when empty
    assert 'id="day-2026-11-26"' in html
    assert "Listed" in html
    assert f'href="/calendar/posts/{post.pk}/move/?next=/calendar/%3Fview%3Dlist"' in html


def test_viewers_see_the_calendar_but_cannot_move_posts(cast: Cast, account) -> None:
    post = scheduled(cast, [account], TOMORROW_0930)
    html = signed_in(cast, "viewer").get("/calendar/").content.decode()
    assert chips(html) == [str(post.pk)]
    assert "draggable" not in html
    list_html = signed_in(cast, "viewer").get("/calendar/?view=list").content.decode()
    assert "Move to…" not in list_html


def test_other_workspaces_posts_are_not_shown(cast: Cast, account) -> None:
    other = SandboxAccountFactory(workspace=cast.outsider.workspace)
    post = PostFactory(workspace=cast.outsider.workspace, scheduled_at=TOMORROW_0930)
    DeliveryFactory(post=post, account=other)
    assert chips(signed_in(cast).get("/calendar/").content.decode()) == []


def test_a_busy_day_shows_a_few_posts_and_links_to_the_rest(cast: Cast, account) -> None:
    for minute in range(6):
        scheduled(cast, [account], TOMORROW_0930 + timedelta(minutes=minute))
    cell = day_html(signed_in(cast).get("/calendar/").content.decode(), "2026-11-26")
    assert len(chips(cell)) == 4
    assert "+2 more" in cell


def many_posts(cast: Cast, accounts: list[SocialAccount], count: int) -> None:
    posts = Post.objects.bulk_create(
        PostFactory.build(
            workspace=cast.workspace,
            author=cast.editor.user,
            scheduled_at=TOMORROW_0930 + timedelta(hours=i % 100),
        )
        for i in range(count)
    )
    Delivery.objects.bulk_create(
        Delivery(post=p, account=a, state=S.SCHEDULED, scheduled_at=p.scheduled_at)
        for p in posts
        for a in accounts
    )


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_the_calendar_makes_as_many_queries_for_1000_posts_as_for_10(
    cast: Cast, account, x_account, view: str, django_assert_num_queries
) -> None:
    client = signed_in(cast)
    CampaignFactory(workspace=cast.workspace)
    many_posts(cast, [account, x_account], 10)
    client.get("/calendar/")  # the session and the workspace are warm from here on
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/calendar/?view={view}").status_code == 200
    many_posts(cast, [account, x_account], 990)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(f"/calendar/?view={view}")
    assert response.status_code == 200
    assert Delivery.objects.count() == 2000

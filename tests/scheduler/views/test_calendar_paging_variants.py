"""The calendar's list pages, the week's busy hours, audience variants and the import link."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from channels.models import SocialAccount
from scheduler.models import Audience, Delivery, Post
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]
# NOW is Wednesday 25 Nov 2026, 15:00 in Stockholm.
TOMORROW_0930 = datetime(2026, 11, 26, 9, 30, tzinfo=UTC)  # 10:30 in Stockholm
DEC_1 = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def chips(html: str) -> list[str]:
    return re.findall(r'class="cal-chip campaign"[^>]*data-post="(\d+)"', html)


def rows(html: str) -> list[str]:
    """The post ids of the list's rows, in order."""
    return re.findall(r'class="row-main campaign"[^>]*data-post="(\d+)"', html)


def many(
    cast: Cast, account: SocialAccount, count: int, start: datetime, step: timedelta
) -> list[Post]:
    posts = Post.objects.bulk_create(
        PostFactory.build(workspace=cast.workspace, scheduled_at=start + i * step)
        for i in range(count)
    )
    Delivery.objects.bulk_create(
        Delivery(post=p, account=account, state=S.SCHEDULED, scheduled_at=p.scheduled_at)
        for p in posts
    )
    return posts


def with_variants(
    cast: Cast, account: SocialAccount, when: datetime, n: int = 2
) -> tuple[Post, list[Post]]:
    parent = PostFactory(workspace=cast.workspace, scheduled_at=when, text="Parent post")
    DeliveryFactory(post=parent, account=account)
    variants = []
    for i in range(n):
        audience, _ = Audience.objects.get_or_create(
            workspace=cast.workspace, name=f"Audience {i}", defaults={"timezone": "UTC"}
        )
        variant = PostFactory(
            workspace=cast.workspace,
            scheduled_at=when + timedelta(hours=i + 1),
            variant_of=parent,
            audience=audience,
            text=f"Variant {i}",
        )
        DeliveryFactory(post=variant, account=account)
        variants.append(variant)
    return parent, variants


# --- The list, a page at a time ------------------------------------------------------


def test_the_list_shows_100_posts_a_page_with_next_and_previous(cast: Cast, account) -> None:
    posts = many(cast, account, 250, DEC_1, timedelta(minutes=30))
    client = signed_in(cast)

    first = client.get("/calendar/?view=list&date=2026-12-01").content.decode()
    second = client.get("/calendar/?view=list&date=2026-12-01&page=2").content.decode()
    third = client.get("/calendar/?view=list&date=2026-12-01&page=3").content.decode()

    assert rows(first) == [str(p.pk) for p in posts[:100]]
    assert rows(second) == [str(p.pk) for p in posts[100:200]]
    assert rows(third) == [str(p.pk) for p in posts[200:]]
    assert "Posts 1\u2013100 of 250 (page 1 of 3)" in first
    assert "Posts 201\u2013250 of 250 (page 3 of 3)" in third
    assert 'href="?view=list&amp;date=2026-12-01&amp;page=2" rel="next"' in first
    assert 'rel="prev"' not in first.split('class="cal-pager"')[1].split("</nav>")[0]
    assert 'href="?view=list&amp;date=2026-12-01&amp;page=1" rel="prev"' in second
    assert 'href="?view=list&amp;date=2026-12-01&amp;page=3" rel="next"' in second
    assert "Next page" not in third


def test_paging_keeps_the_filters_and_moving_comes_back_to_the_page(cast: Cast, account) -> None:
    other = SandboxAccountFactory(workspace=cast.workspace)
    posts = many(cast, account, 150, DEC_1, timedelta(minutes=30))
    many(cast, other, 150, DEC_1, timedelta(minutes=30))

    html = (
        signed_in(cast)
        .get(f"/calendar/?view=list&date=2026-12-01&account={account.pk}&page=2")
        .content.decode()
    )

    assert rows(html) == [str(p.pk) for p in posts[100:]]
    assert f'href="?view=list&amp;date=2026-12-01&amp;account={account.pk}&amp;page=1"' in html
    assert (
        f"?next=/calendar/%3Fview%3Dlist%26date%3D2026-12-01%26account%3D{account.pk}%26page%3D2"
    ) in html
    # Another month, another view or a new filter starts again at the first page.
    assert f'href="?view=list&amp;date=2027-01-01&amp;account={account.pk}" rel="next"' in html
    assert f'href="?view=month&amp;date=2026-12-01&amp;account={account.pk}"' in html


def test_a_page_out_of_range_shows_the_nearest(cast: Cast, account) -> None:
    posts = many(cast, account, 120, DEC_1, timedelta(minutes=30))
    client = signed_in(cast)
    assert rows(client.get("/calendar/?view=list&date=2026-12-01&page=9").content.decode()) == [
        str(p.pk) for p in posts[100:]
    ]
    assert rows(client.get("/calendar/?view=list&date=2026-12-01&page=0").content.decode()) == [
        str(p.pk) for p in posts[:100]
    ]


def test_without_a_page_the_list_opens_where_the_date_asked_for_is(cast: Cast, account) -> None:
    posts = many(cast, account, 240, DEC_1, timedelta(hours=2))  # 12 a day, 1 to 20 Dec

    html = signed_in(cast).get("/calendar/?view=list&date=2026-12-10").content.decode()

    assert "(page 2 of 3)" in html
    assert rows(html) == [str(p.pk) for p in posts[100:200]]
    assert 'id="day-2026-12-10"' in html


def test_a_busy_days_more_link_opens_the_list_page_of_that_day(cast: Cast, account) -> None:
    many(cast, account, 240, DEC_1, timedelta(hours=2))
    client = signed_in(cast)

    month = client.get("/calendar/?date=2026-12-01").content.decode()
    link = re.search(r'class="cal-more" href="([^"]*date=2026-12-15[^"]*)"', month)
    assert link is not None
    assert link.group(1) == "?date=2026-12-15&amp;view=list#day-2026-12-15"

    page = client.get("/calendar/?date=2026-12-15&view=list").content.decode()
    assert 'id="day-2026-12-15"' in page
    assert "(page 2 of 3)" in page  # posts 169 to 180 of 240


def test_today_shows_on_the_list_page_that_covers_it(cast: Cast, account) -> None:
    many(cast, account, 150, datetime(2026, 11, 1, 8, tzinfo=UTC), timedelta(hours=2))  # to 13 Nov
    client = signed_in(cast)

    last = client.get("/calendar/?view=list&page=2").content.decode()
    first = client.get("/calendar/?view=list&page=1").content.decode()

    assert 'id="day-2026-11-25"' in last  # the last page runs to the end of the month
    assert 'id="day-2026-11-25"' not in first


def test_the_week_shows_two_posts_an_hour_then_links_to_the_rest(cast: Cast, account) -> None:
    many(cast, account, 5, TOMORROW_0930, timedelta(minutes=5))

    html = signed_in(cast).get("/calendar/?view=week").content.decode()

    slot = re.search(r'data-date="2026-11-26" data-hour="10">(.*?)</div>', html, re.S)
    assert slot is not None
    assert len(chips(slot.group(1))) == 2
    assert "+3 more</a>" in slot.group(1)
    assert 'href="?view=list&amp;date=2026-11-26#day-2026-11-26"' in slot.group(1)


@pytest.mark.parametrize("view", ["month", "week", "list"])
def test_the_calendar_makes_as_many_queries_with_variants_and_pages(
    cast: Cast, account, view: str, django_assert_num_queries
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = signed_in(cast)
    with_variants(cast, account, TOMORROW_0930)
    client.get("/calendar/")
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/calendar/?view={view}").status_code == 200
    many(cast, account, 400, TOMORROW_0930, timedelta(minutes=1))
    for _ in range(20):
        with_variants(cast, account, TOMORROW_0930 + timedelta(hours=3))
    with django_assert_num_queries(len(few.captured_queries)):
        assert client.get(f"/calendar/?view={view}").status_code == 200


# --- Audience variants ---------------------------------------------------------------


def test_variants_fold_into_their_posts_chip(cast: Cast, account) -> None:
    parent, _variants = with_variants(cast, account, TOMORROW_0930)

    for view in ("month", "week"):
        html = signed_in(cast).get(f"/calendar/?view={view}").content.decode()
        assert chips(html) == [str(parent.pk)], view
        assert (
            '<span class="cal-variants" title="Audience 0 11:30\u00a0AM, Audience 1 12:30\u00a0PM">+2 variants</span>'
            in html
        )


def test_the_list_indents_variants_under_their_post(cast: Cast, account) -> None:
    other = PostFactory(
        workspace=cast.workspace, scheduled_at=TOMORROW_0930 + timedelta(minutes=30)
    )
    DeliveryFactory(post=other, account=account)
    parent, variants = with_variants(cast, account, TOMORROW_0930)

    html = signed_in(cast).get("/calendar/?view=list").content.decode()

    # The variants come right after their post, before the post at 11:00.
    assert rows(html) == [str(parent.pk), str(variants[0].pk), str(variants[1].pk), str(other.pk)]
    assert html.count('class="row cal-row cal-variant"') == 2
    assert "Variant for Audience 0" in html
    assert "Posts 1\u2013" not in html  # one page: no pager


def test_a_variant_on_another_day_stays_with_its_post_and_says_its_day(cast: Cast, account) -> None:
    parent, (variant,) = with_variants(cast, account, TOMORROW_0930, n=1)
    Delivery.objects.filter(post=variant).update(scheduled_at=TOMORROW_0930 + timedelta(days=1))

    html = signed_in(cast).get("/calendar/?view=list").content.decode()

    assert rows(html) == [str(parent.pk), str(variant.pk)]
    assert 'id="day-2026-11-27"' not in html
    assert ">Fri, Nov 27, 10:30\u00a0AM</time>" in html


def test_a_variant_whose_post_is_not_shown_gets_a_chip_of_its_own(cast: Cast, account) -> None:
    _parent, (variant,) = with_variants(cast, account, TOMORROW_0930, n=1)
    campaign = CampaignFactory(workspace=cast.workspace)
    Post.objects.filter(pk=variant.pk).update(campaign=campaign)

    html = signed_in(cast).get(f"/calendar/?campaign={campaign.pk}").content.decode()

    assert chips(html) == [str(variant.pk)]
    assert "Variant for Audience 0" in html


def test_variants_count_as_one_post_on_a_list_page(cast: Cast, account) -> None:
    many(cast, account, 99, DEC_1, timedelta(minutes=1))
    parent, variants = with_variants(cast, account, DEC_1 + timedelta(hours=5), n=3)
    last = many(cast, account, 1, DEC_1 + timedelta(hours=9), timedelta(0))

    client = signed_in(cast)
    first = client.get("/calendar/?view=list&date=2026-12-01").content.decode()
    second = client.get("/calendar/?view=list&date=2026-12-01&page=2").content.decode()

    assert rows(first)[-4:] == [str(parent.pk)] + [str(v.pk) for v in variants]
    assert "Posts 1\u2013100 of 101" in first
    assert rows(second) == [str(last[0].pk)]


# --- Import link -----------------------------------------------------------------------


def test_the_export_buttons_link_to_the_csv_import(cast: Cast) -> None:
    html = signed_in(cast, "contributor").get("/calendar/").content.decode()
    assert '<a class="cal-import" href="/posts/import/">Import from CSV</a>' in html
    assert "Import from CSV" not in signed_in(cast, "viewer").get("/calendar/").content.decode()

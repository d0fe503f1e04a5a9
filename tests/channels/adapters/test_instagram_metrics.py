"""Instagram analytics: media read fifty at a time with their insights, views as
impressions, gone media skipped, old media without insights, the account's
followers, through facebook-sdk against the fake Graph API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.instagram import InstagramAdapter
from channels.adapters.metrics import PostMetrics
from channels.adapters.session import build_session
from tests.fakes.clock import NOW, Clock
from tests.fakes.graph import FakeGraph, buc_header, graph_error

TOKEN = "page-token-acme"
CREDS = base.Credentials("1789", "acmebakery", {"access_token": TOKEN}, options={"page_id": "1001"})
FIELDS = "like_count,comments_count,media_type,media_product_type"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeGraph]:
    with FakeGraph(now=clock) as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN, instagram=("1789", "acmebakery"))
        yield fake
        assert fake.crashes == []


def adapter(fake: FakeGraph, clock: Clock) -> InstagramAdapter:
    return InstagramAdapter(fake.config(now=clock), build_session(1.0))


def fetch(fake: FakeGraph, clock: Clock, *ids: str) -> list[PostMetrics]:
    return list(adapter(fake, clock).fetch_metrics(CREDS, list(ids)))


def media(fake: FakeGraph, caption: str = "Fresh bread #bakery", kind: str = "") -> str:
    item = fake.add_media("1789", caption)
    if kind:
        item["media_type"], item["media_product_type"] = "VIDEO", kind
    return str(item["id"])


def test_the_network_says_what_it_gives() -> None:
    support = InstagramAdapter.metrics
    assert support.figures == {
        m.IMPRESSIONS,
        m.REACH,
        m.LIKES,
        m.COMMENTS,
        m.SHARES,
        m.SAVES,
        m.VIDEO_VIEWS,
    }
    assert m.LINK_CLICKS not in support.figures
    assert support.followers and support.interval == timedelta(hours=1)
    assert "no link clicks" in str(support.note)


def test_an_images_figures_come_mapped_from_one_lookup(fake: FakeGraph, clock: Clock) -> None:
    photo = media(fake)
    fake.set_metrics(
        photo, like_count=120, comments_count=14, views=2300, reach=1800, saved=22, shares=9
    )

    [figures] = fetch(fake, clock, photo)

    assert figures == PostMetrics(
        external_id=photo,
        impressions=2300,
        reach=1800,
        likes=120,
        comments=14,
        shares=9,
        saves=22,
        video_views=None,
        link_clicks=None,
    )
    [call] = fake.requests
    assert (call.path, call.token) == ("/", TOKEN)
    assert call.params == {
        "ids": photo,
        "fields": f"{FIELDS},insights.metric(views,reach,saved,shares)",
    }


def test_a_reels_views_are_its_video_views(fake: FakeGraph, clock: Clock) -> None:
    reel = media(fake, "Kneading", kind="REELS")
    fake.set_metrics(reel, like_count=40, views=5100, reach=3900)

    [figures] = fetch(fake, clock, reel)

    assert (figures.impressions, figures.video_views, figures.reach) == (5100, 5100, 3900)


def test_what_instagram_leaves_out_stays_none(fake: FakeGraph, clock: Clock) -> None:
    photo = media(fake)
    fake.set_metrics(photo, like_count=3, reach=50)

    [figures] = fetch(fake, clock, photo)

    assert figures == PostMetrics(photo, reach=50, likes=3)


def test_fifty_media_a_call_and_gone_ones_are_skipped(fake: FakeGraph, clock: Clock) -> None:
    ids = [media(fake, f"Loaf {n}") for n in range(120)]
    for n, media_id in enumerate(ids):
        fake.set_metrics(media_id, like_count=n)
    gone = {ids[3], ids[77]}
    fake.media[:] = [item for item in fake.media if item["id"] not in gone]

    found = fetch(fake, clock, *ids)

    assert [f.external_id for f in found] == [i for i in ids if i not in gone]
    assert found[3].likes == 4
    sizes = [len(c.params["ids"].split(",")) for c in fake.calls("GET", "/")]
    assert sizes == [50, 49, 50, 49, 20]


def test_media_from_before_the_professional_account_keeps_likes_and_comments(
    fake: FakeGraph, clock: Clock
) -> None:
    old, new = media(fake, "Old"), media(fake, "New")
    fake.set_metrics(old, like_count=7, comments_count=1, reach=99)
    fake.set_metrics(new, like_count=8, comments_count=2, reach=300, views=420)
    fake.no_insights = {old}

    found = {f.external_id: f for f in fetch(fake, clock, old, new)}

    assert found[old] == PostMetrics(old, likes=7, comments=1)
    assert found[new] == PostMetrics(new, impressions=420, reach=300, likes=8, comments=2)
    first, without = fake.calls("GET", "/")
    assert "insights.metric" in first.params["fields"]
    assert without.params["fields"] == FIELDS
    assert [c.path for c in fake.calls("GET", "/insights")] == [
        f"/{old}/insights",
        f"/{new}/insights",
    ]
    assert fake.calls("GET", "/insights")[0].params == {"metric": "views,reach,saved,shares"}


def test_a_rate_limit_waits_for_the_time_meta_gives(fake: FakeGraph, clock: Clock) -> None:
    photo = media(fake)
    fake.fail_next(
        400,
        graph_error(80002, "There have been too many calls to this Instagram account."),
        buc_header("1789", 12),
    )

    with pytest.raises(base.RateLimited) as raised:
        fetch(fake, clock, photo)

    assert raised.value.retry_at == NOW + timedelta(minutes=12)


def test_an_expired_token_needs_a_reconnect(fake: FakeGraph, clock: Clock) -> None:
    photo = media(fake)
    fake.expire_token(TOKEN)

    with pytest.raises(base.AuthExpired):
        fetch(fake, clock, photo)
    with pytest.raises(base.AuthExpired):
        adapter(fake, clock).fetch_followers(CREDS)


def test_followers_are_the_accounts_followers_count(fake: FakeGraph, clock: Clock) -> None:
    fake.set_followers("1789", 5120)

    assert adapter(fake, clock).fetch_followers(CREDS) == 5120
    [call] = fake.requests
    assert (call.path, call.params) == ("/1789", {"fields": "followers_count"})

"""Facebook Page analytics: posts and videos read in multi-id lookups with their
insights, deleted posts skipped, retired metrics survived, the Page's
followers, through facebook-sdk against the fake Graph API."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.facebook import FacebookAdapter
from channels.adapters.metrics import PostMetrics
from channels.adapters.session import build_session
from tests.fakes.clock import NOW, Clock
from tests.fakes.graph import FakeGraph, buc_header, graph_error
from tests.fakes.graph_wire import unsupported

TOKEN = "page-token-acme"
CREDS = base.Credentials("1001", "Acme Bakery", {"access_token": TOKEN})
POST_FIELDS = (
    "shares,reactions.summary(total_count).limit(0),"
    "comments.filter(stream).summary(total_count).limit(0)"
)
POST_METRICS = "post_impressions,post_impressions_unique,post_clicks_by_type"


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def fake(clock: Clock) -> Iterator[FakeGraph]:
    with FakeGraph(now=clock) as fake:
        fake.add_page("1001", "Acme Bakery", TOKEN)
        yield fake
        assert fake.crashes == []


def adapter(fake: FakeGraph, clock: Clock) -> FacebookAdapter:
    return FacebookAdapter(fake.config(now=clock), build_session(1.0))


def fetch(fake: FakeGraph, clock: Clock, *ids: str) -> list[PostMetrics]:
    return list(adapter(fake, clock).fetch_metrics(CREDS, list(ids)))


def post(fake: FakeGraph, text: str = "Fresh bread at 7.") -> str:
    return str(fake.add_post("1001", text)["id"])


def video(fake: FakeGraph, tmp_path: Path) -> str:
    """A video published through the adapter, its id as publish() returns it."""
    clip = tmp_path / "clip.mp4"
    clip.write_bytes(b"\0\0\0\x18ftypmp42" + b"\0" * 100)
    content = base.Content(
        "Kneading", media=(base.MediaItem(str(clip), "video/mp4", "video", 116),)
    )
    published = FacebookAdapter(fake.config(), build_session(1.0)).publish(
        CREDS, content, "k", base.Progress()
    )
    return published.external_id


def test_the_network_says_what_it_gives() -> None:
    support = FacebookAdapter.metrics
    assert support.figures == {
        m.IMPRESSIONS,
        m.REACH,
        m.LIKES,
        m.COMMENTS,
        m.SHARES,
        m.VIDEO_VIEWS,
        m.LINK_CLICKS,
    }
    assert support.followers and support.interval == timedelta(hours=1)
    assert "no saves" in str(support.note)


def test_a_posts_figures_come_mapped_from_one_lookup(fake: FakeGraph, clock: Clock) -> None:
    bread = post(fake)
    fake.set_metrics(
        bread,
        shares=4,
        reactions=31,
        comments=6,
        post_impressions=1200,
        post_impressions_unique=950,
        post_clicks_by_type={"link clicks": 17, "other clicks": 40},
    )

    [figures] = fetch(fake, clock, bread)

    assert figures == PostMetrics(
        external_id=bread,
        impressions=1200,
        reach=950,
        likes=31,
        comments=6,
        shares=4,
        saves=None,
        video_views=None,
        link_clicks=17,
    )
    [call] = fake.requests
    assert (call.method, call.path, call.token) == ("GET", "/", TOKEN)
    assert call.params == {
        "ids": bread,
        "fields": f"{POST_FIELDS},insights.metric({POST_METRICS})",
    }


def test_comments_count_replies_too(fake: FakeGraph, clock: Clock) -> None:
    bread = post(fake)
    first = fake.add_comment(bread, "Open on Sunday?", ("2001", "Mia"), NOW)
    fake.add_comment(first["id"], "Yes", ("1001", "Acme Bakery"), NOW)

    [figures] = fetch(fake, clock, bread)

    assert figures.comments == 2


def test_what_facebook_leaves_out_stays_none_and_unshared_is_zero(
    fake: FakeGraph, clock: Clock
) -> None:
    bread = post(fake)
    fake.set_metrics(bread, reactions=3, post_impressions=80)

    [figures] = fetch(fake, clock, bread)

    assert (figures.impressions, figures.reach, figures.link_clicks) == (80, None, None)
    assert (figures.likes, figures.comments, figures.shares) == (3, 0, 0)
    assert figures.saves is None and figures.video_views is None


def test_fifty_posts_a_call_and_a_deleted_one_is_skipped(fake: FakeGraph, clock: Clock) -> None:
    ids = [post(fake, f"Loaf number {n}") for n in range(60)]
    for n, post_id in enumerate(ids):
        fake.set_metrics(post_id, reactions=n)
    gone = ids[7]
    fake.posts[:] = [p for p in fake.posts if p["id"] != gone]

    found = fetch(fake, clock, *ids)

    assert [f.external_id for f in found] == [i for i in ids if i != gone]
    assert [f.likes for f in found][:8] == [0, 1, 2, 3, 4, 5, 6, 8]
    calls = fake.calls("GET", "/")
    # The first 50 once with the deleted id (803), once without; then the last 10.
    assert [len(c.params["ids"].split(",")) for c in calls] == [50, 49, 10]


def test_videos_are_read_with_video_insights_apart_from_posts(
    fake: FakeGraph, clock: Clock, tmp_path: Path
) -> None:
    clip = video(fake, tmp_path)
    bread = post(fake)
    fake.set_metrics(bread, reactions=5)
    fake.set_metrics(
        clip,
        reactions=12,
        comments=2,
        total_video_views=340,
        total_video_impressions=800,
        total_video_impressions_unique=610,
    )
    fake.requests.clear()

    found = {f.external_id: f for f in fetch(fake, clock, clip, bread)}

    assert found[clip] == PostMetrics(
        clip, impressions=800, reach=610, likes=12, comments=2, video_views=340
    )
    assert found[bread].likes == 5
    posts, videos = fake.calls("GET", "/")
    assert posts.params["ids"] == bread and videos.params["ids"] == clip
    assert videos.params["fields"] == (
        "reactions.summary(total_count).limit(0),"
        "comments.filter(stream).summary(total_count).limit(0),"
        "video_insights.metric(total_video_views,total_video_impressions,"
        "total_video_impressions_unique)"
    )


def test_retired_metrics_keep_likes_comments_and_shares(fake: FakeGraph, clock: Clock) -> None:
    ids = [post(fake, f"Loaf {n}") for n in range(5)]
    for post_id in ids:
        fake.set_metrics(post_id, reactions=9, shares=1, post_impressions=100)
    fake.retired_metrics = {"post_clicks_by_type"}

    found = fetch(fake, clock, *ids)

    assert [(f.likes, f.shares, f.impressions) for f in found] == [(9, 1, None)] * 5
    # The batch with insights, the batch without, then insights alone until
    # three in a row are refused: Graph refuses the metrics themselves.
    assert len(fake.calls("GET", "/")) == 2
    assert len(fake.calls("GET", "/insights")) == 3


def test_a_rate_limit_waits_for_the_time_facebook_gives(fake: FakeGraph, clock: Clock) -> None:
    fake.fail_next(
        400, graph_error(80001, "There have been too many calls"), buc_header("1001", 40)
    )

    with pytest.raises(base.RateLimited) as raised:
        fetch(fake, clock, post(fake))

    assert raised.value.retry_at == NOW + timedelta(minutes=40)
    assert raised.value.network_code == "400:80001"


def test_an_expired_token_needs_a_reconnect(fake: FakeGraph, clock: Clock) -> None:
    bread = post(fake)
    fake.expire_token(TOKEN)

    with pytest.raises(base.AuthExpired):
        fetch(fake, clock, bread)
    with pytest.raises(base.AuthExpired):
        adapter(fake, clock).fetch_followers(CREDS)


def test_a_server_error_is_transient(fake: FakeGraph, clock: Clock) -> None:
    fake.fail_next(500)

    with pytest.raises(base.Transient):
        fetch(fake, clock, post(fake))


def test_followers_are_the_pages_followers_count(fake: FakeGraph, clock: Clock) -> None:
    fake.set_followers("1001", 2480)

    assert adapter(fake, clock).fetch_followers(CREDS) == 2480
    [call] = fake.requests
    assert (call.path, call.params) == ("/1001", {"fields": "followers_count,fan_count"})


def test_nothing_asked_nothing_called(fake: FakeGraph, clock: Clock) -> None:
    assert fetch(fake, clock) == []
    assert fake.requests == []


def test_a_batch_refused_without_naming_the_gone_post_is_read_post_by_post(
    fake: FakeGraph, clock: Clock
) -> None:
    ids = [post(fake, f"Loaf {n}") for n in range(3)]
    for post_id in ids:
        fake.set_metrics(post_id, reactions=2, post_impressions=10)
    fake.posts[:] = [p for p in fake.posts if p["id"] != ids[1]]
    fake.fail_next(400, unsupported("GET", ids[1]).body)

    found = fetch(fake, clock, *ids)

    assert [(f.external_id, f.likes, f.impressions) for f in found] == [
        (ids[0], 2, 10),
        (ids[2], 2, 10),
    ]
    assert [c.path for c in fake.requests] == ["/", *(f"/{i}" for i in ids)]


def test_followers_fall_back_to_the_pages_likes(fake: FakeGraph, clock: Clock) -> None:
    fake.set_followers("1001", None, fans=300)  # Graph gave no followers_count

    assert adapter(fake, clock).fetch_followers(CREDS) == 300

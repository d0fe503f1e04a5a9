"""Threads analytics against FakeThreads: each post's insights mapped to SMO's
figures, partial answers, deleted posts skipped, the profile's followers, and
the errors: rate limit, dead token, a token without threads_manage_insights."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.metrics import PostMetrics
from channels.adapters.threads import ThreadsAdapter
from tests.channels.adapters import threads_support
from tests.fakes.graph_wire import buc_header, graph_error
from tests.fakes.threads import FakeThreads

fake, creds, sleeps, adapter = (
    threads_support.fake,
    threads_support.creds,
    threads_support.sleeps,
    threads_support.adapter,
)
METRICS = "views,likes,replies,reposts,quotes,shares"


def publish(adapter: ThreadsAdapter, creds: base.Credentials, text: str) -> str:
    """A post SMO published, as publish() returned its id."""
    return adapter.publish(creds, base.Content(text), text, base.Progress()).external_id


@pytest.fixture
def posts(fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials) -> list[str]:
    made = [publish(adapter, creds, f"Fresh bread, batch {n}") for n in range(3)]
    fake.requests.clear()
    return made


def fetch(adapter: ThreadsAdapter, creds: base.Credentials, *ids: str) -> list[PostMetrics]:
    return list(adapter.fetch_metrics(creds, list(ids)))


def test_the_network_says_what_it_gives() -> None:
    support = ThreadsAdapter.metrics
    assert support.figures == {m.IMPRESSIONS, m.LIKES, m.COMMENTS, m.SHARES}
    assert support.followers and support.interval == timedelta(hours=1)
    assert "not reach" in str(support.note)


def test_a_posts_insights_come_mapped(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, posts: list[str]
) -> None:
    fake.set_metrics(posts[0], views=900, likes=45, replies=8, reposts=5, quotes=2, shares=1)

    [figures] = fetch(adapter, creds, posts[0])

    assert figures == PostMetrics(
        external_id=posts[0],
        impressions=900,
        reach=None,
        likes=45,
        comments=8,
        shares=8,  # reposts + quotes + shares
        saves=None,
        video_views=None,
        link_clicks=None,
    )
    [call] = fake.requests
    assert (call.method, call.path, call.version) == ("GET", f"/{posts[0]}/insights", "v1.0")
    assert call.params == {"metric": METRICS}
    assert call.token == creds.secrets["access_token"]


def test_what_threads_leaves_out_stays_none(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, posts: list[str]
) -> None:
    fake.set_metrics(posts[0], likes=3)
    fake.set_metrics(posts[1], views=10, quotes=1)

    first, second, third = fetch(adapter, creds, *posts)

    assert first == PostMetrics(posts[0], likes=3)
    assert second == PostMetrics(posts[1], impressions=10, shares=1)
    assert third == PostMetrics(posts[2])


def test_one_call_a_post_and_a_deleted_post_is_skipped(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, posts: list[str]
) -> None:
    for n, post_id in enumerate(posts):
        fake.set_metrics(post_id, likes=n)
    fake.threads[:] = [t for t in fake.threads if t["id"] != posts[1]]

    found = fetch(adapter, creds, *posts, posts[0])

    assert [(f.external_id, f.likes) for f in found] == [(posts[0], 0), (posts[2], 2)]
    assert [c.path for c in fake.requests] == [f"/{p}/insights" for p in posts]


def test_a_rate_limit_gives_the_time_meta_names(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, posts: list[str]
) -> None:
    fake.fail_next(
        400,
        graph_error(4, "(#4) Application request limit reached"),
        buc_header(creds.external_id, 9),
    )
    before = datetime.now(UTC)

    with pytest.raises(base.RateLimited) as raised:
        fetch(adapter, creds, *posts)

    wait = raised.value.retry_at - before
    assert timedelta(minutes=9) <= wait < timedelta(minutes=9, seconds=5)


def test_a_dead_token_is_auth_expired(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, posts: list[str]
) -> None:
    fake.expire_token(creds.secrets["access_token"])

    with pytest.raises(base.AuthExpired):
        fetch(adapter, creds, *posts)
    with pytest.raises(base.AuthExpired):
        adapter.fetch_followers(creds)


def test_a_token_without_the_insights_permission_says_to_reconnect(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials, posts: list[str]
) -> None:
    fake.insights_allowed = False

    with pytest.raises(base.Permanent) as raised:
        fetch(adapter, creds, *posts)

    assert "Reconnect the account" in raised.value.detail
    assert raised.value.network_code == "400:10"
    with pytest.raises(base.Permanent, match="Reconnect"):
        adapter.fetch_followers(creds)


def test_followers_come_from_the_profiles_insights(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    fake.set_followers(creds.external_id, 731)
    fake.requests.clear()

    assert adapter.fetch_followers(creds) == 731
    [call] = fake.requests
    assert (call.path, call.params) == (
        f"/{creds.external_id}/threads_insights",
        {"metric": "followers_count"},
    )


def test_no_followers_figure_is_none(
    fake: FakeThreads, adapter: ThreadsAdapter, creds: base.Credentials
) -> None:
    assert adapter.fetch_followers(creds) is None

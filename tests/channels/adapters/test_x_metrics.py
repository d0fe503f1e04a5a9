"""X's analytics through tweepy against FakeX: GET /2/tweets?ids=... and /2/users/me."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.metrics import PostMetrics
from channels.adapters.x import XAdapter
from tests.fakes.x import USER_ID, ContractCase, contract_case

ALICE = "1001"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5) as case:
        case.fake.add_user(ALICE, "alice", "Alice")
        yield case
    assert case.fake.contract_violations == []


def fetch(case: ContractCase, *ids: str) -> dict[str, PostMetrics]:
    return {p.external_id: p for p in case.adapter.fetch_metrics(case.creds, list(ids))}


def lookups(case: ContractCase) -> list[dict[str, str]]:
    return [r.query for r in case.fake.calls("GET", "/2/tweets")]


def test_x_declares_what_it_reads() -> None:
    support = XAdapter.metrics
    assert support.figures == {
        m.IMPRESSIONS,
        m.LIKES,
        m.COMMENTS,
        m.SHARES,
        m.SAVES,
        m.LINK_CLICKS,
    }
    assert support.followers
    assert support.interval == timedelta(hours=6)
    assert "author" in str(support.note)


def test_figures_are_mapped_from_public_and_non_public_metrics(case: ContractCase) -> None:
    post = case.fake.add_tweet(USER_ID, "Read https://example.com/news")
    case.fake.set_metrics(
        post,
        impression_count=900,
        like_count=12,
        reply_count=3,
        retweet_count=4,
        quote_count=1,
        bookmark_count=2,
        url_link_clicks=17,
    )

    found = fetch(case, post)

    assert found == {
        post: PostMetrics(
            post,
            impressions=900,
            likes=12,
            comments=3,
            shares=5,  # reposts + quotes
            saves=2,
            link_clicks=17,
        )
    }
    assert found[post].reach is None and found[post].video_views is None
    (query,) = lookups(case)
    assert query["ids"] == post
    assert query["tweet.fields"] == "public_metrics,non_public_metrics,organic_metrics"


def test_a_post_without_a_link_has_no_link_clicks_not_zero(case: ContractCase) -> None:
    post = case.fake.add_tweet(USER_ID, "No link here")
    case.fake.set_metrics(post, like_count=5)

    found = fetch(case, post)[post]

    assert found.likes == 5
    assert found.impressions == 0  # X counts it, and nobody saw it yet
    assert found.link_clicks is None


def test_old_and_foreign_posts_fall_back_to_public_metrics(case: ContractCase) -> None:
    fresh = case.fake.add_tweet(USER_ID, "Fresh https://example.com/a")
    old = case.fake.add_tweet(USER_ID, "Old https://example.com/b")
    foreign = case.fake.add_tweet(ALICE, "Not ours https://example.com/c")
    for post in (fresh, old, foreign):
        case.fake.set_metrics(post, like_count=7, url_link_clicks=3)
    case.fake.age(old, days=31)

    found = fetch(case, fresh, old, foreign)

    assert set(found) == {fresh, old, foreign}
    assert found[fresh].link_clicks == 3
    assert found[old].link_clicks is None and found[old].likes == 7
    assert found[foreign].link_clicks is None and found[foreign].likes == 7
    first, again = lookups(case)
    assert first["ids"] == f"{fresh},{old},{foreign}"
    assert set(again["ids"].split(",")) == {old, foreign}
    assert again["tweet.fields"] == "public_metrics"


def test_a_deleted_post_is_skipped(case: ContractCase) -> None:
    kept = case.fake.add_tweet(USER_ID, "Still here")
    gone = case.fake.add_tweet(USER_ID, "Deleted soon")
    case.fake.set_metrics(kept, like_count=1)
    case.fake.tweets.remove(case.fake._find(gone))

    found = fetch(case, kept, gone)

    assert list(found) == [kept]
    assert len(lookups(case)) == 1  # a gone post is not a refused field: no second call


def test_a_hundred_ids_a_call(case: ContractCase) -> None:
    posts = [case.fake.add_tweet(USER_ID, f"Post {n}") for n in range(205)]

    found = fetch(case, *posts)

    assert set(found) == set(posts)
    sizes = [len(q["ids"].split(",")) for q in lookups(case)]
    assert sizes == [100, 100, 5]


def test_an_app_without_owned_reads_gets_public_figures(case: ContractCase) -> None:
    post = case.fake.add_tweet(USER_ID, "Hello https://example.com")
    case.fake.set_metrics(post, like_count=2, url_link_clicks=9)
    case.fake.fail_next(403, path="/2/tweets")

    found = fetch(case, post)[post]

    assert found.likes == 2 and found.link_clicks is None
    assert [q["tweet.fields"] for q in lookups(case)][-1] == "public_metrics"


def test_a_rate_limit_waits_for_x_s_reset(case: ContractCase) -> None:
    post = case.fake.add_tweet(USER_ID, "Hello")
    reset = datetime.now(UTC).replace(microsecond=0) + timedelta(minutes=11)
    case.fake.fail_next(
        429, path="/2/tweets", headers={"x-rate-limit-reset": str(int(reset.timestamp()))}
    )
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, post)
    assert raised.value.retry_at == reset


def test_the_lookup_window_runs_out_like_x_s(case: ContractCase) -> None:
    post = case.fake.add_tweet(USER_ID, "Hello")
    case.fake._windows[(USER_ID, "GET /2/tweets")] = [case.fake.now(), 900]
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, post)
    assert raised.value.retry_at > datetime.now(UTC) + timedelta(minutes=14)


def test_a_dead_token_needs_a_reconnect(case: ContractCase) -> None:
    post = case.fake.add_tweet(USER_ID, "Hello")
    creds = base.Credentials(USER_ID, "acme", {"access_token": "xat-revoked"})
    with pytest.raises(base.AuthExpired):
        list(case.adapter.fetch_metrics(creds, [post]))
    with pytest.raises(base.AuthExpired):
        case.adapter.fetch_followers(creds)


def test_followers_come_from_users_me(case: ContractCase) -> None:
    case.fake.set_followers(USER_ID, 1234)

    assert case.adapter.fetch_followers(case.creds) == 1234
    (me,) = case.fake.calls("GET", "/2/users/me")
    assert me.query["user.fields"] == "public_metrics"


def test_no_ids_no_calls(case: ContractCase) -> None:
    assert fetch(case) == {}
    assert lookups(case) == []

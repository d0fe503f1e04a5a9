"""BlueskyAdapter's analytics against FakeBluesky, through atproto: posts' counts
from app.bsky.feed.getPosts, 25 URIs a call, deleted posts left out, followers
from app.bsky.actor.getProfile, and a PDS with no AppView refusing both plainly
(what a real PDS answers is in test_bluesky_pds_metrics.py)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import pytest

from channels.adapters import metrics as m
from channels.adapters.base import AuthExpired, Content, Permanent, Progress, RateLimited
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.metrics import PostMetrics
from tests.fakes.bluesky import rate_limited
from tests.fakes.bluesky_contract import ContractCase, contract_case

GET_POSTS = "app.bsky.feed.getPosts"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def publish(case: ContractCase, count: int) -> list[str]:
    return [
        case.adapter.publish(
            case.creds, Content(f"Batch {n} of buns"), f"k{n}", Progress()
        ).external_id
        for n in range(count)
    ]


def fetch(case: ContractCase, ids: list[str]) -> dict[str, PostMetrics]:
    return {p.external_id: p for p in case.adapter.fetch_metrics(case.creds, ids)}


def test_counts_map_to_figures_and_views_stay_none(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.set_metrics(post, likeCount=12, replyCount=3, repostCount=4, quoteCount=2)

    found = fetch(case, [post])

    assert found[post] == PostMetrics(post, likes=12, comments=3, shares=6)
    assert found[post].impressions is None and found[post].video_views is None
    assert BlueskyAdapter.metrics.figures == {m.LIKES, m.COMMENTS, m.SHARES}
    assert BlueskyAdapter.metrics.followers


def test_counts_the_view_lacks_stay_none(case: ContractCase) -> None:
    first, second = publish(case, 2)
    case.fake.set_metrics(first, likeCount=5, repostCount=1)  # no replyCount, no quoteCount
    # `second` has a view with no counts at all.

    found = fetch(case, [first, second])

    assert found[first] == PostMetrics(first, likes=5, comments=None, shares=1)
    assert found[second] == PostMetrics(second)


def test_a_deleted_post_is_skipped(case: ContractCase) -> None:
    kept, gone = publish(case, 2)
    case.fake.set_metrics(kept, likeCount=1)
    del case.fake.records[gone]

    assert list(fetch(case, [kept, gone])) == [kept]


def test_sixty_posts_take_three_calls_of_at_most_25(case: ContractCase) -> None:
    posts = publish(case, 60)
    for n, post in enumerate(posts):
        case.fake.set_metrics(post, likeCount=n)

    found = fetch(case, posts + posts[:3])  # a repeated id is asked once

    assert [found[p].likes for p in posts] == list(range(60))
    calls = case.fake.calls("GET", GET_POSTS)
    assert [len(c.query_lists["uris"]) for c in calls] == [25, 25, 10]  # type: ignore[attr-defined]


def test_a_pds_without_an_appview_is_a_plain_permanent(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.no_appview = True

    with pytest.raises(Permanent) as refused:
        fetch(case, [post])
    assert (refused.value.code, refused.value.status) == ("no_appview", 400)
    assert "AppView" in refused.value.detail
    with pytest.raises(Permanent) as again:
        case.adapter.fetch_followers(case.creds)
    assert again.value.code == "no_appview"


def test_rate_limit_is_rate_limited_until_the_reset(case: ContractCase) -> None:
    [post] = publish(case, 1)
    reset = int(datetime.now(UTC).timestamp()) + 900
    limited = rate_limited(reset, "3000;w=300")
    case.fake.fail_next(429, limited.body, limited.headers, path=f"/xrpc/{GET_POSTS}")

    with pytest.raises(RateLimited) as raised:
        fetch(case, [post])
    assert raised.value.retry_at == datetime.fromtimestamp(reset, UTC)


def test_a_revoked_app_password_is_auth_expired(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.revoke_app_password(case.did)
    case.fake.expire_access_tokens()
    with pytest.raises(AuthExpired):
        fetch(case, [post])
    bad = replace(case.creds, secrets={**case.creds.secrets, "access_jwt": "x"})
    with pytest.raises(AuthExpired):
        case.adapter.fetch_followers(bad)


def test_an_expired_session_is_renewed_once(case: ContractCase) -> None:
    [post] = publish(case, 1)
    case.fake.set_metrics(post, likeCount=2)
    case.fake.expire_access_tokens()

    assert fetch(case, [post])[post].likes == 2
    assert len(case.fake.calls("POST", "com.atproto.server.refreshSession")) == 1


def test_followers_come_from_the_profile(case: ContractCase) -> None:
    case.fake.set_followers(case.did, 1234)

    assert case.adapter.fetch_followers(case.creds) == 1234
    [call] = case.fake.calls("GET", "app.bsky.actor.getProfile")
    assert call.query["actor"] == case.did

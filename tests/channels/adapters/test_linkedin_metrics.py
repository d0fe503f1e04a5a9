"""LinkedIn's analytics against FakeLinkedIn: a Page's share statistics by batches
of URNs, socialActions for what they leave out and for members, and networkSizes."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.linkedin import LinkedInAdapter
from channels.adapters.metrics import PostMetrics
from tests.fakes.linkedin_contract import ContractCase, contract_case

STATISTICS = "/rest/organizationalEntityShareStatistics"
SOCIAL = "/rest/socialActions"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case


def fetch(
    case: ContractCase, *urns: str, creds: base.Credentials | None = None
) -> dict[str, PostMetrics]:
    found = case.adapter.fetch_metrics(creds or case.creds, list(urns))
    return {p.external_id: p for p in found}


def test_linkedin_declares_what_it_reads() -> None:
    support = LinkedInAdapter.metrics
    assert support.figures == {
        m.IMPRESSIONS,
        m.REACH,
        m.LIKES,
        m.COMMENTS,
        m.SHARES,
        m.LINK_CLICKS,
    }
    assert support.followers
    assert support.interval == timedelta(hours=6)
    assert "Pages only" in str(support.note)


def test_share_statistics_are_mapped(case: ContractCase) -> None:
    post = case.fake.add_post(case.page, "Cardamom buns are back")
    case.fake.set_statistics(
        post,
        impressionCount=900,
        uniqueImpressionsCount=610,
        clickCount=44,
        likeCount=31,
        commentCount=5,
        shareCount=3,
    )

    found = fetch(case, post)

    assert found == {
        post: PostMetrics(
            post,
            impressions=900,
            reach=610,
            likes=31,
            comments=5,
            shares=3,
            link_clicks=44,
        )
    }
    (request,) = case.fake.calls("GET", STATISTICS)
    assert request.query["q"] == "organizationalEntity"
    assert request.query["organizationalEntity"] == case.page
    assert request.query["shares"] == f"List({post})"
    assert "timeIntervals" not in request.query  # lifetime totals


def test_a_figure_left_out_stays_none(case: ContractCase) -> None:
    post = case.fake.add_post(case.page, "Partial")
    case.fake.set_statistics(post, likeCount=4, uniqueImpressionsCount=None, clickCount=None)

    found = fetch(case, post)[post]

    assert found.likes == 4
    assert found.impressions == 0
    assert found.reach is None and found.link_clicks is None
    assert found.saves is None and found.video_views is None


def test_shares_and_ugc_posts_are_asked_for_apart_in_batches(case: ContractCase) -> None:
    shares = [case.fake.add_post(case.page, f"Post {n}") for n in range(60)]
    video = case.fake.add_post(case.page, "A video")
    ugc = video.replace("urn:li:share:", "urn:li:ugcPost:")
    next(p for p in case.fake.posts if p["id"] == video)["id"] = ugc

    found = fetch(case, *shares, ugc)

    assert set(found) == {*shares, ugc}
    asked = [r.query for r in case.fake.calls("GET", STATISTICS)]
    assert [len(q.get("shares", q.get("ugcPosts", "")).split(",")) for q in asked] == [50, 10, 1]
    assert asked[-1]["ugcPosts"] == f"List({ugc})"
    assert case.fake.calls("GET", SOCIAL) == []


def test_old_posts_fall_back_to_social_actions_and_gone_ones_are_skipped(
    case: ContractCase,
) -> None:
    fresh = case.fake.add_post(case.page, "Fresh")
    old = case.fake.add_post(case.page, "Old")
    gone = case.fake.add_post(case.page, "Gone")
    case.fake.set_statistics(fresh, likeCount=2)
    case.fake.set_statistics(old, likeCount=8, impressionCount=5000)
    case.fake.add_comment(old, case.page, "Still good")
    case.fake.age_post(old, days=400)
    case.fake.posts = [p for p in case.fake.posts if p["id"] != gone]

    found = fetch(case, fresh, old, gone)

    assert set(found) == {fresh, old}
    assert found[fresh].likes == 2
    assert found[old] == PostMetrics(old, likes=8, comments=1)  # no impressions: None
    (social,) = case.fake.calls("GET", SOCIAL)
    assert social.query["ids"] == f"List({old},{gone})"


def test_a_member_without_r_member_social_gets_nothing(case: ContractCase) -> None:
    creds = case.person()
    post = case.fake.add_post(creds.external_id, "Hello network")

    assert fetch(case, post, creds=creds) == {}
    assert case.fake.calls("GET", STATISTICS) == []
    assert len(case.fake.calls("GET", SOCIAL)) == 1


def test_a_member_with_r_member_social_gets_likes_and_comments(case: ContractCase) -> None:
    creds = case.person()
    case.fake.tokens[creds.secrets["access_token"]]["scopes"] += ("r_member_social",)
    post = case.fake.add_post(creds.external_id, "Hello network")
    case.fake.set_statistics(post, likeCount=6)

    assert fetch(case, post, creds=creds) == {post: PostMetrics(post, likes=6, comments=0)}


def test_no_ids_no_calls(case: ContractCase) -> None:
    assert fetch(case) == {}
    assert case.fake.requests == []


def test_a_rate_limit_waits_for_linkedins_midnight_reset(case: ContractCase) -> None:
    post = case.fake.add_post(case.page, "Hello")
    case.fake.fail_next(429, path=STATISTICS)
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, post)
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    assert raised.value.retry_at == today + timedelta(days=1)


def test_a_revoked_token_is_auth_expired(case: ContractCase) -> None:
    post = case.fake.add_post(case.page, "Hello")
    case.fake.revoke_token(case.creds.secrets["access_token"])
    with pytest.raises(base.AuthExpired):
        fetch(case, post)
    with pytest.raises(base.AuthExpired):
        case.adapter.fetch_followers(case.creds)


def test_a_page_s_followers(case: ContractCase) -> None:
    case.fake.set_followers(case.page, 4200)

    assert case.adapter.fetch_followers(case.creds) == 4200
    (request,) = case.fake.calls("GET", f"/rest/networkSizes/{case.page}")
    assert request.query == {"edgeType": "COMPANY_FOLLOWED_BY_MEMBER"}


def test_a_member_has_no_follower_count(case: ContractCase) -> None:
    assert case.adapter.fetch_followers(case.person()) is None
    assert case.fake.requests == []

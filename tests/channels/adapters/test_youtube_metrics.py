"""YouTube's analytics through google-api-python-client against FakeYouTube:
videos.list part=statistics by up to 50 ids, and the channel's subscribers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.metrics import PostMetrics
from channels.adapters.youtube import YouTubeAdapter
from channels.adapters.youtube_quota import next_quota_day
from tests.fakes.youtube_contract import CHANNEL, ContractCase, body, contract_case

VIDEOS = "/youtube/v3/videos"


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case(timeout=0.5) as case:
        yield case
    assert case.fake.contract_violations == []


def fetch(case: ContractCase, *ids: str) -> dict[str, PostMetrics]:
    return {p.external_id: p for p in case.adapter.fetch_metrics(case.creds, list(ids))}


def units(case: ContractCase) -> int:
    return case.quota.used.get((case.fake.quota_day(), "units"), 0)


def test_youtube_declares_what_it_reads() -> None:
    support = YouTubeAdapter.metrics
    assert support.figures == {m.VIDEO_VIEWS, m.LIKES, m.COMMENTS}
    assert support.followers
    assert support.interval == timedelta(hours=1)
    assert "YouTube Analytics API" in str(support.note)


def test_statistics_are_mapped(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Cardamom buns")
    case.fake.set_statistics(video, viewCount=1520, likeCount=87, commentCount=12)

    found = fetch(case, video)

    assert found == {video: PostMetrics(video, video_views=1520, likes=87, comments=12)}
    (request,) = case.fake.calls("GET", VIDEOS)
    assert request.query["part"] == "statistics"
    assert request.query["id"] == video
    assert units(case) == 1


def test_hidden_counts_stay_none(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Comments off")
    case.fake.set_statistics(video, viewCount=40, likeCount=None, commentCount=None)

    found = fetch(case, video)[video]

    assert found.video_views == 40
    assert found.likes is None and found.comments is None
    assert found.impressions is None and found.shares is None  # not in the Data API


def test_a_deleted_video_is_skipped(case: ContractCase) -> None:
    kept = case.fake.add_video(CHANNEL, "Kept")
    gone = case.fake.add_video(CHANNEL, "Gone")
    del case.fake.videos[gone]

    found = fetch(case, kept, gone)

    assert list(found) == [kept]


def test_fifty_ids_a_call_one_unit_each(case: ContractCase) -> None:
    videos = [case.fake.add_video(CHANNEL, f"Video {n}") for n in range(120)]

    found = fetch(case, *videos)

    assert set(found) == set(videos)
    sizes = [len(r.query["id"].split(",")) for r in case.fake.calls("GET", VIDEOS)]
    assert sizes == [50, 50, 20]
    assert units(case) == 3


def test_no_ids_no_calls(case: ContractCase) -> None:
    assert fetch(case) == {}
    assert case.fake.calls("GET", VIDEOS) == []


def test_a_spent_quota_waits_for_pacific_midnight(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Video")
    case.fake.use_quota("units", 10_000)
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, video)
    assert raised.value.retry_at == next_quota_day(case.fake.clock())
    assert raised.value.code == "quotaExceeded"
    with pytest.raises(base.RateLimited):  # the day is marked spent: no call at all
        case.adapter.fetch_followers(case.creds)
    assert len(case.fake.calls("GET", "/youtube/v3/channels")) == 0


def test_a_short_rate_limit_waits_briefly(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Video")
    case.fake.fail_next(403, body=body(403, "rateLimitExceeded"), path=VIDEOS)
    with pytest.raises(base.RateLimited) as raised:
        fetch(case, video)
    assert raised.value.retry_at < next_quota_day(case.fake.clock())
    assert raised.value.retry_at > case.fake.clock()


def test_a_dead_token_needs_a_reconnect(case: ContractCase) -> None:
    video = case.fake.add_video(CHANNEL, "Video")
    creds = base.Credentials(CHANNEL, "@acmebakery", {"access_token": "ya29.revoked"})
    with pytest.raises(base.AuthExpired):
        list(case.adapter.fetch_metrics(creds, [video]))
    with pytest.raises(base.AuthExpired):
        case.adapter.fetch_followers(creds)


def test_subscribers_from_channels_list(case: ContractCase) -> None:
    case.fake.set_subscribers(CHANNEL, 1500)

    assert case.adapter.fetch_followers(case.creds) == 1500
    (request,) = case.fake.calls("GET", "/youtube/v3/channels")
    assert request.query["part"] == "statistics"
    assert request.query["mine"] == "true"


def test_hidden_subscribers_are_unknown(case: ContractCase) -> None:
    case.fake.set_subscribers(CHANNEL, 1500, hidden=True)

    assert case.adapter.fetch_followers(case.creds) is None

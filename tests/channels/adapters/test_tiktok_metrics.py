"""TikTokAdapter's analytics against FakeTikTok, over plain requests: posts' counts
from POST /v2/video/query/ 20 ids a call, deleted posts left out, publish_ids
looked up with status/fetch (skipped until moderation gives a post id), and the
follower count from /v2/user/info/ with user.info.stats."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from channels.adapters import base
from channels.adapters import metrics as m
from channels.adapters.metrics import PostMetrics
from channels.adapters.tiktok import TikTokAdapter
from tests.channels.adapters.tiktok_support import (
    NOW,
    OPEN_ID,
    PUBLIC,
    STATUS,
    adapter,
    creds,
    start,
    video,
)
from tests.fakes.tiktok import FakeTikTok

QUERY = "/v2/video/query/"
USER_INFO = "/v2/user/info/"


@pytest.fixture
def fake() -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        yield start(fake)


def fetch(fake: FakeTikTok, ids: list[str], **token: object) -> dict[str, PostMetrics]:
    found = adapter(fake).fetch_metrics(creds(fake, **token), ids)  # type: ignore[arg-type]
    return {p.external_id: p for p in found}


def test_counts_map_to_figures(fake: FakeTikTok) -> None:
    post = fake.add_video(OPEN_ID, "Cardamom buns")
    fake.set_metrics(post, like_count=40, comment_count=5, share_count=3, view_count=900)

    found = fetch(fake, [post])

    assert found[post] == PostMetrics(
        post, impressions=900, likes=40, comments=5, shares=3, video_views=900
    )
    assert (found[post].reach, found[post].saves, found[post].link_clicks) == (None, None, None)
    [call] = fake.calls("POST", QUERY)
    assert call.query == {"fields": "id,like_count,comment_count,share_count,view_count"}
    assert call.body == {"filters": {"video_ids": [post]}}
    assert TikTokAdapter.metrics.figures == {
        m.IMPRESSIONS,
        m.LIKES,
        m.COMMENTS,
        m.SHARES,
        m.VIDEO_VIEWS,
    }


def test_counts_left_out_stay_none(fake: FakeTikTok) -> None:
    post = fake.add_video(OPEN_ID, "Buns")
    fake.set_metrics(post, like_count=2, view_count=10)  # no comment or share count

    assert fetch(fake, [post])[post] == PostMetrics(post, impressions=10, likes=2, video_views=10)


def test_a_deleted_post_is_skipped(fake: FakeTikTok) -> None:
    kept, gone = fake.add_video(OPEN_ID, "Kept"), fake.add_video(OPEN_ID, "Gone")
    fake.set_metrics(kept, like_count=1)
    fake.videos = [v for v in fake.videos if v.id != gone]

    assert list(fetch(fake, [kept, gone])) == [kept]


def test_forty_five_posts_take_three_calls_of_at_most_20(fake: FakeTikTok) -> None:
    posts = [fake.add_video(OPEN_ID, f"Batch {n}") for n in range(45)]
    for n, post in enumerate(posts):
        fake.set_metrics(post, like_count=n)

    found = fetch(fake, posts)

    assert [found[p].likes for p in posts] == list(range(45))
    calls = fake.calls("POST", QUERY)
    assert [len(c.body["filters"]["video_ids"]) for c in calls] == [20, 20, 5]
    assert fake.calls("POST", STATUS) == []  # post ids need no lookup


def test_a_publish_id_is_skipped_until_tiktok_gives_the_post_id(
    fake: FakeTikTok, tmp_path: Path
) -> None:
    fake.hold_moderation = True
    tiktok, account = adapter(fake), creds(fake)
    clip = base.Content("Buns", media=(video(tmp_path, 900),), options=PUBLIC)
    published = tiktok.publish(account, clip, "k", base.Progress())
    publish_id = published.external_id
    assert publish_id.startswith("v_pub_file~")

    assert list(tiktok.fetch_metrics(account, [publish_id])) == []
    assert fake.calls("POST", QUERY) == []  # nothing to ask about yet

    fake.moderate(publish_id)
    fake.set_metrics(fake.publishes[publish_id].post_id, like_count=7, view_count=70)
    [found] = tiktok.fetch_metrics(account, [publish_id])
    assert found == PostMetrics(publish_id, impressions=70, likes=7, video_views=70)


def test_a_private_post_never_gets_figures(fake: FakeTikTok, tmp_path: Path) -> None:
    tiktok, account = adapter(fake), creds(fake)
    private = {"privacy_level": "SELF_ONLY"}
    clip = base.Content("Buns", media=(video(tmp_path, 900),), options=private)
    publish_id = tiktok.publish(account, clip, "k", base.Progress()).external_id
    public = fake.add_video(OPEN_ID, "Public")
    fake.set_metrics(public, like_count=1)

    assert list(tiktok.fetch_metrics(account, [publish_id, public, "v_pub_url~v2-1.9"])) == [
        PostMetrics(public, likes=1)
    ]


def test_rate_limit_is_rate_limited_for_a_window(fake: FakeTikTok) -> None:
    post = fake.add_video(OPEN_ID, "Buns")
    fake.fail_next(429, path=QUERY)
    with pytest.raises(base.RateLimited) as limited:
        fetch(fake, [post])
    assert limited.value.retry_at == NOW + timedelta(minutes=1)


def test_a_dead_token_or_a_missing_scope_is_auth_expired(fake: FakeTikTok) -> None:
    post = fake.add_video(OPEN_ID, "Buns")
    dead = base.Credentials(OPEN_ID, "acmebakery", {"access_token": "act.revoked"})
    with pytest.raises(base.AuthExpired):
        list(adapter(fake).fetch_metrics(dead, [post]))
    with pytest.raises(base.AuthExpired):
        adapter(fake).fetch_followers(dead)
    with pytest.raises(base.AuthExpired):
        fetch(fake, [post], scopes=("user.info.basic", "video.publish"))


def test_followers_need_user_info_stats(fake: FakeTikTok) -> None:
    fake.set_followers(OPEN_ID, 5120)

    assert adapter(fake).fetch_followers(creds(fake)) == 5120
    assert fake.calls("GET", USER_INFO)[0].query == {"fields": "follower_count"}

    older = creds(fake, scopes=("user.info.basic", "video.publish", "video.list"))
    with pytest.raises(base.Permanent) as refused:
        adapter(fake).fetch_followers(older)
    assert refused.value.code == "scope"
    assert "user.info.stats" in refused.value.detail

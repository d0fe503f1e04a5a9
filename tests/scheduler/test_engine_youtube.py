"""The engine and the real YouTube adapter together, against FakeYouTube: a video with
its thumbnail published, a lost last answer reconciled through the upload session,
a cut-off upload resumed, the daily quota waited out, an expired token refreshed."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.cache import cache
from django.utils import timezone

from channels.adapters.youtube_quota import next_quota_day
from channels.models import SocialAccount
from scheduler import engine
from scheduler.models import Delivery, DeliveryAttempt, MediaAsset, PostMedia
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.graph_wire import jpeg
from tests.fakes.youtube import VIDEOS, FakeYouTube
from tests.fakes.youtube_contract import CHANNEL, CHUNK, USER

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def youtube(settings: Any, tmp_path: Path) -> Iterator[FakeYouTube]:
    settings.MEDIA_ROOT = tmp_path
    settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
    cache.clear()  # the quota store lives in the cache: start the day fresh
    with FakeYouTube(granularity=CHUNK) as fake:
        fake.add_channel(CHANNEL, "Acme Bakery", "@acmebakery", user=USER)
        config = fake.adapter_config(chunk_bytes=CHUNK)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "youtube": config}
        yield fake
        assert fake.contract_violations == []
    cache.clear()


def asset(workspace: Any, root: Path, name: str, data: bytes, **fields: Any) -> MediaAsset:
    (root / "media").mkdir(exist_ok=True)
    (root / "media" / name).write_bytes(data)
    return MediaAsset.objects.create(
        workspace=workspace, file=f"media/{name}", original_name=name, size=len(data), **fields
    )


def delivery(fake: FakeYouTube, root: Path, thumbnail: bool = False, **options: Any) -> Delivery:
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="youtube",
        external_id=CHANNEL,
        name="Acme Bakery",
        handle="@acmebakery",
        credentials={
            "access_token": fake.issue_token(USER),
            "refresh_token": fake.issue_refresh_token(USER),
        },
        credentials_expire_at=timezone.now() + timedelta(hours=1),
        options={"uploads_playlist": fake.channels[CHANNEL]["uploads"]},
    )
    overrides = {"youtube": {"options": {"title": "Cardamom buns", **options}}}
    post = PostFactory(workspace=workspace, text="Fresh at 7 every morning.", overrides=overrides)
    clip = bytes(range(256)) * 14  # 3,584 bytes: four chunks
    video = asset(
        workspace,
        root,
        "buns.mp4",
        clip,
        kind="video",
        mime_type="video/mp4",
        width=1080,
        height=1920,
        duration=31.0,
    )
    PostMedia.objects.create(post=post, asset=video, position=0)
    if thumbnail:
        cover = asset(
            workspace,
            root,
            "cover.jpg",
            jpeg(1280, 720),
            kind="image",
            mime_type="image/jpeg",
            width=1280,
            height=720,
        )
        PostMedia.objects.create(post=post, asset=cover, position=1)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_short_with_its_thumbnail_is_published_through_the_engine(
    youtube: FakeYouTube, tmp_path: Path
) -> None:
    queued = delivery(youtube, tmp_path, thumbnail=True, format="short", privacy="unlisted")
    assert engine.publish(queued.pk) == "published"

    queued.refresh_from_db()
    [(video_id, video)] = youtube.videos.items()
    assert queued.state == S.PUBLISHED
    assert queued.external_id == video_id
    assert queued.external_url == f"https://www.youtube.com/shorts/{video_id}"
    assert video["bytes"] == bytes(range(256)) * 14
    assert video["thumbnail"] == (tmp_path / "media" / "cover.jpg").read_bytes()
    assert video["resource"]["snippet"]["title"] == "Cardamom buns"
    assert video["resource"]["snippet"]["description"] == "Fresh at 7 every morning."
    assert video["resource"]["status"]["privacyStatus"] == "unlisted"
    assert queued.progress["video_id"] == video_id
    assert queued.progress["thumbnail"] == "set"


def test_a_lost_last_answer_is_reconciled_through_the_upload_session_not_uploaded_twice(
    youtube: FakeYouTube, tmp_path: Path
) -> None:
    queued = delivery(youtube, tmp_path)
    youtube.timeout_after_receive(f"PUT {VIDEOS}", final_only=True)
    assert engine.publish(queued.pk) == "unknown"
    assert engine.resolve_unknown(queued.pk) == "published"

    queued.refresh_from_db()
    [video_id] = youtube.videos
    assert (queued.state, queued.external_id) == (S.PUBLISHED, video_id)
    assert len(youtube.calls("POST", VIDEOS)) == 1
    probe = youtube.calls("PUT", VIDEOS)[-1]
    assert probe.headers["content-range"] == "bytes */3584"


def test_an_upload_cut_off_midway_resumes_on_the_next_attempt(
    youtube: FakeYouTube, tmp_path: Path
) -> None:
    queued = delivery(youtube, tmp_path)
    youtube.drop_after_receive(f"PUT {VIDEOS}")  # the first chunk arrives, its answer doesn't
    assert engine.publish(queued.pk) == "retry"
    queued.refresh_from_db()
    assert queued.state == S.RETRY_WAIT
    assert queued.progress["upload_url"]

    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(youtube.calls("POST", VIDEOS)) == 1
    assert [r.headers["content-range"] for r in youtube.calls("PUT", VIDEOS)][1:] == [
        "bytes */3584",
        "bytes 1024-2047/3584",
        "bytes 2048-3071/3584",
        "bytes 3072-3583/3584",
    ]
    assert len(youtube.videos) == 1


def test_youtube_out_of_quota_waits_for_pacific_midnight_without_asking_again(
    youtube: FakeYouTube, tmp_path: Path
) -> None:
    youtube.quota.uploads = 0  # Google answers quotaExceeded at step 1
    first, second = delivery(youtube, tmp_path), delivery(youtube, tmp_path)
    assert engine.publish(first.pk) == "rate-limited"
    first.refresh_from_db()
    assert first.state == S.RETRY_WAIT
    assert abs(first.due_at - next_quota_day(timezone.now())) < timedelta(seconds=5)
    assert "after midnight Pacific time" in first.last_error
    assert DeliveryAttempt.objects.get(delivery=first).outcome == "rate_limited"
    asked = len(youtube.requests)
    assert engine.publish(second.pk) == "rate-limited"
    assert len(youtube.requests) == asked
    assert youtube.videos == {}


def test_an_expired_youtube_token_is_refreshed_once_and_the_video_goes_out(
    youtube: FakeYouTube, tmp_path: Path
) -> None:
    queued = delivery(youtube, tmp_path)
    old = dict(queued.account.credentials)
    youtube.expire_token(old["access_token"])
    assert engine.publish(queued.pk) == "refreshed"
    account = SocialAccount.objects.get(pk=queued.account_id)
    assert account.credentials["access_token"] != old["access_token"]
    assert account.credentials["refresh_token"] == old["refresh_token"]
    engine.transition(queued.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(queued.pk) == "published"
    assert len(youtube.videos) == 1


def test_a_video_youtube_refuses_fails_with_googles_reason(
    youtube: FakeYouTube, tmp_path: Path
) -> None:
    queued = delivery(youtube, tmp_path, title="Buns <3")
    assert engine.publish(queued.pk) == "failed"
    queued.refresh_from_db()
    assert queued.state == S.FAILED
    assert queued.last_error == (
        "YouTube refused the video: The request metadata specifies an invalid or empty video title."
    )
    assert youtube.sessions == {}

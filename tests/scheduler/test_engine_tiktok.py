"""The engine and the real TikTok adapter against the fake: a video delivery published
end to end, a publish still processing, a lost answer reconciled, a private post the
network cannot look up, and an expired token."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from channels.adapters.base import MediaItem
from channels.models import SocialAccount
from scheduler import content, engine
from scheduler.models import Delivery, MediaAsset, PostMedia
from tests.channels.adapters.tiktok_support import INIT, OPEN_ID, start, video_bytes
from tests.factories import PostFactory, WorkspaceFactory
from tests.fakes.tiktok import FakeTikTok

S = Delivery.State
pytestmark = pytest.mark.django_db


@pytest.fixture
def tiktok(settings: Any, tmp_path: Path) -> Iterator[FakeTikTok]:
    with FakeTikTok() as fake:
        start(fake)
        fake.advance(timezone.now().timestamp() - fake.now())  # the engine's clock is real
        config = fake.adapter_config(sleep=lambda seconds: None, chunk_bytes=1500)
        settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "tiktok": config}
        settings.SMO_HTTP_TIMEOUT = 0.5  # a lost answer costs half a second here
        settings.MEDIA_ROOT = tmp_path
        # TikTok's budget is 6 posts a minute per account, and account ids repeat
        # from test to test: each test gets a cache of its own.
        settings.CACHES = {
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": str(tmp_path),
            }
        }
        yield fake


def delivery(fake: FakeTikTok, privacy: str = "PUBLIC_TO_EVERYONE", size: int = 10_700) -> Delivery:
    workspace = WorkspaceFactory()
    account = SocialAccount.objects.create(
        workspace=workspace,
        network="tiktok",
        external_id=OPEN_ID,
        name="Acme Bakery",
        handle="acmebakery",
        credentials={
            "access_token": fake.issue_token(OPEN_ID),
            "refresh_token": fake.issue_refresh_token(OPEN_ID),
        },
        credentials_expire_at=timezone.now() + timedelta(hours=24),
    )
    # A per-account option holds one value per account (scheduler.content.post_options).
    overrides = {"tiktok": {"options": {"privacy_level": {str(account.pk): privacy}}}}
    post = PostFactory(workspace=workspace, text="Cardamom buns are back", overrides=overrides)
    asset = MediaAsset(
        workspace=workspace,
        original_name="buns.mp4",
        kind="video",
        mime_type="video/mp4",
        size=size,
        duration=14.0,
    )
    asset.file.save("buns.mp4", ContentFile(video_bytes(size)))
    PostMedia.objects.create(post=post, asset=asset)
    return Delivery.objects.create(post=post, account=account, state=S.QUEUED)


def test_a_tiktok_video_is_uploaded_in_chunks_and_published(tiktok: FakeTikTok, sent: Any) -> None:
    item = delivery(tiktok)

    assert engine.publish(item.pk) == "published"

    item.refresh_from_db()
    [publish] = tiktok.publishes.values()
    assert (item.state, item.external_id) == (S.PUBLISHED, publish.post_id)
    assert item.external_url == f"https://www.tiktok.com/@acmebakery/video/{publish.post_id}"
    assert bytes(publish.received) == video_bytes(10_700)
    assert tiktok.calls("POST", INIT)[0].body["post_info"]["privacy_level"] == (
        "PUBLIC_TO_EVERYONE"
    )
    assert item.progress["publish_id"] == publish.id


def test_a_publish_still_processing_is_polled_again_on_retry_never_posted_twice(
    tiktok: FakeTikTok, sent: Any, settings: Any
) -> None:
    tiktok.processing_fetches = 3
    config = {**settings.SMO_NETWORKS["tiktok"], "status_wait_seconds": 0}
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "tiktok": config}
    item = delivery(tiktok)

    assert engine.publish(item.pk) == "retry"
    for _ in range(3):
        engine.transition(item.pk, S.RETRY_WAIT, S.QUEUED)
        outcome = engine.publish(item.pk)
    assert outcome == "published"
    assert len(tiktok.calls("POST", INIT)) == 1
    assert len(tiktok.videos) == 1


def test_a_lost_answer_to_a_pull_init_is_reconciled_to_the_post_made(
    tiktok: FakeTikTok, sent: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    tiktok.processing_fetches = 0
    config = {**settings.SMO_NETWORKS["tiktok"], "pull_from_url": True}
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "tiktok": config}
    item = delivery(tiktok)
    # TikTok fetches the video from its URL: here the fake serves it, on a verified prefix.
    url = tiktok.add_file("buns.mp4", video_bytes(10_700), "video/mp4")
    real = content.content_for

    def served(d: Delivery) -> Any:
        found = real(d)
        return replace(found, media=(replace(found.media[0], url=url),))

    monkeypatch.setattr(content, "content_for", served)
    tiktok.timeout_after_receive(INIT)

    assert engine.publish(item.pk) == "unknown"
    assert engine.resolve_unknown(item.pk) == "published"

    item.refresh_from_db()
    [made] = tiktok.videos
    assert (item.state, item.external_id) == (S.PUBLISHED, made.id)
    assert len(tiktok.calls("POST", INIT)) == 1


def test_a_lost_private_post_goes_to_a_person_not_a_second_publish(
    tiktok: FakeTikTok, sent: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = {**settings.SMO_NETWORKS["tiktok"], "pull_from_url": True}
    settings.SMO_NETWORKS = {**settings.SMO_NETWORKS, "tiktok": config}
    item = delivery(tiktok, privacy="SELF_ONLY")
    url = tiktok.add_file("buns.mp4", video_bytes(10_700), "video/mp4")
    real = content.content_for
    monkeypatch.setattr(
        content,
        "content_for",
        lambda d: replace(real(d), media=(replace(real(d).media[0], url=url),)),
    )
    tiktok.timeout_after_receive(INIT)

    assert engine.publish(item.pk) == "unknown"
    assert engine.resolve_unknown(item.pk) == "needs-attention"

    item.refresh_from_db()
    assert item.state == S.NEEDS_ATTENTION
    assert item.last_error.startswith("TikTok lists only public posts, so SMO cannot tell")
    assert len(tiktok.calls("POST", INIT)) == 1


def test_an_expired_tiktok_token_is_refreshed_once_and_the_post_goes_out(
    tiktok: FakeTikTok, sent: Any
) -> None:
    item = delivery(tiktok, size=900)
    old = dict(item.account.credentials)
    tiktok.expire_token(old["access_token"])

    assert engine.publish(item.pk) == "refreshed"
    account = SocialAccount.objects.get(pk=item.account_id)
    assert account.credentials["access_token"] != old["access_token"]
    assert account.credentials["refresh_token"] != old["refresh_token"]  # rotated
    engine.transition(item.pk, S.RETRY_WAIT, S.QUEUED)
    assert engine.publish(item.pk) == "published"
    assert len(tiktok.videos) == 1


def test_tiktoks_rate_limit_waits_a_minute(tiktok: FakeTikTok, sent: Any) -> None:
    item = delivery(tiktok, size=900)
    tiktok.fail_next(429, path=INIT)
    before = timezone.now()
    assert engine.publish(item.pk) == "rate-limited"
    item.refresh_from_db()
    assert item.state == S.RETRY_WAIT
    assert timedelta(seconds=59) < item.due_at - before <= timedelta(seconds=61)


def test_media_item_carries_what_the_adapter_needs(tiktok: FakeTikTok) -> None:
    item = delivery(tiktok, size=900)
    found = content.content_for(item)
    [clip] = found.media
    assert isinstance(clip, MediaItem)
    assert (clip.kind, clip.size, clip.duration) == ("video", 900, 14.0)
    assert Path(clip.path).read_bytes() == video_bytes(900)
    assert found.options == {"privacy_level": "PUBLIC_TO_EVERYONE"}

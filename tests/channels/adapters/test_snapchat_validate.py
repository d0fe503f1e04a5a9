"""What Snapchat would refuse, checked before a reminder asks a person to post it
(platforms.md §9; every limit there is unconfirmed)."""

from __future__ import annotations

import pytest
import requests

from channels.adapters import base, registry
from channels.adapters.snapchat import SnapchatAdapter

ADAPTER = SnapchatAdapter({}, requests.Session())
MB = 1024 * 1024


def jpeg(size: int = 200_000) -> base.MediaItem:
    return base.MediaItem("/media/p.jpg", "image/jpeg", "image", size, 1080, 1920)


def mp4(seconds: float | None = 20, size: int = 5 * MB, mime: str = "video/mp4") -> base.MediaItem:
    return base.MediaItem(
        "/media/v.mp4", mime, "video", size, 1080, 1920, duration=seconds, container="mov,mp4"
    )


def messages(content: base.Content) -> list[str]:
    return [p.message for p in ADAPTER.validate(content)]


def test_snapchat_is_registered_as_a_network_posted_by_hand() -> None:
    assert registry.adapter_class("snapchat") is SnapchatAdapter
    assert (SnapchatAdapter.connects_by, SnapchatAdapter.can_publish) == ("manual", False)
    assert SnapchatAdapter.display_name == "Snapchat"


def test_one_photo_or_one_video_with_a_short_caption_passes() -> None:
    assert ADAPTER.validate(base.Content("Buns at 7", media=(jpeg(),))) == []
    assert ADAPTER.validate(base.Content("", media=(mp4(),))) == []


def test_a_post_without_media_is_refused() -> None:
    assert messages(base.Content("Only words")) == ["Snapchat needs a photo or video."]


def test_one_media_item_per_post() -> None:
    assert messages(base.Content("Two", media=(jpeg(), jpeg()))) == [
        "Snapchat allows 1 images per post."
    ]
    assert messages(base.Content("Mixed", media=(jpeg(), mp4()))) == [
        "Snapchat does not mix images and video in one post."
    ]


def test_the_caption_is_at_most_160_characters() -> None:
    assert ADAPTER.validate(base.Content("a" * 160, media=(jpeg(),))) == []
    assert ADAPTER.validate(base.Content("a" * 161, media=(jpeg(),))) == [
        base.Problem("text", "Snapchat allows 160 characters; this text has 161.", "too_long")
    ]


@pytest.mark.parametrize("seconds", [4.5, 61])
def test_videos_run_5_to_60_seconds(seconds: float) -> None:
    assert messages(base.Content("", media=(mp4(seconds),))) == [
        f"Snapchat takes videos of 5 to 60 seconds; this one is {seconds:g}."
    ]


def test_videos_are_mp4_up_to_500_mb_and_images_up_to_20_mb() -> None:
    assert messages(base.Content("", media=(mp4(mime="video/quicktime"),))) == [
        "Snapchat does not take video/quicktime files."
    ]
    assert messages(base.Content("", media=(mp4(size=501 * MB),))) == [
        "Snapchat takes videos up to 500 MB."
    ]
    assert ADAPTER.validate(base.Content("", media=(jpeg(20 * MB),))) == []
    assert messages(base.Content("", media=(jpeg(20 * MB + 1),))) == [
        "Snapchat takes images up to 20 MB."
    ]


def test_a_saved_story_title_is_at_most_45_characters() -> None:
    ok = base.Content("", media=(jpeg(),), options={"title": "t" * 45})
    assert ADAPTER.validate(ok) == []
    long = base.Content("", media=(jpeg(),), options={"title": "t" * 46})
    assert messages(long) == ["Snapchat allows 45 characters in Saved Story title; this has 46."]


def test_publish_is_refused_because_smo_never_calls_snapchat() -> None:
    with pytest.raises(base.Permanent) as refused:
        ADAPTER.publish(
            base.Credentials("acmebakery"), base.Content("", media=(jpeg(),)), "k", base.Progress()
        )
    assert refused.value.detail == (
        "Snapchat has no posting API open to SMO; post it by hand from the reminder."
    )

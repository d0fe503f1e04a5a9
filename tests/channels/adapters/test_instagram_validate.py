"""What Instagram would refuse, found before anything is scheduled (platforms.md §3)."""

from __future__ import annotations

import pytest
import requests

from channels.adapters import base
from channels.adapters.instagram import InstagramAdapter

ADAPTER = InstagramAdapter({}, requests.Session())
MB = 1024 * 1024


def jpeg(
    width: int | None = 1080, height: int | None = 1080, size: int = 200_000
) -> base.MediaItem:
    return base.MediaItem("/media/p.jpg", "image/jpeg", "image", size, width, height)


def messages(content: base.Content) -> list[str]:
    return [p.message for p in ADAPTER.validate(content)]


def test_a_post_within_every_limit_passes() -> None:
    text = "a" * 2170 + " #x" * 10
    assert ADAPTER.validate(base.Content(text, media=(jpeg(),), first_comment="More")) == []


def test_the_caption_is_at_most_2200_characters_link_included() -> None:
    assert ADAPTER.validate(base.Content("a" * 2200, media=(jpeg(),))) == []
    assert ADAPTER.validate(base.Content("a" * 2201, media=(jpeg(),))) == [
        base.Problem("text", "Instagram allows 2200 characters; this text has 2201.", "too_long")
    ]
    # "\n\n" and the link are part of the caption.
    assert messages(base.Content("a" * 2180, media=(jpeg(),), link="https://acme.example/x")) == [
        "Instagram allows 2200 characters; this text has 2204."
    ]


def test_at_most_30_hashtags() -> None:
    assert (
        ADAPTER.validate(base.Content(" ".join(f"#t{n}" for n in range(30)), media=(jpeg(),))) == []
    )
    assert ADAPTER.validate(
        base.Content(" ".join(f"#t{n}" for n in range(31)), media=(jpeg(),))
    ) == [
        base.Problem(
            "text",
            "Instagram allows 30 hashtags in a caption; this one has 31.",
            "too_many_hashtags",
        )
    ]


def test_at_most_20_mentions_and_email_addresses_are_not_mentions() -> None:
    twenty = " ".join(f"@user.{n}" for n in range(20)) + " hello@acme.example"
    assert ADAPTER.validate(base.Content(twenty, media=(jpeg(),))) == []
    assert ADAPTER.validate(base.Content(twenty + " @one_more", media=(jpeg(),))) == [
        base.Problem(
            "text",
            "Instagram allows 20 @mentions in a caption; this one has 21.",
            "too_many_mentions",
        )
    ]


@pytest.mark.parametrize(
    ("width", "height", "ok"),
    [
        (1080, 1350, True),  # exactly 4:5
        (1080, 1351, False),
        (1910, 1000, True),  # exactly 1.91:1
        (1911, 1000, False),
        (1080, 1080, True),
        (None, None, True),  # unknown: Instagram decides
        (200, 200, True),  # below 320 wide: Instagram scales it up
        (4000, 3000, True),  # above 1440 wide: scaled down
    ],
)
def test_images_must_be_between_4_5_and_1_91_1(
    width: int | None, height: int | None, ok: bool
) -> None:
    problems = ADAPTER.validate(base.Content("x", media=(jpeg(width, height),)))
    assert (problems == []) is ok


def test_the_aspect_ratio_problem_says_the_numbers() -> None:
    assert messages(base.Content("x", media=(jpeg(1080, 1920),))) == [
        "Instagram takes images from 4:5 to 1.91:1; p.jpg is 1080x1920 (0.56:1)."
    ]


def test_a_carousel_takes_at_most_10_items() -> None:
    assert ADAPTER.validate(base.Content("x", media=(jpeg(),) * 10)) == []
    assert ADAPTER.validate(base.Content("x", media=(jpeg(),) * 11)) == [
        base.Problem(
            "media", "An Instagram carousel takes 2 to 10 items; this post has 11.", "too_many"
        )
    ]


def test_images_and_videos_may_be_mixed_in_a_carousel() -> None:
    clip = base.MediaItem("/media/c.mp4", "video/mp4", "video", 10 * MB)
    assert ADAPTER.validate(base.Content("x", media=(jpeg(), clip))) == []


def test_only_jpeg_images_up_to_8_mb() -> None:
    png = base.MediaItem("/media/logo.png", "image/png", "image", 1000, 1080, 1080)
    assert ADAPTER.validate(base.Content("x", media=(png,))) == [
        base.Problem("media", "Instagram takes JPEG images only; logo.png is image/png.", "type")
    ]
    assert ADAPTER.validate(base.Content("x", media=(jpeg(size=8 * MB),))) == []
    assert messages(base.Content("x", media=(jpeg(size=9 * MB),))) == [
        "Instagram takes images up to 8 MB; p.jpg is 9 MB."
    ]


def test_videos_are_mp4_or_mov_up_to_300_mb() -> None:
    def video(mime: str, size: int) -> base.MediaItem:
        return base.MediaItem("/media/clip.x", mime, "video", size)

    assert ADAPTER.validate(base.Content("x", media=(video("video/quicktime", 300_000_000),))) == []
    assert messages(base.Content("x", media=(video("video/mp4", 301_000_000),))) == [
        "Instagram takes videos up to 300 MB; clip.x is 301 MB."
    ]
    assert messages(base.Content("x", media=(video("video/x-matroska", 1000),))) == [
        "Instagram takes MP4 or MOV videos; clip.x is video/x-matroska."
    ]


def test_there_are_no_text_only_posts() -> None:
    assert ADAPTER.validate(base.Content("Just words")) == [
        base.Problem(
            "media", "Instagram needs an image or a video; it has no text-only posts.", "required"
        )
    ]


def test_first_comments_yes_threads_no() -> None:
    assert [
        p.field for p in ADAPTER.validate(base.Content("x", media=(jpeg(),), thread=("y",)))
    ] == ["thread"]
    limits = InstagramAdapter.limits
    assert (limits.first_comment, limits.threads, limits.max_text) == (True, False, 2200)

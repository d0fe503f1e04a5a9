"""What X would refuse, found before anything is scheduled (platforms.md §1)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from channels import text
from channels.adapters.base import Content, MediaItem, Problem
from channels.adapters.session import build_session
from channels.adapters.x import XAdapter

MB = 1024 * 1024
X = XAdapter({"client_id": "id", "client_secret": "secret"}, build_session(1))


def image(size: int = 1000, mime: str = "image/png", alt: str = "") -> MediaItem:
    return MediaItem("/media/a", mime, "image", size, alt_text=alt)


def video(size: int = 1000, mime: str = "video/mp4") -> MediaItem:
    return MediaItem("/media/v", mime, "video", size)


def test_the_limits_say_how_x_counts_and_what_it_takes() -> None:
    limits = XAdapter.limits
    assert (limits.max_text, limits.counting) == (280, text.X_WEIGHTED)
    assert (limits.threads, limits.first_comment) == (True, True)
    assert (limits.posts_per_window, limits.window) == (100, timedelta(minutes=15))
    assert (limits.max_image_bytes, limits.max_video_bytes) == (5 * MB, 512 * MB)
    assert XAdapter.required_config == ("client_id", "client_secret")
    assert XAdapter.required_settings == ("X_CLIENT_ID", "X_CLIENT_SECRET")
    assert (XAdapter.network, XAdapter.display_name) == ("x", "X")


def test_text_up_to_280_weighted_characters_passes() -> None:
    assert X.validate(Content("a" * 280)) == []
    assert X.validate(Content("漢" * 140)) == []
    assert X.validate(Content("a" * 281)) == [
        Problem("text", "X allows 280 characters per post; this text has 281.", "too_long")
    ]
    assert X.validate(Content("漢" * 141)) == [
        Problem("text", "X allows 280 characters per post; this text has 282.", "too_long")
    ]


def test_the_link_counts_23_in_the_first_post() -> None:
    link = "https://example.com/" + "long-path/" * 20
    assert X.validate(Content("a" * 256, link=link)) == []  # 256 + space + 23
    assert X.validate(Content("a" * 257, link=link)) == [
        Problem("text", "X allows 280 characters per post; this text has 281.", "too_long")
    ]


def test_each_thread_post_and_the_first_comment_are_checked() -> None:
    content = Content("Start", thread=("fine", "b" * 300, " "), first_comment="🎉" * 141)
    assert X.validate(content) == [
        Problem(
            "thread", "X allows 280 characters per post; post 3 of the thread has 300.", "too_long"
        ),
        Problem("thread", "Post 4 of the thread is empty.", "empty"),
        Problem(
            "first_comment",
            "X allows 280 characters per post; the first comment has 282.",
            "too_long",
        ),
    ]


def test_a_post_needs_text_or_media() -> None:
    assert X.validate(Content("  ")) == [Problem("text", "X needs text or media.", "empty")]
    assert X.validate(Content("", link="https://example.com")) == []
    assert X.validate(Content("", media=(image(),))) == []


def test_up_to_four_images_pass() -> None:
    assert X.validate(Content("x", media=(image(),) * 4)) == []
    assert X.validate(Content("x", media=(image(),) * 5)) == [
        Problem("media", "X allows 4 images per post; this post has 5.")
    ]


@pytest.mark.parametrize(
    ("media", "message"),
    [
        (
            (image(mime="image/gif"), image()),
            "X takes one GIF per post, with no other media; this post has 2 files.",
        ),
        (
            (video(), image()),
            "X takes one video per post, with no other media; this post has 2 files.",
        ),
        (
            (video(), video()),
            "X takes one video per post, with no other media; this post has 2 files.",
        ),
    ],
)
def test_a_gif_or_a_video_goes_alone(media: tuple[MediaItem, ...], message: str) -> None:
    assert X.validate(Content("x", media=media)) == [Problem("media", message)]


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (image(5 * MB), None),
        (image(6 * MB), "X takes images up to 5 MB; file 1 is 6 MB."),
        (image(15 * MB, "image/gif"), None),
        (image(16 * MB, "image/gif"), "X takes GIFs up to 15 MB; file 1 is 16 MB."),
        (video(512 * MB), None),
        (video(600 * MB), "X takes videos up to 512 MB; file 1 is 600 MB."),
        (video(mime="video/quicktime"), None),
        (image(mime="image/tiff"), "X does not take image/tiff files (file 1)."),
        (video(mime="video/x-msvideo"), "X does not take video/x-msvideo files (file 1)."),
        (image(0), "File 1 is empty."),
        (image(alt="a" * 1000), None),
        (image(alt="a" * 1001), "X allows alt text up to 1000 characters; file 1 has 1001."),
    ],
)
def test_each_file_is_checked_for_type_size_and_alt_text(
    item: MediaItem, message: str | None
) -> None:
    problems = X.validate(Content("x", media=(item,)))
    assert problems == ([Problem("media", message)] if message else [])

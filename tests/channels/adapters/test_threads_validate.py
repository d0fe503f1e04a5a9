"""What Threads refuses before anything is scheduled: 500 characters where an emoji
counts its UTF-8 bytes (platforms.md §4), carousels of up to 20, media types."""

from __future__ import annotations

import pytest
import requests

from channels import text as text_rules
from channels.adapters import base
from channels.adapters.threads import ThreadsAdapter


@pytest.fixture
def adapter() -> ThreadsAdapter:
    return ThreadsAdapter({}, requests.Session())


def photo(name: str = "a.jpg", mime: str = "image/jpeg", size: int = 200_000) -> base.MediaItem:
    return base.MediaItem(f"/m/{name}", mime, "image", size, 1080, 1080, url=f"https://s/{name}")


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("Fresh bread", 11),
        ("😀", 4),  # one code point, four bytes
        ("👍🏽", 8),  # with a skin tone
        ("❤️", 6),  # heart and variation selector
        ("🇸🇪", 8),  # a flag: two regional indicators
        ("👨‍👩‍👧", 18),  # a ZWJ family
        ("1️⃣", 7),  # a keycap
        ("café", 4),  # letters outside ASCII count one each
        ("cafe\u0301", 4),  # NFC first
        ("Bröd 🥖!", 10),
    ],
)
def test_threads_counts_emoji_as_their_utf8_bytes(text: str, length: int) -> None:
    assert text_rules.count(text, text_rules.THREADS) == length


def test_500_characters_pass_and_501_do_not(adapter: ThreadsAdapter) -> None:
    assert adapter.validate(base.Content("a" * 500)) == []
    [problem] = adapter.validate(base.Content("a" * 501))
    assert (problem.field, problem.code, problem.message) == (
        "text",
        "too_long",
        "Threads allows 500 characters; this text has 501.",
    )


def test_emoji_push_a_text_over_the_limit_that_counts_fewer_characters(
    adapter: ThreadsAdapter,
) -> None:
    text = "a" * 490 + "😀😀😀"  # 493 code points, 502 as Threads counts
    [problem] = adapter.validate(base.Content(text))
    assert problem.message == "Threads allows 500 characters; this text has 502."
    assert adapter.text_length(base.Content(text)) == 502


def test_the_link_is_part_of_the_text_and_the_meter(adapter: ThreadsAdapter) -> None:
    content = base.Content("a" * 480, link="https://acme.example/menu")
    assert adapter.text_length(content) == 480 + 2 + 25
    assert [p.code for p in adapter.validate(content)] == ["too_long"]


def test_each_post_of_a_thread_has_its_own_500(adapter: ThreadsAdapter) -> None:
    content = base.Content("Spring menu, a thread:", thread=("Buns.", "x" * 499 + "🥐", " "))
    problems = adapter.validate(content)
    assert [(p.field, p.code, p.message) for p in problems] == [
        (
            "thread",
            "too_long",
            "Threads allows 500 characters per post; post 3 of the thread has 503.",
        ),
        ("thread", "empty", "Post 4 of the thread is empty."),
    ]


def test_a_carousel_takes_up_to_20_items_mixed(adapter: ThreadsAdapter) -> None:
    clip = base.MediaItem("/m/c.mp4", "video/mp4", "video", 10_000, url="https://s/c.mp4")
    twenty = (*(photo(f"{i}.jpg") for i in range(19)), clip)
    assert adapter.validate(base.Content("Our week", media=twenty)) == []
    problems = adapter.validate(base.Content("Our week", media=(*twenty, photo("x.jpg"))))
    assert ("media", "too_many") in [(p.field, p.code) for p in problems]


def test_images_are_jpeg_or_png_up_to_8_mb(adapter: ThreadsAdapter) -> None:
    assert adapter.validate(base.Content("", media=(photo("p.png", "image/png"),))) == []
    [gif] = adapter.validate(base.Content("", media=(photo("g.gif", "image/gif"),)))
    assert gif.message == "Threads does not take image/gif files."
    [big] = adapter.validate(base.Content("", media=(photo(size=9 * 1024 * 1024),)))
    assert big.message == "Threads takes images up to 8 MB."


def test_videos_up_to_five_minutes(adapter: ThreadsAdapter) -> None:
    long = base.MediaItem("/m/l.mp4", "video/mp4", "video", 10_000, duration=301.0)
    [problem] = adapter.validate(base.Content("", media=(long,)))
    assert problem.code == "duration"


def test_an_empty_post_is_refused(adapter: ThreadsAdapter) -> None:
    assert [p.code for p in adapter.validate(base.Content("  "))] == ["empty"]


def test_threads_limits(adapter: ThreadsAdapter) -> None:
    limits = adapter.limits
    assert (limits.max_text, limits.counting, limits.threads) == (500, "threads", True)
    assert (limits.posts_per_window, limits.window.total_seconds()) == (250, 86400)
    assert ThreadsAdapter.refresh_margin is not None
    assert ThreadsAdapter.refresh_margin.days == 7

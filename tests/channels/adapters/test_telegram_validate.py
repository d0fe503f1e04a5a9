"""TelegramAdapter.validate: Telegram's limits, found before anything is scheduled."""

from __future__ import annotations

import requests

from channels.adapters.base import Content, MediaItem, Problem
from channels.adapters.telegram import TelegramAdapter

ADAPTER = TelegramAdapter({}, requests.Session())
PHOTO = MediaItem("/nowhere.jpg", "image/jpeg", "image", 200_000, 1080, 1350)
VIDEO = MediaItem("/nowhere.mp4", "video/mp4", "video", 2_000_000, 1080, 1920, duration=30)


def codes(content: Content) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in ADAPTER.validate(content)]


def test_a_message_of_4096_characters_is_taken_and_4097_refused() -> None:
    assert ADAPTER.validate(Content("a" * 4096)) == []
    assert ADAPTER.validate(Content("a" * 4097)) == [
        Problem("text", "Telegram allows 4096 characters; this text has 4097.", "too_long")
    ]


def test_an_emoji_outside_the_bmp_counts_two_as_telegram_measures_in_utf16() -> None:
    content = Content("a" * 4094 + "😀")
    assert ADAPTER.text_length(content) == 4096
    assert codes(Content("a" * 4095 + "😀")) == [("text", "too_long")]


def test_the_added_link_counts() -> None:
    content = Content("a" * 4090, link="https://acme.example/buns")
    assert ADAPTER.text_length(content) == 4090 + 2 + len("https://acme.example/buns")
    assert codes(content) == [("text", "too_long")]


def test_a_caption_beside_media_takes_1024() -> None:
    assert ADAPTER.validate(Content("a" * 1024, media=(PHOTO,))) == []
    assert ADAPTER.validate(Content("a" * 1025, media=(PHOTO,))) == [
        Problem(
            "text",
            "Telegram allows 1024 characters beside photos or videos; this text has 1025.",
            "too_long",
        )
    ]


def test_an_album_mixes_photos_and_videos_up_to_ten() -> None:
    assert ADAPTER.validate(Content("", media=(PHOTO, VIDEO) * 5)) == []
    assert codes(Content("", media=(PHOTO,) * 11)) == [("media", "invalid")]


def test_files_telegram_would_not_take() -> None:
    gif = MediaItem("/a.gif", "image/gif", "image", 1000, 10, 10)
    big = MediaItem("/a.jpg", "image/jpeg", "image", 11 * 1024 * 1024, 10, 10)
    mov = MediaItem("/a.mov", "video/quicktime", "video", 1000, 10, 10)
    huge = MediaItem("/a.mp4", "video/mp4", "video", 51 * 1024 * 1024, 10, 10)
    strip = MediaItem("/a.jpg", "image/jpeg", "image", 1000, 2100, 100)
    problems = [p.message for p in ADAPTER.validate(Content("x", media=(gif,)))]
    assert problems == ["Telegram does not take image/gif files."]
    assert [p.message for p in ADAPTER.validate(Content("x", media=(big,)))] == [
        "Telegram takes images up to 10 MB."
    ]
    assert [p.message for p in ADAPTER.validate(Content("x", media=(mov,)))] == [
        "Telegram does not take video/quicktime files."
    ]
    assert [p.message for p in ADAPTER.validate(Content("x", media=(huge,)))] == [
        "Telegram takes videos up to 50 MB."
    ]
    assert codes(Content("x", media=(strip,))) == [("media", "aspect")]


def test_an_empty_post_and_a_thread_are_refused() -> None:
    assert codes(Content("  ")) == [("text", "empty")]
    assert codes(Content("One", thread=("Two",))) == [("thread", "unsupported")]


def test_silent_must_be_yes_or_no() -> None:
    assert codes(Content("Hi", options={"silent": "loud"})) == [("options.silent", "invalid")]
    assert ADAPTER.validate(Content("Hi", options={"silent": True})) == []

"""What Discord would refuse, found before anything is scheduled (platforms.md §13)."""

from __future__ import annotations

import requests

from channels.adapters import base
from channels.adapters.discord import DiscordAdapter, message_text

ADAPTER = DiscordAdapter({}, requests.Session())
LINK = "https://acme.example/buns"


def photo(n: int = 0, size: int = 200_000) -> base.MediaItem:
    return base.MediaItem(f"/nowhere/{n}.jpg", "image/jpeg", "image", size, 800, 600)


def problems(content: base.Content) -> list[tuple[str, str, str]]:
    return [(p.field, p.code, p.message) for p in ADAPTER.validate(content)]


def test_2000_characters_pass_and_2001_do_not() -> None:
    assert problems(base.Content("a" * 2000)) == []
    assert problems(base.Content("a" * 2001)) == [
        ("text", "too_long", "Discord allows 2000 characters; this text has 2001.")
    ]


def test_the_link_counts_since_it_is_added_to_the_text() -> None:
    content = base.Content("a" * 1980, link=LINK)
    assert ADAPTER.text_length(content) == 1980 + 1 + len(LINK)
    assert problems(content) == [
        ("text", "too_long", "Discord allows 2000 characters with the link; this text has 2006.")
    ]
    assert message_text(base.Content("", link=LINK)) == LINK


def test_an_empty_post_is_refused() -> None:
    assert problems(base.Content("  ")) == [("text", "empty", "Discord needs text or media.")]


def test_ten_files_pass_and_eleven_do_not() -> None:
    assert problems(base.Content("", media=tuple(photo(n) for n in range(10)))) == []
    assert problems(base.Content("", media=tuple(photo(n) for n in range(11)))) == [
        ("media", "invalid", "Discord allows 10 images per post."),
    ]
    clip = base.MediaItem("/nowhere/clip.mp4", "video/mp4", "video", 4000, 1080, 1920)
    assert problems(base.Content("", media=(*(photo(n) for n in range(10)), clip))) == [
        ("media", "too_many", "Discord allows 10 files per message."),
    ]


def test_a_file_over_10_mb_is_refused() -> None:
    assert problems(base.Content("", media=(photo(size=11 * 1024 * 1024),))) == [
        ("media", "invalid", "Discord takes images up to 10 MB.")
    ]


def test_a_thread_id_must_be_a_snowflake_and_excludes_a_forum_title() -> None:
    assert problems(base.Content("Hi", options={"thread_id": "general"})) == [
        (
            "options.thread_id",
            "invalid",
            "A Discord thread ID is a long number, like 1234567890123456789.",
        )
    ]
    both = {"thread_id": "1180000000000000001", "thread_name": "Buns"}
    assert problems(base.Content("Hi", options=both)) == [
        (
            "options.thread_name",
            "invalid",
            "Discord takes a forum post title or a thread ID, not both.",
        )
    ]


def test_a_name_discord_refuses_is_caught_and_a_long_one_too() -> None:
    assert problems(base.Content("Hi", options={"username": "Discord news"})) == [
        ("options.username", "invalid", 'Discord refuses names with "clyde" or "discord" in them.')
    ]
    assert problems(base.Content("Hi", options={"username": "a" * 81})) == [
        (
            "options.username",
            "too_long",
            "Discord allows 80 characters in Post as; this has 81.",
        )
    ]


def test_the_options_show_in_the_composer() -> None:
    assert [(o.name, o.kind, o.max_length) for o in DiscordAdapter.post_options] == [
        ("username", "text", 80),
        ("thread_name", "text", 100),
        ("thread_id", "text", 25),
    ]


def test_threads_and_first_comments_are_not_discord_things() -> None:
    content = base.Content("Hi", thread=("more",), first_comment="first")
    assert [(f, c) for f, c, _ in problems(content)] == [
        ("thread", "unsupported"),
        ("first_comment", "unsupported"),
    ]

"""What MastodonAdapter refuses before anything is scheduled, by the account's own
instance's limits, counting text as Mastodon does."""

from __future__ import annotations

from typing import Any

import requests

from channels import text as text_rules
from channels.adapters.base import Content, MediaItem
from channels.adapters.mastodon import MastodonAdapter

MB = 1024 * 1024


def adapter(limits: dict[str, Any] | None = None) -> MastodonAdapter:
    made = MastodonAdapter({}, requests.Session())
    made.limits = made.account_limits({"limits": limits} if limits is not None else {})  # type: ignore[misc]
    return made


def photo(n: int = 1, size: int = 200_000, mime: str = "image/jpeg", alt: str = "") -> MediaItem:
    return MediaItem(f"/p{n}.jpg", mime, "image", size, 800, 600, alt)


def codes(found: list[Any]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in found]


def test_without_stored_limits_mastodons_defaults_apply() -> None:
    limits = adapter().limits
    assert (limits.max_text, limits.max_images, limits.max_videos, limits.url_length) == (
        500,
        4,
        1,
        23,
    )
    assert limits.counting == text_rules.MASTODON
    assert limits.threads and not limits.mix_images_and_video
    assert limits.max_image_bytes == 16 * MB


def test_an_instance_with_a_higher_limit_takes_longer_text() -> None:
    roomy = adapter({"max_characters": 1000, "max_media_attachments": 6})
    assert roomy.validate(Content("a" * 1000)) == []
    assert codes(roomy.validate(Content("a" * 1001))) == [("text", "too_long")]
    assert roomy.validate(Content("Six", media=tuple(photo(i) for i in range(6)))) == []
    assert adapter().validate(Content("a" * 501))[0].message == (
        "Mastodon allows 500 characters; this text has 501."
    )


def test_every_url_counts_as_the_instances_reserved_length() -> None:
    url = "https://acme.com/" + "x" * 200  # .example is no TLD to twitter-text or Mastodon
    text = "a" * 476 + " " + url  # 476 + 1 + 23 = 500
    assert adapter().validate(Content(text)) == []
    assert adapter().text_length(Content(text)) == 500
    assert adapter({"characters_reserved_per_url": 30}).text_length(Content(text)) == 507


def test_a_remote_mention_counts_only_the_username() -> None:
    assert adapter().text_length(Content("@alice@mastodon.social hi")) == len("@alice hi")
    assert adapter().text_length(Content("mail me@acme.example")) == len("mail me@acme.example")


def test_graphemes_count_once() -> None:
    assert adapter().text_length(Content("👩‍👩‍👧‍👦" * 3)) == 3


def test_the_content_warning_and_the_link_count_too() -> None:
    content = Content("a" * 475, link="https://acme.com/buns", options={"spoiler_text": "CW"})
    assert adapter().text_length(content) == 2 + 475 + 2 + 23
    assert codes(adapter().validate(content)) == [("text", "too_long")]


def test_each_reply_of_a_thread_is_checked() -> None:
    found = adapter().validate(Content("short", thread=("fine", "b" * 501)))
    assert codes(found) == [("thread", "too_long")]


def test_a_poll_and_media_do_not_go_together() -> None:
    found = adapter().validate(Content("Which?", media=(photo(),), options={"poll": "A\nB"}))
    assert codes(found) == [("options.poll", "poll_and_media")]


def test_a_poll_takes_the_instances_number_of_choices() -> None:
    five = {"poll": "A\nB\nC\nD\nE"}
    assert codes(adapter().validate(Content("Which?", options=five))) == [
        ("options.poll", "poll_choices")
    ]
    assert adapter({"poll_max_options": 5}).validate(Content("Which?", options=five)) == []
    assert codes(adapter().validate(Content("Which?", options={"poll": "Only one"}))) == [
        ("options.poll", "poll_choices")
    ]


def test_a_poll_choice_and_length_stay_in_the_instances_range() -> None:
    long_choice = {"poll": "A\n" + "b" * 51}
    assert codes(adapter().validate(Content("Which?", options=long_choice))) == [
        ("options.poll", "too_long")
    ]
    short = adapter({"poll_min_expiration": 3600})
    found = short.validate(Content("Which?", options={"poll": "A\nB", "poll_duration": "300"}))
    assert codes(found) == [("options.poll_duration", "invalid")]
    assert codes(adapter().validate(Content("Which?", options={"poll": "A\nA"}))) == [
        ("options.poll", "poll_duplicate")
    ]


def test_visibility_and_language_must_be_known_values() -> None:
    found = adapter().validate(Content("Hi", options={"visibility": "secret", "language": "EN"}))
    assert codes(found) == [
        ("options.visibility", "invalid_choice"),
        ("options.language", "invalid"),
    ]


def test_media_types_and_sizes_come_from_the_instance() -> None:
    strict = adapter({"supported_mime_types": ["image/png", "video/mp4"], "image_size_limit": MB})
    assert codes(strict.validate(Content("x", media=(photo(),)))) == [("media", "invalid")]
    big = photo(mime="image/png", size=2 * MB)
    assert strict.validate(Content("x", media=(big,)))[0].message == (
        "Mastodon takes images up to 1 MB."
    )


def test_one_video_and_no_mixing() -> None:
    video = MediaItem("/v.mp4", "video/mp4", "video", 1000, 1080, 1920)
    assert codes(adapter().validate(Content("x", media=(video, video)))) == [("media", "invalid")]
    assert codes(adapter().validate(Content("x", media=(video, photo())))) == [("media", "invalid")]


def test_a_description_over_1500_characters_is_refused() -> None:
    found = adapter().validate(Content("x", media=(photo(alt="d" * 1501),)))
    assert codes(found) == [("media", "too_long")]

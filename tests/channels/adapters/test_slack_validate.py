"""What Slack would refuse or cut, found before anything is scheduled."""

from __future__ import annotations

import requests

from channels.adapters.base import Content, MediaItem
from channels.adapters.slack import SlackAdapter
from channels.adapters.slack_messages import message_text

adapter = SlackAdapter({}, requests.Session())


def test_text_up_to_forty_thousand_characters_is_taken() -> None:
    assert adapter.validate(Content("a" * 40_000)) == []


def test_longer_text_would_be_cut_so_it_is_refused() -> None:
    [problem] = adapter.validate(Content("a" * 40_001))
    assert (problem.field, problem.code) == ("text", "too_long")


def test_the_link_counts_towards_the_limit() -> None:
    content = Content("a" * 39_990, link="https://acme.example/buns")
    assert adapter.text_length(content) == 39_990 + 1 + len("https://acme.example/buns")
    [problem] = adapter.validate(content)
    assert problem.message == "Slack allows 40000 characters with the link; this has 40016."


def test_a_link_already_in_the_text_is_not_added_twice() -> None:
    content = Content("See https://acme.example/buns", link="https://acme.example/buns")
    assert message_text(content) == "See https://acme.example/buns"


def test_up_to_ten_files_of_any_mix_are_taken_and_eleven_are_not() -> None:
    photo = MediaItem("/a.png", "image/png", "image", 1000, 10, 10)
    clip = MediaItem("/b.mp4", "video/mp4", "video", 1000, 10, 10)
    assert adapter.validate(Content("", media=(photo,) * 5 + (clip,) * 5)) == []
    assert [p.message for p in adapter.validate(Content("", media=(photo,) * 11))] == [
        "Slack allows 10 images per post.",
        "Slack shares up to 10 files in one message; this post has 11.",
    ]
    [problem] = adapter.validate(Content("", media=(photo,) * 6 + (clip,) * 5))
    assert (problem.field, problem.code) == ("media", "too_many")


def test_a_post_needs_text_or_a_file() -> None:
    assert [(p.field, p.code) for p in adapter.validate(Content(""))] == [("text", "empty")]

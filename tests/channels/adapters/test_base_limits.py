"""The checks every adapter inherits: post options, media needed, video length and shape."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from channels.adapters import base
from channels.adapters.base import Content, Limits, MediaItem, Problem
from tests.option_network import OptionsAdapter

ADAPTER = OptionsAdapter({}, None)  # type: ignore[arg-type]
OK_OPTIONS = {"title": "Cardamom buns", "board": "1-cakes"}


def video(seconds: float | None = 10, width: int = 1080, height: int = 1920) -> MediaItem:
    return MediaItem("/m/clip.mp4", "video/mp4", "video", 1000, width, height, duration=seconds)


def problems(**options: Any) -> list[tuple[str, str, str]]:
    content = Content("Hi", media=(video(),), options={**OK_OPTIONS, **options})
    return [(p.field, p.message, p.code) for p in ADAPTER.validate(content)]


def adapter_with(**limits: Any) -> base.Adapter:
    class Limited(OptionsAdapter):
        pass

    Limited.limits = replace(OptionsAdapter.limits, **limits)
    return Limited({}, None)  # type: ignore[arg-type]


def test_a_post_with_every_option_right_has_no_problem() -> None:
    assert problems(description="Fresh", privacy="private", tags=["buns"], notify=False) == []


def test_required_options_are_asked_for_even_when_only_blank() -> None:
    assert problems(title="   ", board=None) == [
        ("options.title", "Testnet needs Title.", "required"),
        ("options.board", "Testnet needs Board.", "required"),
    ]


def test_each_text_option_is_held_to_its_length_and_tags_count_together() -> None:
    assert problems(title="x" * 21, tags=["sourdough", "rye", "buns"]) == [
        ("options.title", "Testnet allows 20 characters in Title; this has 21.", "too_long"),
        ("options.tags", "Testnet allows 15 characters in Tags; this has 16.", "too_long"),
    ]


def test_a_choice_must_be_one_of_the_networks() -> None:
    assert problems(privacy="friends") == [
        ("options.privacy", "Testnet has no Privacy friends.", "invalid_choice")
    ]


def test_a_value_of_the_wrong_type_is_a_problem_not_a_crash() -> None:
    assert problems(notify="yes", tags="buns", title=5) == [
        ("options.title", "Testnet cannot use this value for Title.", "invalid"),
        ("options.tags", "Testnet cannot use this value for Tags.", "invalid"),
        ("options.notify", "Testnet cannot use this value for Notify followers.", "invalid"),
    ]


def test_a_per_account_choice_is_not_checked_against_fixed_choices() -> None:
    # Its choices come from the network per account (option_choices).
    assert problems(board="any-board-id") == []


def test_a_network_that_needs_media_says_so_even_when_the_text_is_empty() -> None:
    found = ADAPTER.validate(Content("", options=OK_OPTIONS))
    assert Problem("media", "Testnet needs a photo or video.", "required") in found


@pytest.mark.parametrize(
    ("seconds", "message"),
    [
        (2.99, "Testnet takes videos of 3 to 60 seconds; this one is 2.9."),
        (60.04, "Testnet takes videos of 3 to 60 seconds; this one is 60.1."),
        (600, "Testnet takes videos of 3 to 60 seconds; this one is 600."),
    ],
)
def test_a_video_outside_the_length_limits_is_refused(seconds: float, message: str) -> None:
    found = ADAPTER.validate(Content("Hi", media=(video(seconds),), options=OK_OPTIONS))
    assert found == [Problem("media", message, "duration")]


@pytest.mark.parametrize("seconds", [3, 30.5, 60, None])
def test_a_video_inside_the_limits_or_of_unknown_length_passes(seconds: float | None) -> None:
    assert ADAPTER.validate(Content("Hi", media=(video(seconds),), options=OK_OPTIONS)) == []


def test_a_length_limit_on_one_side_says_only_that_side() -> None:
    longest = adapter_with(min_video_seconds=None, max_video_seconds=15)
    shortest = adapter_with(min_video_seconds=3, max_video_seconds=None)
    assert longest._shape_problems(video(15.5)) == [
        Problem("media", "Testnet takes videos of up to 15 seconds; this one is 15.5.", "duration")
    ]
    assert shortest._shape_problems(video(1)) == [
        Problem("media", "Testnet takes videos of at least 3 seconds; this one is 1.", "duration")
    ]
    assert shortest._shape_problems(video(7200)) == []


def test_a_file_wider_or_taller_than_the_network_takes_is_refused() -> None:
    wide = ADAPTER._shape_problems(video(10, 1920, 1080))
    assert wide == [
        Problem(
            "media",
            "Testnet takes width:height from 9:16 to 1:1; this file is 1920 by 1080 pixels.",
            "aspect",
        )
    ]
    tall = ADAPTER._shape_problems(video(10, 500, 1920))
    assert [p.code for p in tall] == ["aspect"]
    # 9:16 and 1:1 themselves pass, and so does a pixel off.
    assert ADAPTER._shape_problems(video(10, 1080, 1920)) == []
    assert ADAPTER._shape_problems(video(10, 1081, 1080)) == []
    assert ADAPTER._shape_problems(video(10, None, None)) == []  # type: ignore[arg-type]


def test_an_aspect_limit_on_one_side_says_only_that_side() -> None:
    landscape = adapter_with(min_aspect=1.0, max_aspect=None)
    portrait = adapter_with(min_aspect=None, max_aspect=4 / 5)
    assert landscape._shape_problems(video(10, 1080, 1920))[0].message == (
        "Testnet takes width:height of 1:1 or wider; this file is 1080 by 1920 pixels."
    )
    assert portrait._shape_problems(video(10, 1080, 1080))[0].message == (
        "Testnet takes width:height of 4:5 or taller; this file is 1080 by 1080 pixels."
    )


def test_images_are_held_to_the_aspect_limits_but_not_to_video_length() -> None:
    image = MediaItem("/m/a.jpg", "image/jpeg", "image", 10, 3000, 1000, duration=1.0)
    assert [p.code for p in ADAPTER._shape_problems(image)] == ["aspect"]


def test_limits_without_shape_rules_check_nothing() -> None:
    plain = Limits(max_text=10)
    assert (plain.min_video_seconds, plain.max_aspect, plain.requires_media) == (None, None, False)
    free = adapter_with(
        min_video_seconds=None, max_video_seconds=None, min_aspect=None, max_aspect=None
    )
    assert free._shape_problems(video(100_000, 10, 5000)) == []

"""What YouTube would refuse, found before anything is scheduled (no network)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from channels import text as text_rules
from channels.adapters import base
from channels.adapters.session import build_session
from channels.adapters.youtube import YouTubeAdapter
from channels.adapters.youtube_checks import tags_length


@pytest.fixture
def adapter() -> Iterator[YouTubeAdapter]:
    yield YouTubeAdapter({"client_id": "id", "client_secret": "secret"}, build_session(1.0))


def clip(**shape: Any) -> base.MediaItem:
    values = {"width": 1920, "height": 1080, "duration": 42.0, **shape}
    return base.MediaItem("/media/buns.mp4", "video/mp4", "video", 5_000_000, **values)


def cover(mime: str = "image/jpeg", size: int = 200_000) -> base.MediaItem:
    return base.MediaItem("/media/cover.jpg", mime, "image", size, 1280, 720)


def post(text: str = "Fresh at 7.", *media: base.MediaItem, **options: Any) -> base.Content:
    return base.Content(text, media=media or (clip(),), options={"title": "Buns", **options})


def found(adapter: YouTubeAdapter, content: base.Content) -> list[tuple[str, str, str]]:
    return [(p.field, p.code, p.message) for p in adapter.validate(content)]


def test_a_video_with_a_title_is_fine_and_an_empty_description_too(adapter: YouTubeAdapter) -> None:
    assert adapter.validate(post()) == []
    assert adapter.validate(post("")) == []
    assert adapter.validate(post("", clip(), cover())) == []


def test_the_description_is_counted_in_bytes(adapter: YouTubeAdapter) -> None:
    assert adapter.validate(post("a" * 5000)) == []
    assert adapter.validate(post("å" * 2500)) == []
    assert found(adapter, post("å" * 2501)) == [
        (
            "text",
            "too_long",
            "YouTube allows 5000 bytes in a description; this one has 5002 "
            "(letters outside English take 2 to 4 bytes each).",
        )
    ]
    assert adapter.text_length(post("å" * 10)) == 20


def test_the_link_at_the_end_counts_toward_the_description(adapter: YouTubeAdapter) -> None:
    content = replace(post("a" * 4990), link="https://acme.example/buns")
    assert adapter.text_length(content) == 4990 + 2 + len("https://acme.example/buns")
    assert [p.code for p in adapter.validate(content)] == ["too_long"]


def test_angle_brackets_are_refused_in_the_description_and_the_title(
    adapter: YouTubeAdapter,
) -> None:
    assert found(adapter, post("Buns <3", title="Buns > bread")) == [
        ("text", "invalid_character", 'A YouTube description cannot contain "<" or ">".'),
        ("options.title", "invalid_character", 'A YouTube title cannot contain "<" or ">".'),
    ]


def test_the_title_is_required_and_at_most_100_characters(adapter: YouTubeAdapter) -> None:
    assert found(adapter, post(title="   ")) == [
        ("options.title", "required", "A YouTube video needs a title.")
    ]
    assert found(adapter, replace(post(), options={})) == [
        ("options.title", "required", "A YouTube video needs a title.")
    ]
    assert adapter.validate(post(title="ö" * 100)) == []
    assert found(adapter, post(title="t" * 101)) == [
        (
            "options.title",
            "too_long",
            "YouTube allows 100 characters in a title; this one has 101.",
        )
    ]


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("privacy", "friends", "YouTube has no visibility friends."),
        ("category", "99", "YouTube has no category 99."),
        ("format", "reel", "YouTube has no format reel."),
    ],
)
def test_an_unknown_choice_is_refused(
    adapter: YouTubeAdapter, option: str, value: str, message: str
) -> None:
    assert found(adapter, post(**{option: value})) == [
        (f"options.{option}", "invalid_choice", message)
    ]


def test_every_listed_choice_is_taken(adapter: YouTubeAdapter) -> None:
    for option in adapter.post_options:
        for value, _ in option.choices:
            content = post("Hi", clip(width=1080, height=1920), **{option.name: value})
            assert adapter.validate(content) == [], (option.name, value)


def test_made_for_kids_takes_yes_or_no_only(adapter: YouTubeAdapter) -> None:
    for answer in (True, False, "true", "false", None):
        assert adapter.validate(post(made_for_kids=answer)) == [], answer
    assert found(adapter, post(made_for_kids="maybe")) == [
        (
            "options.made_for_kids",
            "invalid_choice",
            "Say yes or no to whether the video is made for kids.",
        )
    ]


def test_tags_count_commas_and_quotes_as_youtube_does(adapter: YouTubeAdapter) -> None:
    assert tags_length(["Foo-Baz"]) == 7
    assert tags_length(["Foo Baz"]) == 9
    assert tags_length(["a", "b c"]) == 1 + 1 + 5
    fits = ["x" * 99] * 5  # 495 + 4 commas
    assert adapter.validate(post(tags=fits)) == []
    assert adapter.validate(post(tags="buns, cardamom, baking")) == []
    over = ["x" * 99] * 4 + ["y y" + "y" * 96]  # 396 + (99 + 2 quotes) + 4 commas
    assert found(adapter, post(tags=over)) == [
        (
            "options.tags",
            "too_long",
            "YouTube allows 500 characters of tags; these have 501 (commas between tags "
            "count, and quotation marks around a tag with a space).",
        )
    ]


def test_a_video_is_required(adapter: YouTubeAdapter) -> None:
    assert found(adapter, base.Content("Hi", options={"title": "Buns"})) == [
        ("media", "required", "YouTube needs a photo or video.")
    ]
    assert found(adapter, post("Hi", cover())) == [
        ("media", "required", "YouTube needs a video; an image can only be its thumbnail.")
    ]


def test_one_video_and_at_most_one_thumbnail(adapter: YouTubeAdapter) -> None:
    assert [p.message for p in adapter.validate(post("Hi", clip(), clip()))] == [
        "YouTube allows 1 videos per post."
    ]
    assert [p.message for p in adapter.validate(post("Hi", clip(), cover(), cover()))] == [
        "YouTube allows 1 images per post."
    ]


def test_thumbnails_are_jpeg_or_png_up_to_2_mb(adapter: YouTubeAdapter) -> None:
    assert adapter.validate(post("Hi", clip(), cover("image/png"))) == []
    assert [p.message for p in adapter.validate(post("Hi", clip(), cover("image/gif")))] == [
        "YouTube does not take image/gif files."
    ]
    big = cover(size=2 * 1024 * 1024 + 1)
    assert [p.message for p in adapter.validate(post("Hi", clip(), big))] == [
        "YouTube takes images up to 2 MB."
    ]


def test_common_video_formats_are_taken(adapter: YouTubeAdapter) -> None:
    for mime in ("video/mp4", "video/quicktime", "video/webm", "video/x-msvideo", "video/mpeg"):
        assert adapter.validate(post("Hi", replace(clip(), mime_type=mime))) == [], mime
    assert [
        p.message for p in adapter.validate(post("Hi", replace(clip(), mime_type="video/x-foo")))
    ] == ["YouTube does not take video/x-foo files."]


def test_a_video_longer_than_12_hours_is_refused(adapter: YouTubeAdapter) -> None:
    assert adapter.validate(post("Hi", clip(duration=12 * 3600))) == []
    assert [p.code for p in adapter.validate(post("Hi", clip(duration=12 * 3600 + 1)))] == [
        "duration"
    ]


def test_a_short_must_be_vertical_or_square_and_at_most_three_minutes(
    adapter: YouTubeAdapter,
) -> None:
    vertical = clip(width=1080, height=1920, duration=59)
    assert adapter.validate(post("Hi", vertical, format="short")) == []
    assert (
        adapter.validate(post("Hi", clip(width=1080, height=1080, duration=180), format="short"))
        == []
    )
    assert (
        adapter.validate(post("Hi", clip(width=None, height=None, duration=None), format="short"))
        == []
    )
    assert found(adapter, post("Hi", clip(duration=181.4), format="short")) == [
        (
            "media",
            "aspect",
            "A YouTube Short must be vertical or square; this video is 1920 by 1080 pixels.",
        ),
        (
            "media",
            "duration",
            "A YouTube Short may be at most 180 seconds long; this video is 181.4 seconds.",
        ),
    ]
    # The same file is fine as a normal video.
    assert adapter.validate(post("Hi", clip(duration=181.4))) == []


def test_threads_and_first_comments_are_refused(adapter: YouTubeAdapter) -> None:
    content = replace(post(), thread=("Part two",), first_comment="First!")
    assert [(p.field, p.code) for p in adapter.validate(content)] == [
        ("thread", "unsupported"),
        ("first_comment", "unsupported"),
    ]


def test_the_post_options_and_their_defaults(adapter: YouTubeAdapter) -> None:
    options = {o.name: o for o in adapter.post_options}
    assert list(options) == ["title", "privacy", "category", "tags", "made_for_kids", "format"]
    assert [(o.kind, o.default, o.required) for o in options.values()] == [
        ("text", None, True),
        ("choice", "public", False),
        ("choice", "22", False),
        ("tags", None, False),
        ("bool", False, False),
        ("choice", "video", False),
    ]
    assert options["title"].max_length == 100
    assert options["tags"].max_length == 500
    assert [str(label) for _, label in options["category"].choices][:3] == [
        "Film & Animation",
        "Autos & Vehicles",
        "Music",
    ]


def test_the_bytes_rule_counts_utf8_after_nfc() -> None:
    assert text_rules.count("abc", text_rules.BYTES) == 3
    assert text_rules.count("å", text_rules.BYTES) == 2
    assert text_rules.count("a\u030a", text_rules.BYTES) == 2  # composed to "å" first
    assert text_rules.count("🧁", text_rules.BYTES) == 4


def test_the_adapter_reads_no_file_to_validate(adapter: YouTubeAdapter, tmp_path: Path) -> None:
    missing = replace(clip(), path=str(tmp_path / "not-there.mp4"))
    assert adapter.validate(post("Hi", missing)) == []

"""LinkedIn's little text (escaping, hashtags, length) and what validate refuses."""

from __future__ import annotations

import requests

from channels.adapters.base import Content, MediaItem
from channels.adapters.linkedin import LinkedInAdapter
from channels.adapters.linkedin_text import commentary, length, plain, same_text

adapter = LinkedInAdapter({}, requests.Session())


def photo(name: str = "a.jpg", **kw: object) -> MediaItem:
    fields: dict[str, object] = {"width": 1200, "height": 800, **kw}
    return MediaItem(f"/tmp/{name}", "image/jpeg", "image", 200_000, **fields)  # type: ignore[arg-type]


def test_every_reserved_character_is_escaped_so_linkedin_does_not_cut_the_post() -> None:
    assert commentary("a|b{c}d@e[f]g(h)i<j>k*l_m~n\\o") == (
        "a\\|b\\{c\\}d\\@e\\[f\\]g\\(h\\)i\\<j\\>k\\*l\\_m\\~n\\\\o"
    )


def test_hashtags_stay_hashtags_but_other_hashes_are_escaped() -> None:
    assert commentary("#Bakery buns #2026, C# and # alone, a#b") == (
        "#Bakery buns #2026, C\\# and \\# alone, a\\#b"
    )
    assert commentary("(#fresh)") == "\\(#fresh\\)"
    # An underscore ends a hashtag, as in LinkedIn's own composer.
    assert commentary("#my_tag") == "#my\\_tag"
    assert commentary("##double") == "\\#\\#double"  # not a hashtag: both literal


def test_a_commentary_read_back_from_linkedin_is_the_text_sent() -> None:
    text = "Buns (warm) #bakery at 7_ish ~ see [menu]"
    read_back = commentary(text).replace("#bakery", "{hashtag|\\#|bakery}")
    assert plain(read_back) == text
    assert same_text(read_back, text)
    assert plain("Thanks @[Acme Bakery](urn:li:organization:1)!") == "Thanks Acme Bakery!"


def test_length_counts_the_escapes_and_utf16_as_linkedin_does() -> None:
    assert length("abc") == 3
    assert length("(a)") == 5
    assert length("#tag") == 4
    assert length("😀") == 2  # outside the BMP: two UTF-16 code units
    assert length("é") == 1


def test_text_over_3000_as_linkedin_counts_is_refused_with_the_reason() -> None:
    assert adapter.validate(Content("a" * 3000)) == []
    [problem] = adapter.validate(Content("a" * 2999 + "("))
    assert (problem.field, problem.code) == ("text", "too_long")
    assert problem.message.startswith("LinkedIn allows 3000 characters; this text has 3001")
    assert adapter.text_length(Content("a" * 2999 + "(")) == 3001


def test_with_media_the_link_is_counted_in_the_text() -> None:
    content = Content("Buns", media=(photo(),), link="https://acme.example/buns")
    assert adapter.text_length(content) == len("Buns\n\nhttps://acme.example/buns")
    assert adapter.text_length(Content("Buns", link="https://acme.example/buns")) == 4


def test_up_to_twenty_images_jpeg_png_gif_and_no_webp() -> None:
    assert adapter.validate(Content("x", media=tuple(photo(f"{i}.jpg") for i in range(20)))) == []
    problems = adapter.validate(Content("x", media=tuple(photo(f"{i}.jpg") for i in range(21))))
    assert [p.message for p in problems] == ["LinkedIn allows 20 images per post."]
    webp = MediaItem("/tmp/a.webp", "image/webp", "image", 1000, 10, 10)
    assert [p.message for p in adapter.validate(Content("x", media=(webp,)))] == [
        "LinkedIn does not take image/webp files."
    ]


def test_images_of_36_million_pixels_or_more_are_refused() -> None:
    [problem] = adapter.validate(Content("x", media=(photo(width=6016, height=6016),)))
    assert problem.code == "too_big"


def test_videos_are_mp4_of_3_seconds_to_30_minutes_and_75_kb_up() -> None:
    def clip(seconds: float, size: int = 5_000_000) -> MediaItem:
        return MediaItem("/tmp/c.mp4", "video/mp4", "video", size, 1080, 1920, duration=seconds)

    assert adapter.validate(Content("x", media=(clip(12),))) == []
    assert [p.code for p in adapter.validate(Content("x", media=(clip(2),)))] == ["duration"]
    assert [p.code for p in adapter.validate(Content("x", media=(clip(1801),)))] == ["duration"]
    assert [p.code for p in adapter.validate(Content("x", media=(clip(12, 1000),)))] == [
        "too_small"
    ]
    mixed = Content("x", media=(clip(12), photo()))
    assert [p.message for p in adapter.validate(mixed)] == [
        "LinkedIn does not mix images and video in one post."
    ]


def test_visibility_is_anyone_or_connections() -> None:
    assert adapter.validate(Content("x", options={"visibility": "CONNECTIONS"})) == []
    [problem] = adapter.validate(Content("x", options={"visibility": "LOGGED_IN"}))
    assert (problem.field, problem.code) == ("options.visibility", "invalid_choice")

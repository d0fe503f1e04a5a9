"""What the Bluesky adapter refuses before anything is scheduled, how it counts,
and its facets and record keys, without a network."""

from __future__ import annotations

from datetime import UTC, datetime

import requests

from channels import text as text_rules
from channels.adapters import bluesky_records as records
from channels.adapters.base import Content, MediaItem
from channels.adapters.bluesky import BlueskyAdapter
from channels.adapters.bluesky_auth import is_app_password
from channels.adapters.bluesky_facets import facets

ADAPTER = BlueskyAdapter({}, requests.Session())
FAMILY = "👨‍👩‍👧‍👦"  # one grapheme, 25 bytes


def problems(content: Content) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in ADAPTER.validate(content)]


def image(size: int = 200_000, mime: str = "image/jpeg") -> MediaItem:
    return MediaItem("/nowhere", mime, "image", size, 1200, 800, "alt")


def test_text_is_counted_in_graphemes() -> None:
    assert text_rules.count(FAMILY + "🇸🇪e\u0301å", text_rules.GRAPHEMES) == 4
    assert ADAPTER.limits.counting == text_rules.GRAPHEMES
    assert ADAPTER.text_length(Content(FAMILY * 300)) == 300
    assert problems(Content("å" * 300)) == []
    assert problems(Content("å" * 301)) == [("text", "too_long")]


def test_300_graphemes_can_still_be_over_3000_bytes() -> None:
    # 120 family emoji are 120 graphemes but 3,000 bytes; one more is too many bytes.
    assert problems(Content(FAMILY * 120)) == []
    [problem] = ADAPTER.validate(Content(FAMILY * 121))
    assert (problem.field, problem.code) == ("text", "too_long")
    assert problem.message == "Bluesky allows 3000 bytes of text in a post; this one has 3025."


def test_each_post_of_a_thread_is_checked() -> None:
    assert problems(Content("one", thread=("two", "x" * 301, " "))) == [
        ("thread", "too_long"),
        ("thread", "empty"),
    ]


def test_images_up_to_four_and_large_gifs_are_refused() -> None:
    assert problems(Content("pics", media=(image(),) * 4)) == []
    assert problems(Content("pics", media=(image(),) * 5)) == [("media", "invalid")]
    # A large JPEG is made smaller when published; a large GIF would lose its animation.
    assert problems(Content("big", media=(image(8_000_000),))) == []
    assert problems(Content("gif", media=(image(1_500_000, "image/gif"),))) == [
        ("media", "too_large")
    ]


def test_videos_are_not_taken() -> None:
    video = MediaItem("/nowhere.mp4", "video/mp4", "video", 1000, duration=5.0)
    assert ("media", "invalid") in problems(Content("clip", media=(video,)))


def test_the_link_is_appended_when_images_take_the_card_s_place() -> None:
    link = "https://acme.example/buns"
    assert ADAPTER.post_text(Content("Buns", media=(image(),), link=link)) == f"Buns\n\n{link}"
    assert ADAPTER.post_text(Content(f"Buns {link}", media=(image(),), link=link)) == f"Buns {link}"
    assert ADAPTER.post_text(Content("Buns", link=link)) == "Buns"
    assert ADAPTER.text_length(Content("Buns", media=(image(),), link=link)) == 6 + len(link)


def spans(text: str, found: list[dict]) -> list[tuple[str, str]]:
    raw = text.encode()
    return [
        (
            raw[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode(),
            f["features"][0]["$type"].split("#")[1],
        )
        for f in found
    ]


def test_facets_use_utf8_byte_offsets() -> None:
    text = "Åäö 日本語 🧑‍🍳 https://example.com/path, #fika and @Alice.test."
    found = facets(text, {"alice.test": "did:plc:alice"}.get)
    assert spans(text, found) == [
        ("https://example.com/path", "link"),
        ("#fika", "tag"),
        ("@Alice.test", "mention"),
    ]
    link = found[0]["index"]
    assert link["byteStart"] == len("Åäö 日本語 🧑‍🍳 ".encode()) == 29
    assert found[2]["features"][0] == {
        "$type": "app.bsky.richtext.facet#mention",
        "did": "did:plc:alice",
    }


def test_unresolved_mentions_numbers_and_links_inside_words_stay_plain() -> None:
    text = "@nobody.test #2024 mail@acme.example x#tag (https://acme.example/a_(b))!"
    assert spans(text, facets(text, lambda handle: None)) == [
        ("https://acme.example/a_(b)", "link"),
    ]


def test_a_hashtag_leaves_out_trailing_punctuation() -> None:
    text = "Fresh #kanelbulle! #fika."
    assert [f["features"][0]["tag"] for f in facets(text, lambda h: None)] == ["kanelbulle", "fika"]


def test_record_keys_are_tids_that_name_the_delivery() -> None:
    now = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    first, second = records.mint_rkey("key", 0, now), records.mint_rkey("key", 1, now)
    assert records.TID.match(first) and records.TID.match(second)
    assert records.is_ours(first, "key", 0) and not records.is_ours(first, "key", 1)
    assert not records.is_ours(first, "other", 0)
    assert records.mint_rkey("key", 0, now) == first
    micros = records.decode_tid(first) >> 10
    assert abs(micros - now.timestamp() * 1_000_000) < 1100  # within about a millisecond


def test_app_passwords_are_told_from_main_passwords() -> None:
    assert is_app_password("abcd-efgh-ijkl-mnop")
    assert is_app_password(" ABCD-efgh-1234-mnop ")
    assert not is_app_password("hunter2-password")
    assert not is_app_password("abcd-efgh-ijkl")

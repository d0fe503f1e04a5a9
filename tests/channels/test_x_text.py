"""X's weighted text length (twitter-text v3; platforms.md §1), with exact numbers."""

from __future__ import annotations

import pytest
from twitter_text import parse_tweet

from channels import text


@pytest.mark.parametrize(
    ("sample", "length"),
    [
        ("", 0),
        ("Hello, world!", 13),
        ("a" * 280, 280),
        ("café", 4),
        ("e\u0301", 1),  # e + combining accent is one character after NFC
        ("日本語", 6),  # CJK weighs 2
        ("한국어", 6),
        ("𠀀", 2),  # a CJK character outside the BMP: one code point, weight 2
        ("\u201cquoted\u201d", 8),  # curly quotes are in the weight-1 range 8208-8223
        ("…", 2),  # U+2026 is just outside it
        ("a\r\nb", 3),  # CRLF counts once, as twitter-text's own normalisation does
        ("a\u200db", 3),  # a ZWJ between letters is just a character
    ],
)
def test_text_is_weighted_by_code_point_range(sample: str, length: int) -> None:
    assert text.count(sample, text.X_WEIGHTED) == length


@pytest.mark.parametrize(
    ("sample", "length"),
    [
        ("😷", 2),
        ("👍🏽", 2),  # with a skin tone
        ("👨\u200d👩\u200d👧\u200d👦", 2),  # a family: 7 code points
        ("🇸🇪", 2),  # a flag: two regional indicators
        ("🇸🇪🇸🇪", 4),
        ("1️⃣", 2),  # a keycap: 1 + U+FE0F + U+20E3
        ("🏴\U000e0067\U000e0062\U000e0073\U000e0063\U000e0074\U000e007f", 2),  # Scotland
        ("❤️\u200d🔥", 2),  # Emoji 13.1
        ("🏳️\u200d⚧️", 2),  # Emoji 13.0
        ("🫱🏼\u200d🫲🏿", 2),  # Emoji 14.0, two skin tones
        ("🧑\u200d🧑\u200d🧒", 2),  # Emoji 15.1
        ("🐦\u200d🔥", 2),  # Emoji 15.1
        ("©", 2),  # an emoji by Unicode's data even without U+FE0F, as twitter-text counts it
        ("👍\u200d", 3),  # a trailing ZWJ joins nothing
        ("Hi 👋 there", 11),
    ],
)
def test_an_emoji_weighs_2_however_many_code_points_it_has(sample: str, length: int) -> None:
    assert text.count(sample, text.X_WEIGHTED) == length


@pytest.mark.parametrize(
    ("sample", "length"),
    [
        ("https://example.com/a/very/long/path/that/goes/on/and/on?with=query#and-fragment", 23),
        ("http://x.co", 23),
        ("example.com", 23),  # no scheme, a known TLD
        ("Read example.com.", 29),  # the full stop is not part of the URL
        ("t.co/abc123", 23),
        ("www.example.org/path", 23),
        ("node.js", 7),  # not a TLD
        ("me@example.com", 14),  # an e-mail address is not a link
        ("see https://a.com https://b.org", 51),
        ("https://a.example", 17),  # not a TLD either, scheme or not
        ("english text 日本語 😷 https://example.com", 46),  # twitter-text's own example
    ],
)
def test_every_url_counts_23(sample: str, length: int) -> None:
    assert text.count(sample, text.X_WEIGHTED) == length


def test_a_full_post_of_cjk_is_140_characters() -> None:
    assert text.count("漢" * 140, text.X_WEIGHTED) == 280
    assert text.count("漢" * 141, text.X_WEIGHTED) == 282


def test_twitter_text_parser_is_right_about_urls_but_not_newer_emoji() -> None:
    # Why channels.text counts emoji itself: the library's emoji data is Unicode 12.
    assert parse_tweet("english text 日本語 😷 https://example.com").weightedLength == 46
    assert parse_tweet("❤️\u200d🔥").weightedLength == 5
    assert parse_tweet("🧑\u200d🧑\u200d🧒").weightedLength == 8
    assert text.count("❤️\u200d🔥 🧑\u200d🧑\u200d🧒", text.X_WEIGHTED) == 5


def test_without_urls_drops_links_and_keeps_the_rest() -> None:
    assert text.without_urls("Read https://t.co/abc and example.com now") == "Read  and  now"


def test_the_characters_rule_is_unchanged() -> None:
    assert text.count("e\u0301日本 https://example.com", text.CHARACTERS) == 23


def test_an_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError, match="'furlongs'"):
        text.count("x", "furlongs")

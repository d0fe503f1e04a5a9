"""Mastodon's length rule (StatusLengthValidator): graphemes, URLs with a scheme at
the instance's reserved length, remote mentions as @user."""

from __future__ import annotations

import pytest

from channels import text


@pytest.mark.parametrize(
    ("typed", "length"),
    [
        ("hello", 5),
        ("see https://example.com/" + "x" * 100 + " ok", 4 + 23 + 3),
        ("example.com has no scheme", len("example.com has no scheme")),
        ("@alice@mastodon.social hi", len("@alice hi")),
        ("@alice hi", len("@alice hi")),
        ("https://example.com/@bob", 23),  # the URL wins over the mention inside it
        ("👩‍👩‍👧‍👦 é", 3),
        ("a\rhttps://example.com/x\nb", 1 + 1 + 23 + 1 + 1),
    ],
)
def test_mastodon_counts_as_the_instance_does(typed: str, length: int) -> None:
    assert text.count(typed, text.MASTODON) == length


def test_the_reserved_url_length_is_the_instances() -> None:
    assert text.count("https://example.com/x", text.MASTODON, url_length=30) == 30

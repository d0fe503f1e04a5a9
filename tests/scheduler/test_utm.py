"""UTM tagging of links (scheduler/utm.py): what is added, where, and what is never touched."""

from __future__ import annotations

import pytest

from scheduler.utm import parameters, tag, tag_text

UTM = {"source": "mastodon", "medium": "social", "campaign": "spring-menu"}
TAGS = "utm_source=mastodon&utm_medium=social&utm_campaign=spring-menu"
ALL = {
    "source": "x",
    "medium": "social",
    "campaign": "launch",
    "term": "oat milk",
    "content": "variant b",
}


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://example.com", f"https://example.com?{TAGS}"),
        ("https://example.com/", f"https://example.com/?{TAGS}"),
        ("http://example.com/menu", f"http://example.com/menu?{TAGS}"),
        ("https://example.com/menu?", f"https://example.com/menu?{TAGS}"),
        ("https://example.com/?b=2&a=1", f"https://example.com/?b=2&a=1&{TAGS}"),
        ("https://example.com/?a=1&", f"https://example.com/?a=1&{TAGS}"),
        ("https://example.com/#menu", f"https://example.com/?{TAGS}#menu"),
        ("https://example.com/?a=1#menu", f"https://example.com/?a=1&{TAGS}#menu"),
        ("https://example.com/#", f"https://example.com/?{TAGS}#"),
        # A hash route's "?" belongs to the fragment: the query goes before the "#".
        ("https://example.com/app#/shop?id=3", f"https://example.com/app?{TAGS}#/shop?id=3"),
        ("HTTPS://Example.COM/X", f"HTTPS://Example.COM/X?{TAGS}"),
        ("https://example.com:8443/p", f"https://example.com:8443/p?{TAGS}"),
        ("https://user@example.com/p", f"https://user@example.com/p?{TAGS}"),
        ("https://[2001:db8::1]/p", f"https://[2001:db8::1]/p?{TAGS}"),
        # IDNs and encoded characters stay as they were written.
        ("https://bücher.de/straße?q=grün", f"https://bücher.de/straße?q=grün&{TAGS}"),
        ("https://xn--bcher-kva.de/", f"https://xn--bcher-kva.de/?{TAGS}"),
        ("https://example.com/a%20b?q=a+b%26c", f"https://example.com/a%20b?q=a+b%26c&{TAGS}"),
        ("https://example.com/?x=1;y=2", f"https://example.com/?x=1;y=2&{TAGS}"),
    ],
)
def test_tag_adds_the_parameters_at_the_end_of_the_query(url: str, expected: str) -> None:
    assert tag(url, UTM) == expected


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        (
            "https://example.com/?utm_source=newsletter",
            "https://example.com/?utm_source=newsletter&utm_medium=social&utm_campaign=spring-menu",
        ),
        (
            "https://example.com/?utm_campaign=&a=1",
            "https://example.com/?utm_campaign=&a=1&utm_source=mastodon&utm_medium=social",
        ),
        (
            "https://example.com/?UTM_Medium=print",
            "https://example.com/?UTM_Medium=print&utm_source=mastodon&utm_campaign=spring-menu",
        ),
        (
            "https://example.com/?utm_source",
            "https://example.com/?utm_source&utm_medium=social&utm_campaign=spring-menu",
        ),
        (f"https://example.com/?{TAGS}", f"https://example.com/?{TAGS}"),
        (f"https://example.com/?{TAGS}#top", f"https://example.com/?{TAGS}#top"),
    ],
)
def test_tag_keeps_parameters_the_link_already_has(url: str, expected: str) -> None:
    assert tag(url, UTM) == expected


@pytest.mark.parametrize(
    "url",
    [
        "mailto:hello@example.com",
        "mailto:hello@example.com?subject=Hi",
        "tel:+46812345",
        "ftp://example.com/file.txt",
        "javascript:alert(1)",
        "data:text/plain,hi",
        "/relative/path",
        "//example.com/protocol-relative",
        "example.com/no-scheme",
        "https://",
        "http://[::1",
        "",
    ],
)
def test_tag_leaves_anything_but_http_urls_alone(url: str) -> None:
    assert tag(url, UTM) == url


def test_tag_encodes_values_and_writes_all_five_in_order() -> None:
    assert tag("https://example.com/", ALL) == (
        "https://example.com/?utm_source=x&utm_medium=social&utm_campaign=launch"
        "&utm_term=oat+milk&utm_content=variant+b"
    )
    assert tag("https://example.com/", {"campaign": "a&b=c?#d/é"}) == (
        "https://example.com/?utm_campaign=a%26b%3Dc%3F%23d%2F%C3%A9"
    )


@pytest.mark.parametrize("utm", [{}, None, {"source": "", "medium": "  "}, {"unknown": "x"}])
def test_nothing_to_add_leaves_the_link_as_it_was(utm: dict[str, str] | None) -> None:
    assert tag("https://example.com/?a=1", utm) == "https://example.com/?a=1"
    assert tag_text("see https://example.com/", utm) == "see https://example.com/"


def test_parameters_skip_blank_and_unknown_keys_and_trim_values() -> None:
    utm = {"content": "b", "source": " x ", "medium": "", "gclid": "no", "campaign": None}
    assert parameters(utm) == [("utm_source", "x"), ("utm_content", "b")]


def test_tag_text_tags_every_web_link_and_keeps_the_rest_of_the_text() -> None:
    text = (
        "New menu (https://example.com/menu). Tickets: http://tix.example.org/?e=7#seats, "
        "mail hello@example.com or mailto:hello@example.com!"
    )
    assert tag_text(text, {"source": "x"}) == (
        "New menu (https://example.com/menu?utm_source=x). "
        "Tickets: http://tix.example.org/?e=7&utm_source=x#seats, "
        "mail hello@example.com or mailto:hello@example.com!"
    )


def test_tag_text_keeps_trailing_punctuation_outside_the_link() -> None:
    assert tag_text("Read https://example.com/a.", {"source": "x"}) == (
        "Read https://example.com/a?utm_source=x."
    )
    assert tag_text("«https://example.com/a»", {"source": "x"}) == (
        "«https://example.com/a?utm_source=x»"
    )


def test_tag_text_handles_idns_and_parenthesised_paths() -> None:
    text = "Wiki: https://en.wikipedia.org/wiki/Coffee_(drink) und https://bücher.de/kaffee"
    assert tag_text(text, {"source": "x"}) == (
        "Wiki: https://en.wikipedia.org/wiki/Coffee_(drink)?utm_source=x "
        "und https://bücher.de/kaffee?utm_source=x"
    )


def test_tag_text_leaves_links_without_a_scheme_and_file_names_alone() -> None:
    text = "Visit example.com/spring or www.example.com, see config.py"
    assert tag_text(text, {"source": "x"}) == text


def test_tag_text_tags_the_same_link_each_time_it_appears() -> None:
    assert tag_text("https://a.example.com/ and https://a.example.com/", {"source": "x"}) == (
        "https://a.example.com/?utm_source=x and https://a.example.com/?utm_source=x"
    )


def test_tag_text_on_text_without_links_returns_it_unchanged() -> None:
    assert tag_text("", {"source": "x"}) == ""
    assert tag_text("No links here. Just coffee.", {"source": "x"}) == (
        "No links here. Just coffee."
    )


def test_tagging_twice_adds_nothing_more() -> None:
    once = tag_text("https://example.com/?a=1#f", ALL)
    assert tag_text(once, ALL) == once

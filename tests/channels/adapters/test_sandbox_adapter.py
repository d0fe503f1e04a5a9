"""The sandbox adapter on plain data, with an in-memory feed: no Django, no database."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest
import requests

from channels.adapters import base
from channels.adapters.sandbox import FeedEntry, SandboxAdapter

SECRET = "sandbox-secret-token-xyz"


class ListFeed:
    def __init__(self) -> None:
        self.entries: list[tuple[str, str, list[str], str, FeedEntry]] = []

    def append(self, account_ref: str, text: str, media: list[str], key: str) -> FeedEntry:
        entry = FeedEntry(f"post-{len(self.entries) + 1}", datetime(2026, 11, 25, 12, tzinfo=UTC))
        self.entries.append((account_ref, text, media, key, entry))
        return entry

    def find(self, account_ref: str, key: str) -> FeedEntry | None:
        return next((e[4] for e in self.entries if e[0] == account_ref and e[3] == key), None)


@pytest.fixture
def feed() -> ListFeed:
    return ListFeed()


def adapter(feed: ListFeed) -> SandboxAdapter:
    return SandboxAdapter(
        {"feed": feed, "public_url": "http://127.0.0.1:8000", "rng": random.Random(1)},
        requests.Session(),
    )


def creds(**options: object) -> base.Credentials:
    return base.Credentials(
        external_id="acct-1", handle="acme", secrets={"token": SECRET}, options=options
    )


def test_publish_returns_the_id_and_url_and_writes_the_feed(feed: ListFeed) -> None:
    result = adapter(feed).publish(creds(), base.Content("Hello"), "key-1", base.Progress())
    assert result == base.Published(
        "post-1",
        "http://127.0.0.1:8000/sandbox/posts/post-1/",
        datetime(2026, 11, 25, 12, tzinfo=UTC),
    )
    assert [(e[0], e[1], e[3]) for e in feed.entries] == [("acct-1", "Hello", "key-1")]


def test_find_published_looks_the_post_up_by_its_key(feed: ListFeed) -> None:
    sandbox = adapter(feed)
    sandbox.publish(creds(), base.Content("Hello"), "key-1", base.Progress())
    assert (
        sandbox.find_published(creds(), base.Content("Hello"), "key-1", base.Progress()).external_id
        == "post-1"
    )
    assert sandbox.find_published(creds(), base.Content("Hello"), "key-2", base.Progress()) is None
    assert SandboxAdapter.supports_lookup is True


@pytest.mark.parametrize(
    ("kind", "error", "written"),
    [
        ("transient", base.Transient, 0),
        ("rate_limited", base.RateLimited, 0),
        ("permanent", base.Permanent, 0),
        ("auth_expired", base.AuthExpired, 0),
        ("unknown", base.Unknown, 1),  # written, then the answer is lost
    ],
)
def test_each_simulated_failure_maps_to_its_error_class(
    feed: ListFeed, kind: str, error: type, written: int
) -> None:
    with pytest.raises(error) as raised:
        adapter(feed).publish(
            creds(failure_rate=1, failure_kind=kind), base.Content("Hello"), "k", base.Progress()
        )
    assert len(feed.entries) == written
    assert SECRET not in str(raised.value)
    assert SECRET not in repr(raised.value.__dict__)


def test_a_rate_limit_says_when_to_come_back(feed: ListFeed) -> None:
    before = datetime.now(UTC)
    with pytest.raises(base.RateLimited) as raised:
        adapter(feed).publish(
            creds(failure_rate=1, failure_kind="rate_limited", retry_after_seconds=30),
            base.Content("x"),
            "k",
            base.Progress(),
        )
    assert 29 <= (raised.value.retry_at - before).total_seconds() <= 31


def test_a_share_of_calls_fails_at_the_configured_rate(feed: ListFeed) -> None:
    sandbox = adapter(feed)
    failures = 0
    for i in range(1000):
        try:
            sandbox.publish(creds(failure_rate=0.3), base.Content("x"), str(i), base.Progress())
        except base.Transient:
            failures += 1
    assert 250 <= failures <= 350


def test_an_account_without_a_token_must_reconnect(feed: ListFeed) -> None:
    with pytest.raises(base.AuthExpired):
        adapter(feed).publish(
            base.Credentials(external_id="acct-1"), base.Content("x"), "k", base.Progress()
        )


def test_validate_reports_text_over_the_limit_and_empty_posts(feed: ListFeed) -> None:
    sandbox = adapter(feed)
    assert sandbox.validate(base.Content("a" * 500)) == []
    assert sandbox.validate(base.Content("a" * 501)) == [
        base.Problem("text", "Sandbox allows 500 characters; this text has 501.", "too_long")
    ]
    assert sandbox.validate(base.Content(" ")) == [
        base.Problem("text", "Sandbox needs text or media.", "empty")
    ]


def test_validate_counts_composed_characters_once(feed: ListFeed) -> None:
    # "é" typed as e + combining accent is one character after NFC.
    assert adapter(feed).validate(base.Content("e\u0301" * 500)) == []


def test_validate_checks_media_count_kind_and_type(feed: ListFeed) -> None:
    image = base.MediaItem(path="/x.png", mime_type="image/png", kind="image", size=1000)
    video = base.MediaItem(path="/x.mp4", mime_type="video/mp4", kind="video", size=1000)
    tiff = base.MediaItem(path="/x.tif", mime_type="image/tiff", kind="image", size=1000)
    problems = adapter(feed).validate(base.Content("x", media=(image,) * 5 + (video, tiff)))
    assert [p.message for p in problems] == [
        "Sandbox allows 4 images per post.",
        "Sandbox does not mix images and video in one post.",
        "Sandbox does not take image/tiff files.",
    ]


def test_credentials_never_show_their_secrets() -> None:
    assert SECRET not in repr(creds())
    assert SECRET not in str(creds())


def test_the_fingerprint_ignores_spacing_but_not_words() -> None:
    assert base.Content("Hello  world\n").fingerprint == base.Content("Hello world").fingerprint
    assert base.Content("Hello world").fingerprint != base.Content("Hello there").fingerprint

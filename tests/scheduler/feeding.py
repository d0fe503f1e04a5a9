"""Feeds for the feed tests: a feed server fixture and a feed that follows it."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from channels.models import SocialAccount
from scheduler.models import Feed, Membership
from tests.fakes.feeds import FeedServer, Item


@pytest.fixture(name="server")
def feed_server() -> Iterator[FeedServer]:
    with FeedServer(
        items=[
            Item("tag:acme,1", "Third post", "https://blog.example/3", age=0),
            Item("tag:acme,2", "Second post", "https://blog.example/2", age=60),
            Item("tag:acme,3", "First post", "https://blog.example/1", age=120),
        ]
    ) as running:
        yield running


def follow(
    membership: Membership,
    url: str,
    accounts: list[SocialAccount],
    **fields: object,
) -> Feed:
    feed = Feed.objects.create(
        workspace=membership.workspace,
        url=url,
        name=str(fields.pop("name", "Acme Blog")),
        created_by=membership.user,
        **fields,
    )
    feed.accounts.set(accounts)
    return feed


@pytest.fixture(name="enqueued")
def feed_tasks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The feed ids whose fetch_feed task would have been sent."""
    sent: list[int] = []
    monkeypatch.setattr("scheduler.feeds.enqueue", sent.append)
    return sent

"""Adding and changing a feed, for the page and the API alike: the address is
read once, so a typo or a web page instead of a feed is said at once, and a
blank name takes the feed's own title."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction

from channels.models import SocialAccount
from channels.words import say
from scheduler import feeds
from scheduler.feed_reading import FeedError, fetch
from scheduler.models import Feed, Membership


class FeedErrors(Exception):
    """What is wrong, by field; nothing was saved."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__(errors)
        self.errors = errors


@dataclass
class Probe:
    title: str
    entries: int


def probe(url: str) -> Probe:
    """Read `url` once; raise FeedErrors naming the url field when it is not a feed."""
    try:
        fetched = fetch(url)
    except FeedError as exc:
        raise FeedErrors({"url": [say(exc.words.as_json())]}) from exc
    return Probe(fetched.title, len(fetched.entries))


def save(
    membership: Membership,
    values: dict[str, Any],
    feed: Feed | None = None,
) -> tuple[Feed, Probe | None]:
    """Create `feed` (None) or change it with `values` (cleaned fields); read the
    address when it is new or changed, and send the first check on commit."""
    url = values.get("url", feed.url if feed else "")
    read = None
    if feed is None or url != feed.url:
        read = probe(url)
    feed = feed or Feed(workspace=membership.workspace, created_by=membership.user)
    accounts: list[SocialAccount] | None = values.get("accounts")
    for name in ("url", "mode", "template", "campaign", "active"):
        if name in values:
            setattr(feed, name, values[name])
    if "name" in values or feed.pk is None:
        feed.name = (values.get("name") or "").strip() or (read.title if read else "") or url[:200]
    if read is not None:
        # A new address: its validators and its first-read rule start over.
        feed.etag = feed.last_modified = ""
        feed.next_check_at = feed.last_ok_at = None
    with transaction.atomic():
        feed.save()
        if accounts is not None:
            feed.accounts.set(accounts)
        if read is not None and feed.active:
            feeds.enqueue(feed.pk)
    return feed, read

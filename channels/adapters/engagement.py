"""Plain data for the inbox: what people say to and about an account, and what
each network lets SMO read and answer of it.

Adapters yield `Engagement` items from `fetch_engagement`; the scheduler stores
each once per account (scheduler/inbox_sync.py) and sends answers through
`reply` and `moderate` (scheduler/replies.py, scheduler/moderation.py). Like
the rest of the adapter interface, nothing here touches the database.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from channels.words import Words

# What an item is. A "comment" answers one of the account's posts directly; a
# "reply" answers a comment (or a reply) under one of its posts; a "mention"
# names the account anywhere else; a "message" is private (Messenger, X DMs,
# a Mastodon direct mention).
COMMENT, REPLY, MENTION, MESSAGE = "comment", "reply", "mention", "message"
KINDS = (COMMENT, REPLY, MENTION, MESSAGE)

HIDE, UNHIDE, DELETE = "hide", "unhide", "delete"


@dataclass(frozen=True)
class PostRef:
    """One of the account's posts that SMO published, whose comments are wanted.

    `external_id` is exactly what the adapter's `publish` returned for it."""

    external_id: str
    url: str = ""
    published_at: datetime | None = None


@dataclass(frozen=True)
class Engagement:
    """One comment, reply, mention or message, as the network gave it.

    `parent_post_id` is the external id (as `publish` returned it) of the
    account's post the item sits under, when it sits under one; the scheduler
    ties the item to that post's delivery. `in_reply_to_id` is the network id of
    the item it answers ("" when it answers the post itself). `own` is True for
    what the account itself wrote (SMO's replies, or replies made in the
    network's own app): they show in the thread and need no answer.

    `extra` holds what the adapter needs later to answer or moderate this item
    (a Bluesky record's cid and thread root, a Messenger recipient id, an X DM
    conversation id): small, JSON-serialisable, never a secret.
    """

    external_id: str
    kind: str
    text: str
    created_at: datetime
    author_name: str = ""
    author_handle: str = ""
    author_id: str = ""
    parent_post_id: str = ""
    in_reply_to_id: str = ""
    thread_id: str = ""  # a private conversation's id (kind "message")
    url: str = ""
    own: bool = False
    hidden: bool = False  # already hidden on the network
    extra: Mapping[str, Any] = field(default_factory=dict)

    @property
    def fingerprint(self) -> str:
        """The text with spacing normalised, to recognise an answer SMO sent."""
        return " ".join(unicodedata.normalize("NFC", self.text).split())


@dataclass(frozen=True)
class EngagementSupport:
    """What a network's API lets SMO read and do in the inbox.

    Each set holds kinds from KINDS. `note` says in a sentence what the network
    does not allow, for the inbox page (e.g. "TikTok's API gives no comments").
    `interval` is how often the account's inbox is fetched: networks that count
    reads tightly (X) are asked less often.
    """

    fetches: frozenset[str] = frozenset()
    replies_to: frozenset[str] = frozenset()
    hides: frozenset[str] = frozenset()
    deletes: frozenset[str] = frozenset()
    # False where the network deletes only what the account wrote itself
    # (X, Mastodon, Bluesky, Threads, LinkedIn): the inbox then offers no
    # delete on other people's items.
    deletes_others: bool = True
    interval: timedelta = timedelta(minutes=5)
    note: Words | str = ""

    @property
    def any(self) -> bool:
        return bool(self.fetches)


NO_ENGAGEMENT = EngagementSupport()

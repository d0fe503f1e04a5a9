"""Bluesky analytics: each post's counts and the account's followers (platforms.md §11).

app.bsky.feed.getPosts takes up to 25 at:// URIs and answers a post view for
each post the AppView still has (deleted ones are left out), with its lifetime
likeCount, replyCount, repostCount and quoteCount; app.bsky.actor.getProfile
gives followersCount. Both are AppView methods the PDS passes on, so a PDS
with no AppView refuses them (bluesky_inbox.appview says so plainly). Bluesky
counts no views: impressions, reach and clicks stay None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import Any

from atproto_client import models

from channels.adapters import metrics as m
from channels.adapters.bluesky_inbox import Query, appview
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.words import words

BATCH = 25  # app.bsky.feed.getPosts uris maxLength
POSTS = words("the posts' likes and reposts")
PROFILE = words("the account's profile")
NO_APPVIEW = words(
    "This Bluesky server passes requests to no AppView, so SMO cannot read the posts' "
    "likes and reposts or the account's followers there."
)

# Bluesky's counts -> SMO's figures: reposts and quotes both spread the post.
NAMES: dict[str, str] = {
    "likeCount": m.LIKES,
    "replyCount": m.COMMENTS,
    "repostCount": m.SHARES,
    "quoteCount": m.SHARES,
}

SUPPORT = MetricsSupport(
    figures=frozenset(NAMES.values()),
    followers=True,
    interval=timedelta(hours=1),
    note=words(
        "Bluesky counts likes, replies, reposts and quotes but not views: it gives no "
        "impressions, reach or link clicks."
    ),
)


def post_metrics(view: Mapping[str, Any]) -> PostMetrics:
    """One post view's figures, by NAMES; a count the view lacks stays None."""
    found: dict[str, int | None] = {}
    for name, figure in NAMES.items():
        value = view.get(name)
        if isinstance(value, int):
            found[figure] = (found.get(figure) or 0) + value
    return PostMetrics(str(view["uri"]), **found)


def fetch(query: Query, external_ids: Sequence[str]) -> Iterator[PostMetrics]:
    ids = list(dict.fromkeys(str(i) for i in external_ids))
    for start in range(0, len(ids), BATCH):
        params = models.AppBskyFeedGetPosts.Params(uris=ids[start : start + BATCH])
        answer = appview(query, "app.bsky.feed.getPosts", params, POSTS, NO_APPVIEW)
        yield from (post_metrics(v) for v in answer.get("posts") or [] if v.get("uri"))


def followers(query: Query, did: str) -> int | None:
    params = models.AppBskyActorGetProfile.Params(actor=did)
    profile = appview(query, "app.bsky.actor.getProfile", params, PROFILE, NO_APPVIEW)
    count = profile.get("followersCount")
    return count if isinstance(count, int) else None

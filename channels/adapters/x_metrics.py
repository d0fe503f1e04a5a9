"""X's analytics: each post's figures from GET /2/tweets, followers from /2/users/me.

One GET /2/tweets takes up to 100 ids. SMO asks for `public_metrics` (anyone may
read them) together with `non_public_metrics` and `organic_metrics`, which X
gives only to the post's author, through the user's own token, for 30 days after
posting. Where X refuses those fields for some posts (older than 30 days, or an
app tier without owned reads) it leaves the posts out of `data` and names them
in `errors` as "Field Authorization Error"; they are read again with
`public_metrics` alone in one more call, so one old post does not cost the
others their link clicks. A post X no longer has comes back in `errors` as a
"Not Found Error" and is skipped.

XAdapter delegates its metrics methods here (this module imports x.py, so x.py
imports it inside the methods).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from typing import Any

import tweepy

from channels.adapters.base import Credentials, Permanent
from channels.adapters.metrics import PostMetrics
from channels.adapters.x import XAdapter

logger = logging.getLogger(__name__)

BATCH = 100  # GET /2/tweets takes at most 100 ids
PUBLIC = ["public_metrics"]
OWNED = ["public_metrics", "non_public_metrics", "organic_metrics"]
NOT_FOUND = "resource-not-found"
FIELD_REFUSED = ("not-authorized-for-field", "field-unauthorized")

# X's names -> ours. (section, field) pairs are added up; the first section that
# has a field wins, so the author's non-public counts are used where X gives them.
FIGURES: dict[str, tuple[tuple[str, ...], ...]] = {
    "impressions": (("public_metrics", "non_public_metrics"), ("impression_count",)),
    "likes": (("public_metrics",), ("like_count",)),
    "comments": (("public_metrics",), ("reply_count",)),
    # Reposts and quotes are both shares. X's OpenAPI description names reposts
    # `repost_count`; the API and its docs have long said `retweet_count`.
    "shares": (("public_metrics",), ("retweet_count|repost_count", "quote_count")),
    "saves": (("public_metrics",), ("bookmark_count",)),
    # Only the author, through non_public/organic metrics, within 30 days.
    "link_clicks": (("non_public_metrics", "organic_metrics"), ("url_link_clicks",)),
}


def fetch(
    adapter: XAdapter, creds: Credentials, external_ids: Sequence[str]
) -> Iterator[PostMetrics]:
    ids = list(dict.fromkeys(str(i) for i in external_ids if i))
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        try:
            page = _lookup(adapter, creds, batch, OWNED)
        except Permanent as error:
            if error.status != 403:
                raise
            # An app whose X plan has no owned reads: public figures only.
            logger.info("X account %s: non-public metrics refused (403)", creds.external_id)
            page = _lookup(adapter, creds, batch, PUBLIC)
        yield from (_metrics(post) for post in page.data or [])
        refused = _refused(page)
        if refused:
            again = _lookup(adapter, creds, [i for i in batch if i in refused], PUBLIC)
            yield from (_metrics(post) for post in again.data or [])


def followers(adapter: XAdapter, creds: Credentials) -> int | None:
    client = adapter._client(creds)
    me = adapter._call(
        creds, lambda: client.get_me(user_fields=["public_metrics"], user_auth=False)
    )
    counts = getattr(me.data, "public_metrics", None) or {}
    value = counts.get("followers_count")
    return int(value) if value is not None else None


def _lookup(adapter: XAdapter, creds: Credentials, ids: list[str], fields: list[str]) -> Any:
    client = adapter._client(creds)
    return adapter._call(
        creds, lambda: client.get_tweets(ids, tweet_fields=fields, user_auth=False)
    )


def _refused(page: Any) -> set[str]:
    """The ids whose non-public fields X refused (left out of `data`); gone ones are not."""
    found = {str(post.id) for post in page.data or []}
    refused = set()
    for error in page.errors or []:
        kind = str(error.get("type") or "")
        post_id = str(error.get("resource_id") or error.get("value") or "")
        if kind.endswith(FIELD_REFUSED) and post_id and post_id not in found:
            refused.add(post_id)
    return refused


def _metrics(post: tweepy.Tweet) -> PostMetrics:
    sections = {
        name: getattr(post, name, None) or {}
        for name in ("public_metrics", "non_public_metrics", "organic_metrics")
    }
    figures = {ours: _figure(sections, *where) for ours, where in FIGURES.items()}
    return PostMetrics(external_id=str(post.id), **figures)


def _figure(
    sections: dict[str, dict[str, Any]], names: tuple[str, ...], fields: tuple[str, ...]
) -> int | None:
    for name in names:
        section = sections.get(name) or {}
        values = [_first(section, field) for field in fields]
        if values and all(v is not None for v in values):
            return sum(int(v) for v in values)
    return None


def _first(section: dict[str, Any], field: str) -> Any:
    return next((section[f] for f in field.split("|") if section.get(f) is not None), None)

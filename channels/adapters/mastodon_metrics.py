"""Mastodon analytics: each status's counts and the account's followers (platforms.md §10).

A status carries its lifetime counts (favourites, replies, boosts, and quotes
on Mastodon 4.5+) in every answer: GET /api/v1/statuses?id[]=... reads up to
20 at once on Mastodon 4.3+, and older servers (or those answering 404 for the
batch route) are read one GET /api/v1/statuses/:id each. Mastodon counts no
views: impressions, reach and clicks stay None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

from mastodon import Mastodon

from channels.adapters import metrics as m
from channels.adapters.base import Permanent
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.words import words

BATCH = 20  # ids one GET /api/v1/statuses takes (Mastodon's DEFAULT_STATUSES_LIMIT)
BATCH_VERSION = "4.3.0"  # the first Mastodon with the batch route
POSTS = words("the account's posts")

# Mastodon's counts -> SMO's figures. Boosts and quotes both spread the post, so
# both are shares; quotes_count is only on servers with quote posts (4.5+).
NAMES: dict[str, str] = {
    "favourites_count": m.LIKES,
    "replies_count": m.COMMENTS,
    "reblogs_count": m.SHARES,
    "quotes_count": m.SHARES,
}

SUPPORT = MetricsSupport(
    figures=frozenset(NAMES.values()),
    followers=True,
    interval=timedelta(hours=1),
    note=words(
        "Mastodon counts favourites, replies and boosts but not views: it gives no "
        "impressions, reach or link clicks."
    ),
)

Calling = Callable[[Any], AbstractContextManager[None]]


def post_metrics(status: Mapping[str, Any]) -> PostMetrics:
    """One status's figures, by NAMES; a count the status lacks stays None."""
    found: dict[str, int | None] = {}
    for name, figure in NAMES.items():
        value = status.get(name)
        if isinstance(value, int):
            found[figure] = (found.get(figure) or 0) + value
    return PostMetrics(str(status["id"]), **found)


def fetch(api: Mastodon, external_ids: Sequence[str], calling: Calling) -> Iterator[PostMetrics]:
    """Each status still there, batched where the server can; deleted ones are skipped.
    `calling(what)` is the adapter's error mapping around each call."""
    ids = list(dict.fromkeys(str(i) for i in external_ids))
    batched = api.verify_minimum_version(BATCH_VERSION, cached=True)
    while ids and batched:
        chunk, ids = ids[:BATCH], ids[BATCH:]
        try:
            with calling(POSTS):
                found = api.statuses(chunk)
        except Permanent as error:
            if error.status != 404:
                raise
            # A server that reports 4.3+ but lacks the route (a fork, GoToSocial).
            ids, batched = chunk + ids, False
            continue
        # Statuses deleted (or no longer visible) are left out of the answer.
        yield from (post_metrics(s) for s in found)
    yield from one_by_one(api, ids, calling)


def one_by_one(api: Mastodon, ids: Iterable[str], calling: Calling) -> Iterator[PostMetrics]:
    for status_id in ids:
        try:
            with calling(POSTS):
                status = api.status(status_id)
        except Permanent as error:
            if error.status in (404, 410):
                continue  # deleted: skipped, not an error
            raise
        yield post_metrics(status)


def followers(api: Mastodon, calling: Calling) -> int | None:
    with calling(words("the account")):
        account = api.account_verify_credentials()
    count = account.get("followers_count")
    return count if isinstance(count, int) else None

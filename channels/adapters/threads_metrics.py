"""What Threads posts achieved, and the profile's followers (Threads Insights API,
developers.facebook.com/docs/threads/insights; scope threads_manage_insights).

- Posts: `GET /{media-id}/insights?metric=views,likes,replies,reposts,quotes,shares`,
  one call a post: the Threads API documents no multi-id lookup. Each metric
  comes as `{"name": "likes", "period": "lifetime", "values": [{"value": 3}]}`.
  A post that is gone answers 100/33 and is skipped.
- Followers: `GET /{user-id}/threads_insights?metric=followers_count`, given as
  `{"name": "followers_count", "total_value": {"value": 120}}`.
Threads counts views only (no reach), no saves, no link clicks; `views` is
marked "in development" by Meta.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from channels.adapters import metrics as m
from channels.adapters.base import Permanent
from channels.adapters.graph_metrics import insight_values, number
from channels.adapters.metrics import PostMetrics
from channels.adapters.threads_api import ThreadsAPI
from channels.words import words

METRICS = "views,likes,replies,reposts,quotes,shares"
# Threads' names -> SMO's figures. Reposts, quotes and shares (sending the post
# on) all spread it, as retweets and quotes do on X: together they are shares.
NAMES = {"views": m.IMPRESSIONS, "likes": m.LIKES, "replies": m.COMMENTS}
SHARED = ("reposts", "quotes", "shares")
GONE = "100/33"  # "Object with ID ... does not exist"


def fetch(api: ThreadsAPI, external_ids: Sequence[str]) -> Iterator[PostMetrics]:
    for media_id in dict.fromkeys(i for i in external_ids if i):
        try:
            answer = _insights(api, f"{media_id}/insights", METRICS)
        except Permanent as refused:
            if refused.code != GONE:
                raise
            continue
        yield _post(media_id, insight_values({"insights": answer}))


def _post(media_id: str, values: dict[str, object]) -> PostMetrics:
    figures = {ours: number(values.get(theirs)) for theirs, ours in NAMES.items()}
    spread = [n for n in (number(values.get(name)) for name in SHARED) if n is not None]
    return PostMetrics(external_id=media_id, shares=sum(spread) if spread else None, **figures)


def followers(api: ThreadsAPI, user_id: str) -> int | None:
    answer = _insights(api, f"{user_id}/threads_insights", "followers_count")
    return number(insight_values({"insights": answer}).get("followers_count"))


def _insights(api: ThreadsAPI, path: str, metric: str) -> dict[str, Any]:
    """Say what to do when the token lacks threads_manage_insights (code 10 or
    200-299: accounts connected before SMO asked for it), not Graph's bare words."""
    try:
        return api.get(path, metric=metric)
    except Permanent as refused:
        main = refused.code.split("/")[0]
        if not (main == "10" or (main.isdigit() and 200 <= int(main) <= 299)):
            raise
        raise Permanent(
            words(
                "Threads does not let SMO read this account's insights (%(reason)s). "
                "Reconnect the account to grant SMO insights access.",
                reason=refused.detail,
            ),
            status=refused.status,
            code=refused.code,
        ) from None

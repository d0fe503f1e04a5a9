"""What Instagram media achieved, and the account's followers (IG Media and IG Media
Insights references; platforms.md §3).

Media are read 50 at a time with Graph's multi-id lookup (graph_metrics.py):
`like_count,comments_count,media_type,media_product_type` and
`insights.metric(views,reach,saved,shares)`. `views` replaced `impressions`
(and `plays`, `video_views` for reels) in 2025, so impressions are views, and
a video's or reel's views are its video views too. Stories are not published
by SMO, so their other metrics are not asked. A media posted before the
account turned professional has no insights: it keeps likes and comments.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from channels.adapters import metrics as m
from channels.adapters.graph import GraphClient
from channels.adapters.graph_metrics import batches, insight_values, lookup, number
from channels.adapters.metrics import PostMetrics

FIELDS = "like_count,comments_count,media_type,media_product_type"
METRICS = "views,reach,saved,shares"
# Instagram's names -> SMO's figures; like_count and comments_count are fields
# of the media, the rest its insights.
MEDIA_FIELDS = {"like_count": m.LIKES, "comments_count": m.COMMENTS}
INSIGHTS = {"views": m.IMPRESSIONS, "reach": m.REACH, "saved": m.SAVES, "shares": m.SHARES}
VIDEO = frozenset({"VIDEO", "REELS"})  # media_type VIDEO; media_product_type REELS


def fetch(client: GraphClient, external_ids: Sequence[str]) -> Iterator[PostMetrics]:
    for chunk in batches(external_ids):
        found = lookup(
            client,
            chunk,
            f"{FIELDS},insights.metric({METRICS})",
            plain_fields=FIELDS,
            metric=METRICS,
        )
        yield from (_media(media_id, found[media_id]) for media_id in chunk if media_id in found)


def _media(media_id: str, item: Mapping[str, Any]) -> PostMetrics:
    insights = insight_values(item)
    figures = {ours: number(item.get(theirs)) for theirs, ours in MEDIA_FIELDS.items()}
    figures.update({ours: number(insights.get(theirs)) for theirs, ours in INSIGHTS.items()})
    if {item.get("media_type"), item.get("media_product_type")} & VIDEO:
        figures[m.VIDEO_VIEWS] = figures[m.IMPRESSIONS]
    return PostMetrics(external_id=media_id, **figures)


def followers(client: GraphClient, ig_user_id: str) -> int | None:
    return number(client.get(ig_user_id, fields="followers_count").get("followers_count"))

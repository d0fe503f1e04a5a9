"""What Facebook Page posts achieved, and the Page's followers (Graph API).

publish() returns a post id (`{page-id}_{post-id}`) for text, link, photo and
album posts, and the video's own id for videos, and the two are different
objects: a Video has no `shares` and its insights are `video_insights`. So the
ids are read in two multi-id lookups (graph_metrics.py), posts and videos, 50
ids a call:
- posts: `shares`, `reactions.summary(total_count)`, `comments.summary(total_count)`
  and `insights.metric(post_impressions,post_impressions_unique,post_clicks_by_type)`;
- videos: reactions and comments as above, and
  `video_insights.metric(total_video_views,total_video_impressions,total_video_impressions_unique)`.

Meta retired several Page insights metrics on 14 March 2024 and has announced
"views" in place of impressions (2025); whether post_impressions* still answer
at the configured version is unconfirmed. When Graph refuses them, likes,
comments and shares still arrive (graph_metrics.lookup) and the rest stay None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from channels.adapters import metrics as m
from channels.adapters.graph import GraphClient
from channels.adapters.graph_metrics import (
    batches,
    insight_values,
    lookup,
    number,
    summary_count,
)
from channels.adapters.metrics import PostMetrics

COUNTS = (
    "reactions.summary(total_count).limit(0),comments.filter(stream).summary(total_count).limit(0)"
)
POST_FIELDS = f"shares,{COUNTS}"
POST_METRICS = "post_impressions,post_impressions_unique,post_clicks_by_type"
VIDEO_METRICS = "total_video_views,total_video_impressions,total_video_impressions_unique"
# Facebook's insight names -> SMO's figures. Reactions (like, love, haha, ...)
# count as likes, as Facebook's own "reactions" total does; comments include
# replies (filter=stream); post_clicks_by_type's "link clicks" are link clicks.
POST_INSIGHTS = {
    "post_impressions": m.IMPRESSIONS,
    "post_impressions_unique": m.REACH,
}
VIDEO_INSIGHTS = {
    "total_video_impressions": m.IMPRESSIONS,
    "total_video_impressions_unique": m.REACH,
    "total_video_views": m.VIDEO_VIEWS,
}
LINK_CLICKS = "link clicks"  # the key of post_clicks_by_type's breakdown


def fetch(client: GraphClient, external_ids: Sequence[str]) -> Iterator[PostMetrics]:
    posts = [i for i in external_ids if "_" in i]  # "{page-id}_{post-id}"
    videos = [i for i in external_ids if i and "_" not in i]
    for chunk in batches(posts):
        found = lookup(
            client,
            chunk,
            f"{POST_FIELDS},insights.metric({POST_METRICS})",
            plain_fields=POST_FIELDS,
            metric=POST_METRICS,
        )
        yield from (_post(post_id, found[post_id]) for post_id in chunk if post_id in found)
    for chunk in batches(videos):
        found = lookup(
            client,
            chunk,
            f"{COUNTS},video_insights.metric({VIDEO_METRICS})",
            plain_fields=COUNTS,
            metric=VIDEO_METRICS,
            edge="video_insights",
        )
        yield from (_video(video_id, found[video_id]) for video_id in chunk if video_id in found)


def _post(post_id: str, item: Mapping[str, Any]) -> PostMetrics:
    insights = insight_values(item)
    figures = {ours: number(insights.get(theirs)) for theirs, ours in POST_INSIGHTS.items()}
    clicks = insights.get("post_clicks_by_type")
    if isinstance(clicks, Mapping):
        # A breakdown lists only the kinds clicked: no "link clicks" key is 0.
        figures[m.LINK_CLICKS] = number(clicks.get(LINK_CLICKS, 0))
    # Graph leaves `shares` out of a post nobody shared (widely reported;
    # the Post reference does not say), so a post read without it has 0.
    shares = (item.get("shares") or {"count": 0}).get("count")
    return PostMetrics(
        external_id=post_id,
        likes=summary_count(item, "reactions"),
        comments=summary_count(item, "comments"),
        shares=number(shares),
        **figures,
    )


def _video(video_id: str, item: Mapping[str, Any]) -> PostMetrics:
    insights = insight_values(item, "video_insights")
    figures = {ours: number(insights.get(theirs)) for theirs, ours in VIDEO_INSIGHTS.items()}
    return PostMetrics(
        external_id=video_id,
        likes=summary_count(item, "reactions"),
        comments=summary_count(item, "comments"),
        **figures,
    )


def followers(client: GraphClient, page_id: str) -> int | None:
    """The Page's followers (`followers_count`), or its likes (`fan_count`) where
    Graph gives no followers (Pages API "Page" reference)."""
    page = client.get(page_id, fields="followers_count,fan_count")
    found = number(page.get("followers_count"))
    return found if found is not None else number(page.get("fan_count"))

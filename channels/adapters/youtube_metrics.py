"""YouTube's analytics: each video's statistics from videos.list, subscribers from
channels.list.

videos.list part=statistics takes up to 50 ids a call and costs 1 unit of the
project's daily quota (youtube_quota); a video YouTube no longer has is simply
missing from `items`. The Data API gives views, likes and comments only:
impressions, reach, shares, watch time and traffic need the YouTube Analytics
API (youtubeAnalytics.reports.query, with its own scope), which SMO does not ask
for. A count the owner hid (likes hidden, comments turned off) is left out of
`statistics` and stays None.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from channels.adapters import metrics as m
from channels.adapters.base import Credentials
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.words import words

if TYPE_CHECKING:
    from channels.adapters.youtube import YouTubeAdapter

BATCH = 50  # videos.list takes at most 50 ids
# YouTube's statistics -> ours. dislikeCount is private since 2021 and
# favoriteCount always 0; viewCount is views, not impressions (thumbnails shown).
FIGURES = {
    "viewCount": m.VIDEO_VIEWS,
    "likeCount": m.LIKES,
    "commentCount": m.COMMENTS,
}

SUPPORT = MetricsSupport(
    figures=frozenset(FIGURES.values()),
    followers=True,
    # 1 unit per 50 videos from the project's 10,000 a day, shared with uploads
    # and the inbox: cheap enough to read every hour.
    interval=timedelta(hours=1),
    note=words(
        "YouTube's Data API gives views, likes and comments only; impressions, reach "
        "and shares need the YouTube Analytics API, which SMO does not use."
    ),
)


def fetch(
    adapter: YouTubeAdapter, creds: Credentials, external_ids: Sequence[str]
) -> Iterator[PostMetrics]:
    ids = list(dict.fromkeys(str(i) for i in external_ids if i))
    if not ids:
        return
    calls = adapter._calls(creds)
    for start in range(0, len(ids), BATCH):
        batch = ids[start : start + BATCH]
        request = calls.client.videos().list(part="statistics", id=",".join(batch))
        answer = calls.execute(request, "videos.list")
        for video in answer.get("items") or []:
            yield _metrics(video)


def followers(adapter: YouTubeAdapter, creds: Credentials) -> int | None:
    calls = adapter._calls(creds)
    answer = calls.execute(
        calls.client.channels().list(part="statistics", mine=True), "channels.list"
    )
    for channel in answer.get("items") or []:
        if channel.get("id") != creds.external_id:
            continue
        statistics = channel.get("statistics") or {}
        if statistics.get("hiddenSubscriberCount") or statistics.get("subscriberCount") is None:
            return None  # the owner hides it: unknown, not 0
        return int(statistics["subscriberCount"])
    return None


def _metrics(video: Mapping[str, Any]) -> PostMetrics:
    statistics = video.get("statistics") or {}
    # uint64 counts come as strings; a hidden one is left out.
    figures = {ours: _count(statistics.get(theirs)) for theirs, ours in FIGURES.items()}
    return PostMetrics(external_id=str(video.get("id") or ""), **figures)


def _count(value: Any) -> int | None:
    return int(value) if value is not None and str(value).isdigit() else None

"""Plain data for analytics: what a network says each published post achieved,
and what it lets SMO read.

Adapters yield `PostMetrics` from `fetch_metrics`; the scheduler keeps each
reading as a time series and the latest per delivery (scheduler/metrics_sync.py).
A figure the network does not give stays None, never 0: "Instagram gives no link
clicks" and "nobody clicked" must read differently in the reports.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import timedelta

from channels.words import Words

# Every figure a post may have, in the order reports show them.
IMPRESSIONS = "impressions"  # times shown (views, where the network counts views)
REACH = "reach"  # distinct people shown
LIKES = "likes"
COMMENTS = "comments"
SHARES = "shares"  # shares, reposts, retweets, boosts
SAVES = "saves"
VIDEO_VIEWS = "video_views"
LINK_CLICKS = "link_clicks"  # as the network counts them (SMO counts its own too)
FIGURES = (IMPRESSIONS, REACH, LIKES, COMMENTS, SHARES, SAVES, VIDEO_VIEWS, LINK_CLICKS)
# What "engagement" adds up, as Buffer and Hootsuite count it.
ENGAGEMENT = (LIKES, COMMENTS, SHARES, SAVES)


@dataclass(frozen=True)
class PostMetrics:
    """One post's figures as the network gave them just now (lifetime totals)."""

    external_id: str  # as publish() returned it
    impressions: int | None = None
    reach: int | None = None
    likes: int | None = None
    comments: int | None = None
    shares: int | None = None
    saves: int | None = None
    video_views: int | None = None
    link_clicks: int | None = None

    def figures(self) -> dict[str, int | None]:
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name in FIGURES}


@dataclass(frozen=True)
class MetricsSupport:
    """What a network's API gives SMO about its posts and the account.

    `figures` names the PostMetrics fields it can fill (a post may still lack
    some: a network answering with part of them is normal); `followers` says
    whether fetch_followers works. `interval` is how often an account's posts
    are read. `note` says in a sentence what is missing, for the reports.
    """

    figures: frozenset[str] = frozenset()
    followers: bool = False
    interval: timedelta = timedelta(hours=1)
    note: Words | str = ""

    @property
    def any(self) -> bool:
        return bool(self.figures) or self.followers


NO_METRICS = MetricsSupport()

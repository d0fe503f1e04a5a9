"""Pinterest analytics: each Pin's figures and the account's followers (platforms.md §8).

`GET /v5/pins/{pin_id}/analytics` answers one Pin (the bulk GET /v5/pins/analytics
is a beta "not available to all apps", so SMO reads Pin by Pin). It takes a
date range of at most 90 days that may start at most 90 days back, and answers
`{"all": {"daily_metrics", "summary_metrics", "lifetime_metrics"}}`: one entry
per app type, and without a split_field just the one. Impressions, saves, outbound clicks
and video views come as `summary_metrics` over the range, so the "lifetime"
figures SMO reports are the sum over the last 90 days (today included): for a
Pin older than that, what it earned before is not counted. Comments and
reactions come as `lifetime_metrics`, truly lifetime. A Pin that is gone is a
404 and is skipped. Apps with Trial access get no analytics (the endpoint is
not in the sandbox): their 403 is a Permanent saying so.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from channels.adapters import metrics as m
from channels.adapters.base import Permanent
from channels.adapters.metrics import MetricsSupport, PostMetrics
from channels.adapters.pinterest_http import PinterestAPI
from channels.words import words

DAYS = 90  # the range Pinterest allows, and how far back it may start
# Pinterest's metric types -> SMO's figures. PIN_CLICK (opening the Pin's close-up)
# has no SMO figure, so it is not asked for; OUTBOUND_CLICK is a click through to
# the Pin's link; VIDEO_MRC_VIEW is Pinterest's "video views" (2 s, 50% in view);
# TOTAL_REACTIONS are Pinterest's likes.
NAMES: dict[str, str] = {
    "IMPRESSION": m.IMPRESSIONS,
    "SAVE": m.SAVES,
    "OUTBOUND_CLICK": m.LINK_CLICKS,
    "VIDEO_MRC_VIEW": m.VIDEO_VIEWS,
    "TOTAL_COMMENTS": m.COMMENTS,
    "TOTAL_REACTIONS": m.LIKES,
}
METRIC_TYPES = ",".join(NAMES)
PIN_ANALYTICS = words("the Pin's analytics")

SUPPORT = MetricsSupport(
    figures=frozenset(NAMES.values()),
    followers=True,
    interval=timedelta(hours=6),  # one call per Pin; Pinterest's figures lag by hours anyway
    note=words(
        "Pinterest gives impressions, saves, link clicks and video views only for the last "
        "90 days, no reach or shares, and no analytics at all to apps with Trial access."
    ),
)


def window(now: datetime) -> dict[str, str]:
    """The last 90 days, today included, as Pinterest's UTC dates."""
    today = now.date()
    start = today - timedelta(days=DAYS - 1)
    return {"start_date": start.isoformat(), "end_date": today.isoformat()}


def post_metrics(pin_id: str, answer: Mapping[str, Any]) -> PostMetrics:
    """A Pin's figures from its analytics answer: summary and lifetime values of
    every app-type entry added up; a metric Pinterest left out stays None."""
    found: dict[str, int | None] = {}
    for entry in answer.values():
        if not isinstance(entry, Mapping):
            continue
        values = {**(entry.get("summary_metrics") or {}), **(entry.get("lifetime_metrics") or {})}
        for name, figure in NAMES.items():
            value = values.get(name)
            if isinstance(value, int | float) and not isinstance(value, bool):
                found[figure] = (found.get(figure) or 0) + int(value)
    return PostMetrics(pin_id, **found)


def fetch(api: PinterestAPI, external_ids: Sequence[str], now: datetime) -> Iterator[PostMetrics]:
    dates = window(now)
    for pin_id in dict.fromkeys(str(i) for i in external_ids):
        try:
            answer = api.get(
                f"/pins/{pin_id}/analytics", PIN_ANALYTICS, metric_types=METRIC_TYPES, **dates
            )
        except Permanent as error:
            if error.status == 404:
                continue  # the Pin is gone
            if error.status == 403:
                raise refused(error) from None
            raise
        yield post_metrics(pin_id, answer)


def refused(error: Permanent) -> Permanent:
    return Permanent(
        words(
            "%(refusal)s Apps with Trial access get no analytics: ask Pinterest for "
            "Standard access in the developer portal.",
            refusal=error.words,
        ),
        status=error.status,
        code="analytics_refused",
    )


def followers(api: PinterestAPI) -> int | None:
    account = api.get("/user_account", words("the account"))
    count = account.get("follower_count")
    return count if isinstance(count, int) else None

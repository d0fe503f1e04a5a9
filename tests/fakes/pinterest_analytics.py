"""FakePinterest's analytics: GET /v5/pins/{pin_id}/analytics (platforms.md §8).

Each Pin keeps daily figures (FakePinterest.set_metrics, by days ago) and
lifetime ones (TOTAL_COMMENTS, TOTAL_REACTIONS). The answer is the
description's PinAnalyticsResponse without a split: `{"all": {"daily_metrics",
"summary_metrics", "lifetime_metrics"}}`, each metric asked for summed over
start_date..end_date, which may start at most 90 days back and span at most 90
days. A video metric is left out for a Pin that is no video, as is a lifetime
metric never seeded. Another's Pin is 403 code 7, a missing one 404 code 50
("Pin not found."); `trial_access` refuses every Pin with 403, as apps with
Trial access are (the endpoint is `x-sandbox: disabled`). The category is
org_analytics, counted per user per minute like the others.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from tests.fakes.pinterest_errors import Refusal
from tests.fakes.x import Recorded, Reply

if TYPE_CHECKING:
    from tests.fakes.pinterest import FakePinterest

DAYS = 90
VIDEO_METRICS = frozenset(
    {
        "VIDEO_MRC_VIEW",
        "VIDEO_10S_VIEW",
        "QUARTILE_95_PERCENT_VIEW",
        "VIDEO_V50_WATCH_TIME",
        "VIDEO_START",
        "VIDEO_AVG_WATCH_TIME",
    }
)
LIFETIME = frozenset({"TOTAL_COMMENTS", "TOTAL_REACTIONS"})


def today(fake: FakePinterest) -> date:
    return date.fromisoformat(fake.timestamp()[:10])


def pin_analytics(fake: FakePinterest, user: str, pin_id: str, request: Recorded) -> Reply:
    if fake.trial_access:
        raise Refusal(403, 29, "You are not permitted to access that resource.")
    pin = next((p for p in fake.pins if p["id"] == pin_id), None)
    if pin is None:
        raise Refusal(404, 50, "Pin not found.")
    if pin["owner"] != user:
        raise Refusal(403, 7, "Not authorized to access board or Pin.")
    query = request.query
    start, end = date.fromisoformat(query["start_date"]), date.fromisoformat(query["end_date"])
    if start < today(fake) - timedelta(days=DAYS) or end < start:
        raise Refusal(400, 1, "Invalid pins analytics parameters.")
    if (end - start).days > DAYS:
        raise Refusal(400, 1, "Invalid pins analytics parameters.")
    wanted = [t for t in query["metric_types"].split(",") if t]
    if pin["media_type"] != "video":
        wanted = [t for t in wanted if t not in VIDEO_METRICS]
    daily_types = [t for t in wanted if t not in LIFETIME]
    figures: dict[str, dict[str, int]] = pin.setdefault("daily", {})
    daily = []
    summary = dict.fromkeys(daily_types, 0)
    day = start
    while day <= end:
        values = figures.get(day.isoformat(), {})
        metrics = {t: values.get(t, 0) for t in daily_types}
        for t in daily_types:
            summary[t] += metrics[t]
        daily.append({"date": day.isoformat(), "data_status": "READY", "metrics": metrics})
        day += timedelta(days=1)
    lifetime = {t: pin["lifetime"][t] for t in wanted if t in pin.get("lifetime", {})}
    return Reply(
        200,
        {
            "all": {
                "daily_metrics": daily,
                "summary_metrics": summary,
                "lifetime_metrics": lifetime,
            }
        },
    )


def set_metrics(fake: FakePinterest, pin_id: str, days_ago: int, values: dict[str, int]) -> None:
    pin = next(p for p in fake.pins if p["id"] == pin_id)
    lifetime = {k: v for k, v in values.items() if k in LIFETIME}
    pin.setdefault("lifetime", {}).update(lifetime)
    day = (today(fake) - timedelta(days=days_ago)).isoformat()
    daily = pin.setdefault("daily", {}).setdefault(day, {})
    for name, value in values.items():
        if name not in LIFETIME:
            daily[name] = daily.get(name, 0) + value

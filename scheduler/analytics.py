"""The figures reports show: what a workspace's posts achieved over a period, per
day, per account, the best posts, the clicks on SMO's short links, followers over
time, and the best time to post per account.

Everything is computed from the stored readings (scheduler/metrics_sync.py) and
clicks (scheduler/links.py) in a fixed number of queries, whatever the period.
A figure no post in the scope has (a network that does not give it) is None, not
0, so a report can say "not given" instead of "nothing".
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, F, Max, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

from channels.adapters.metrics import ENGAGEMENT, FIGURES
from scheduler.models import Delivery, FollowerSample, LinkClick, Workspace


@dataclass(frozen=True)
class Scope:
    """What a report covers: a workspace's published deliveries in [start, end),
    optionally one account's or one campaign's."""

    workspace: Workspace
    start: datetime
    end: datetime
    account_id: int | None = None
    campaign_id: int | None = None

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.workspace.timezone)

    def days(self) -> list[date]:
        first = self.start.astimezone(self.zone).date()
        last = (self.end - timedelta(microseconds=1)).astimezone(self.zone).date()
        return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _engagement() -> object:
    return sum(
        (Coalesce(F(f"metrics__{name}"), Value(0)) for name in ENGAGEMENT[1:]),
        Coalesce(F(f"metrics__{ENGAGEMENT[0]}"), Value(0)),
    )


def deliveries(scope: Scope) -> QuerySet[Delivery]:
    """The scope's published deliveries, each with `engagement` (0 without figures)."""
    qs = Delivery.objects.filter(
        account__workspace=scope.workspace,
        state=Delivery.State.PUBLISHED,
        published_at__gte=scope.start,
        published_at__lt=scope.end,
    )
    if scope.account_id:
        qs = qs.filter(account_id=scope.account_id)
    if scope.campaign_id:
        qs = qs.filter(post__campaign_id=scope.campaign_id)
    return qs.annotate(engagement=_engagement())


def clicks(scope: Scope) -> QuerySet[LinkClick]:
    """Clicks in the period on the short links of the scope's deliveries (any age)."""
    qs = LinkClick.objects.filter(
        link__delivery__account__workspace=scope.workspace,
        clicked_at__gte=scope.start,
        clicked_at__lt=scope.end,
    )
    if scope.account_id:
        qs = qs.filter(link__delivery__account_id=scope.account_id)
    if scope.campaign_id:
        qs = qs.filter(link__delivery__post__campaign_id=scope.campaign_id)
    return qs


def totals(scope: Scope) -> dict[str, object]:
    """Posts, each figure's sum (None where no post has it), engagement and its rate,
    SMO's link clicks, and followers gained."""
    sums = {name: Sum(f"metrics__{name}") for name in FIGURES}
    counted = {
        f"has_{name}": Count("pk", filter=Q(**{f"metrics__{name}__isnull": False}))
        for name in FIGURES
    }
    rate_base = Sum("metrics__impressions", filter=Q(metrics__impressions__isnull=False))
    rate_engagement = Sum("engagement", filter=Q(metrics__impressions__gt=0))
    row = deliveries(scope).aggregate(
        posts=Count("pk"),
        engagement_sum=Sum("engagement"),
        rate_base=rate_base,
        rate_engagement=rate_engagement,
        **sums,
        **counted,
    )
    result: dict[str, object] = {"posts": row["posts"]}
    for name in FIGURES:
        result[name] = row[name] if row[f"has_{name}"] else None
    result["engagement"] = row["engagement_sum"] or 0
    base = row["rate_base"] or 0
    result["engagement_rate"] = (
        round(100 * (row["rate_engagement"] or 0) / base, 2) if base else None
    )
    result["clicks"] = clicks(scope).count()
    result["followers_gained"] = followers_gained(scope)
    return result


def daily(scope: Scope) -> list[dict[str, object]]:
    """One row per day of the period (the workspace's days): posts published,
    their engagement and impressions, SMO link clicks, and followers at day's end."""
    zone = scope.zone
    posted = {
        r["day"]: r
        for r in deliveries(scope)
        .annotate(day=TruncDate("published_at", tzinfo=zone))
        .values("day")
        .annotate(
            posts=Count("pk"),
            day_engagement=Sum("engagement"),
            day_impressions=Sum("metrics__impressions"),
        )
    }
    clicked = {
        r["day"]: r["n"]
        for r in clicks(scope)
        .annotate(day=TruncDate("clicked_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
    }
    followed = followers_by_day(scope)
    rows = []
    for day in scope.days():
        found = posted.get(day, {})
        rows.append(
            {
                "date": day,
                "posts": found.get("posts", 0),
                "engagement": found.get("day_engagement") or 0,
                "impressions": found.get("day_impressions"),
                "clicks": clicked.get(day, 0),
                "followers": followed.get(day),
            }
        )
    return rows


def _follower_samples(scope: Scope) -> QuerySet[FollowerSample]:
    qs = FollowerSample.objects.filter(account__workspace=scope.workspace)
    if scope.account_id:
        qs = qs.filter(account_id=scope.account_id)
    return qs


def followers_by_day(scope: Scope) -> dict[date, int]:
    """The scope's accounts' followers added up, as of the end of each day in the
    period (an account counts from its first reading on)."""
    rows = (
        _follower_samples(scope)
        .filter(taken_at__lt=scope.end)
        .annotate(day=TruncDate("taken_at", tzinfo=scope.zone))
        .values("account_id", "day")
        .annotate(last=Max("taken_at"))
    )
    last_of_day = {(r["account_id"], r["day"]): r["last"] for r in rows}
    values = dict(
        ((s.account_id, s.taken_at), s.followers)
        for s in _follower_samples(scope).filter(taken_at__in=set(last_of_day.values()))
    )
    per_account: dict[int, dict[date, int]] = defaultdict(dict)
    for (account, day), at in last_of_day.items():
        per_account[account][day] = values[(account, at)]
    result: dict[date, int] = {}
    for day in scope.days():
        total, any_known = 0, False
        for days in per_account.values():
            known = [d for d in days if d <= day]
            if known:
                total += days[max(known)]
                any_known = True
        if any_known:
            result[day] = total
    return result


def followers_gained(scope: Scope) -> int | None:
    """Followers at the end of the period minus at its start, over the scope's accounts."""
    by_day = followers_by_day(scope)
    if not by_day:
        return None
    days = sorted(by_day)
    before = (
        _follower_samples(scope)
        .filter(taken_at__lt=scope.start)
        .values("account_id")
        .annotate(last=Max("taken_at"))
    )
    start_values = {
        s.account_id: s.followers
        for s in _follower_samples(scope).filter(taken_at__in=[r["last"] for r in before])
    }
    first_day = by_day[days[0]]
    start = sum(start_values.values()) if start_values else first_day
    return by_day[days[-1]] - start


def best_posts(scope: Scope, limit: int = 10) -> list[Delivery]:
    """The scope's deliveries with the most engagement, with their post and figures."""
    return list(
        deliveries(scope)
        .filter(metrics__isnull=False)
        .select_related("post", "account", "metrics")
        .order_by("-engagement", "-published_at")[:limit]
    )


@dataclass(frozen=True)
class Slot:
    weekday: int  # 0 Monday .. 6 Sunday, in the workspace's time zone
    hour: int
    posts: int
    average: float  # engagement per post


def best_times(
    workspace: Workspace, account_id: int, now: datetime, weeks: int = 12
) -> tuple[list[list[Slot | None]], list[Slot]]:
    """Average engagement per post by local weekday and hour over the past `weeks`,
    as a 7 x 24 grid (None where nothing was posted), and the best slots first
    (each with at least one post; ties go to the slot with more posts)."""
    scope = Scope(workspace, now - timedelta(weeks=weeks), now, account_id=account_id)
    zone = scope.zone
    sums: dict[tuple[int, int], list[int]] = defaultdict(list)
    for published_at, engagement in (
        deliveries(scope).filter(metrics__isnull=False).values_list("published_at", "engagement")
    ):
        local = published_at.astimezone(zone)
        sums[(local.weekday(), local.hour)].append(int(engagement))
    grid: list[list[Slot | None]] = [[None] * 24 for _ in range(7)]
    slots = []
    for (weekday, hour), values in sums.items():
        slot = Slot(weekday, hour, len(values), sum(values) / len(values))
        grid[weekday][hour] = slot
        slots.append(slot)
    slots.sort(key=lambda s: (-s.average, -s.posts, s.weekday, s.hour))
    return grid, slots


def by_account(scope: Scope) -> list[dict[str, object]]:
    """Each account's posts, engagement, impressions and clicks in the scope, most engaged first."""
    rows = (
        deliveries(scope)
        .values("account_id", "account__name", "account__network")
        .annotate(
            posts=Count("pk"),
            account_engagement=Sum("engagement"),
            account_impressions=Sum("metrics__impressions"),
        )
    )
    clicked = dict(
        clicks(scope)
        .values("link__delivery__account_id")
        .annotate(n=Count("pk"))
        .values_list("link__delivery__account_id", "n")
    )
    found = [
        {
            "account": r["account_id"],
            "name": r["account__name"],
            "network": r["account__network"],
            "posts": r["posts"],
            "engagement": r["account_engagement"] or 0,
            "impressions": r["account_impressions"],
            "clicks": clicked.get(r["account_id"], 0),
        }
        for r in rows
    ]
    return sorted(found, key=lambda r: (-int(r["engagement"]), str(r["name"])))  # type: ignore[call-overload]

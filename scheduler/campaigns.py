"""Campaign results: how many posts went out, where, in which state, and how late.

Every function here runs a fixed number of queries, however many campaigns, posts or
deliveries there are: the counting happens in the database.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.db.models import Count, DurationField, ExpressionWrapper, F, Max, Q, QuerySet

from scheduler.models import Campaign, Delivery, Workspace

S = Delivery.State
# What the list's three numbers count: posts with at least one delivery in these states.
# A post that went out to one account and failed on another counts as both.
WAITING = (S.SCHEDULED, S.QUEUED, S.RETRY_WAIT)
FAILED = (S.FAILED, S.NEEDS_ATTENTION)
# Published this long after the scheduled time still counts as on time: the dispatcher
# runs every minute and a network may take a while to accept a video.
ON_TIME = timedelta(minutes=5)


def with_counts(workspace: Workspace) -> QuerySet[Campaign]:
    """The workspace's campaigns by name, each with posts, scheduled, published and failed."""

    def posts_in(states: tuple[str, ...]) -> Count:
        return Count("posts", filter=Q(posts__deliveries__state__in=states), distinct=True)

    return Campaign.objects.filter(workspace=workspace).annotate(
        post_count=Count("posts", distinct=True),
        scheduled=posts_in(WAITING),
        published=posts_in((S.PUBLISHED,)),
        failed=posts_in(FAILED),
    )


@dataclass
class NetworkResult:
    network: str
    deliveries: int = 0
    published: int = 0
    failed: int = 0
    waiting: int = 0


@dataclass
class Results:
    """A campaign's deliveries counted by state and by network, and its published timing."""

    deliveries: int = 0
    # (state, label, count) in the order of Delivery.State, only states that occur.
    states: list[tuple[str, str, int]] = field(default_factory=list)
    networks: list[NetworkResult] = field(default_factory=list)
    on_time: int = 0
    late: int = 0
    latest: timedelta | None = None  # the largest delay of a late delivery

    @property
    def timed(self) -> int:
        return self.on_time + self.late


def results(campaign: Campaign) -> Results:
    """Count the campaign's deliveries (two queries)."""
    found = Results()
    by_state: dict[str, int] = defaultdict(int)
    by_network: dict[str, NetworkResult] = {}
    rows = (
        Delivery.objects.filter(post__campaign=campaign)
        .values_list("account__network", "state")
        .annotate(n=Count("id"))
        .order_by()
    )
    for network, state, n in rows:
        found.deliveries += n
        by_state[state] += n
        result = by_network.setdefault(network, NetworkResult(network))
        result.deliveries += n
        if state == S.PUBLISHED:
            result.published += n
        elif state in FAILED:
            result.failed += n
        elif state in WAITING:
            result.waiting += n
    found.states = [(s.value, str(s.label), by_state[s]) for s in S if by_state.get(s)]
    found.networks = sorted(by_network.values(), key=lambda r: (-r.deliveries, r.network))

    delay = ExpressionWrapper(F("published_at") - F("scheduled_at"), output_field=DurationField())
    timing = (
        Delivery.objects.filter(
            post__campaign=campaign,
            state=S.PUBLISHED,
            published_at__isnull=False,
            scheduled_at__isnull=False,
        )
        .annotate(delay=delay)
        .aggregate(
            on_time=Count("id", filter=Q(delay__lte=ON_TIME)),
            late=Count("id", filter=Q(delay__gt=ON_TIME)),
            latest=Max("delay", filter=Q(delay__gt=ON_TIME)),
        )
    )
    found.on_time, found.late, found.latest = timing["on_time"], timing["late"], timing["latest"]
    return found

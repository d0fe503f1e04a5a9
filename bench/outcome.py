"""What became of a part's deliveries: settled or not, on the network how often, how late.

A delivery is settled when it is `published`, `failed` with a reason, or
`needs_attention` (issue 5). Copies are counted on the network, not in SMO's
tables: the fake network's log for X and Facebook, the sandbox feed for sandbox.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.db.models import Count, Q

from bench.fakenet import FakeNet
from bench.population import sandbox_copies
from scheduler.models import Delivery, DeliveryAttempt

S = Delivery.State
SETTLED = Q(state__in=[S.PUBLISHED, S.NEEDS_ATTENTION]) | (Q(state=S.FAILED) & ~Q(last_error=""))


def unsettled() -> int:
    return Delivery.objects.exclude(SETTLED).count()


def wait_until_settled(
    deadline: float, every: float = 0.5, tick: Callable[[], None] | None = None
) -> bool:
    """Poll until every delivery is settled or time.monotonic() passes `deadline`."""
    while time.monotonic() < deadline:
        if tick is not None:
            tick()
        if unsettled() == 0:
            return True
        time.sleep(every)
    return unsettled() == 0


def percentiles(values: Sequence[float]) -> dict[str, float | None]:
    """p50, p95, p99 and max by the nearest-rank method; None when there are no values."""
    if not values:
        return {"p50": None, "p95": None, "p99": None, "max": None}
    ordered = sorted(values)

    def rank(p: float) -> float:
        return ordered[max(0, math.ceil(p / 100 * len(ordered)) - 1)]

    return {"p50": rank(50), "p95": rank(95), "p99": rank(99), "max": ordered[-1]}


@dataclass
class Tally:
    deliveries: int = 0
    states: Counter[str] = field(default_factory=Counter)
    published_once: int = 0
    duplicates: int = 0  # extra copies on the network, over all deliveries
    lost: int = 0  # unsettled, or "published" with no copy on the network
    phantom: int = 0  # SMO says published, the network has no such post
    failed_but_posted: int = 0  # SMO says failed, yet the post is out
    failure_reasons: Counter[str] = field(default_factory=Counter)
    attempt_outcomes: Counter[str] = field(default_factory=Counter)  # one per network call
    lateness: list[float] = field(default_factory=list)  # published_at - scheduled_at
    network_lateness: list[float] = field(default_factory=list)  # reached the fake - scheduled_at
    last_published: datetime | None = None  # when SMO recorded the last one published

    def figures(self) -> dict[str, Any]:
        return {
            "deliveries": self.deliveries,
            "states": dict(self.states),
            "published_once": self.published_once,
            "duplicates": self.duplicates,
            "lost": self.lost,
            "phantom": self.phantom,
            "failed_but_posted": self.failed_but_posted,
            "failure_reasons": dict(self.failure_reasons.most_common(8)),
            "attempt_outcomes": dict(self.attempt_outcomes),
            "lateness_s": percentiles(self.lateness),
            "network_lateness_s": percentiles(self.network_lateness),
        }


def tally(net: FakeNet) -> Tally:
    """Count every delivery's fate against the copies the networks hold."""
    copies = net.log.copies()
    first = net.log.first_received()
    feed = sandbox_copies()
    result = Tally()
    rows = Delivery.objects.values_list(
        "state",
        "account__network",
        "post__text",
        "scheduled_at",
        "published_at",
        "updated_at",
        "last_error",
    )
    for state, network, text, scheduled, published, updated, error in rows.iterator():
        result.deliveries += 1
        result.states[state] += 1
        made = feed.get(text, 0) if network == "sandbox" else copies.get((network, text), 0)
        result.duplicates += max(0, made - 1)
        settled = state in (S.PUBLISHED, S.NEEDS_ATTENTION) or (state == S.FAILED and error)
        if not settled:
            result.lost += 1
        if state == S.PUBLISHED:
            if made == 0:
                result.phantom += 1
                result.lost += 1
            elif made == 1:
                result.published_once += 1
            result.lateness.append((published - scheduled).total_seconds())
            if result.last_published is None or updated > result.last_published:
                result.last_published = updated
        if state == S.FAILED:
            result.failure_reasons[(error or "(no reason)")[:120]] += 1
            if made:
                result.failed_but_posted += 1
        if (network, text) in first:
            result.network_lateness.append(first[(network, text)] - scheduled.timestamp())
    outcomes = DeliveryAttempt.objects.values_list("outcome").annotate(n=Count("id"))
    result.attempt_outcomes.update({outcome or "unfinished": n for outcome, n in outcomes})
    return result


def unsettled_rows() -> Any:
    """The unsettled deliveries, for a report of what got stuck where."""
    return (
        Delivery.objects.exclude(SETTLED)
        .order_by("pk")
        .values("pk", "state", "account__network", "attempts", "failures", "last_error")
    )

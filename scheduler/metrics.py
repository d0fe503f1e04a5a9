"""What the engine records for Prometheus: publish calls, lateness, adapter errors, dispatch.

The engine calls these hooks; `scheduler.exposition` serves them at /metrics with
the deliveries-by-state gauge it counts from the database.

Web, worker and beat are separate processes, and a Celery worker forks a child per
slot, so one process's counters say little. When PROMETHEUS_MULTIPROC_DIR is set
before prometheus-client is imported, every process writes its values to files
there and /metrics adds them up (prometheus-client's multiprocess mode; README
"Monitoring"). Otherwise they live in this process's default registry, which is
what tests and a single process see.

Labels are only the network key, the outcome and the error class: never an
account, a post or anything from the network's answer, so nothing secret and no
unbounded label values reach the scrape.
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import ParamSpec

from celery.exceptions import SoftTimeLimitExceeded
from prometheus_client import Counter, Histogram

from channels.adapters import base

P = ParamSpec("P")

# Network calls: most answer in well under a second, a video upload or an
# Instagram container that must finish processing takes minutes.
PUBLISH_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300)
# The promise is "on its second"; retries and rate-limit waits make it hours.
LATENESS_BUCKETS = (0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 900, 3600, 6 * 3600)
# dispatch_due runs every second, so a tick near 1 s means it falls behind.
TICK_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5)
CLAIMED_BUCKETS = (0, 1, 5, 10, 50, 100, 500, 1000, 5000, 10000)

publish_duration = Histogram(
    "smo_publish_duration_seconds",
    "Time of an adapter's publish call, by network and how it ended.",
    ["network", "outcome"],
    buckets=PUBLISH_BUCKETS,
)
lateness = Histogram(
    "smo_publish_lateness_seconds",
    "published_at - scheduled_at of each delivery published, by network.",
    ["network"],
    buckets=LATENESS_BUCKETS,
)
adapter_errors = Counter(
    "smo_adapter_errors",
    "Errors raised by adapters' publish calls, by network and error class.",
    ["network", "error_class"],
)
dispatch_duration = Histogram(
    "smo_dispatch_duration_seconds", "Time of one dispatch_due tick.", buckets=TICK_BUCKETS
)
dispatch_claimed = Histogram(
    "smo_dispatch_claimed_deliveries",
    "Deliveries one dispatch_due tick claimed and queued.",
    buckets=CLAIMED_BUCKETS,
)

# The taxonomy (STYLE.md §3) and the outcome each class is recorded as, the same
# words a DeliveryAttempt stores. A subclass counts as its taxonomy class, so the
# label keeps five values whatever an adapter defines.
TAXONOMY: tuple[tuple[type[base.AdapterError], str], ...] = (
    (base.RateLimited, "rate_limited"),
    (base.Transient, "transient"),
    (base.Unknown, "unknown"),
    (base.AuthExpired, "auth_expired"),
    (base.Permanent, "permanent"),
)


def outcome_of(error: BaseException) -> tuple[str, str]:
    """Return (outcome, error class) for an exception out of a publish call."""
    for cls, outcome in TAXONOMY:
        if isinstance(error, cls):
            return outcome, cls.__name__
    if isinstance(error, SoftTimeLimitExceeded):
        return "timeout", ""
    # Outside the taxonomy: an adapter bug (the engine treats it as unknown).
    return "error", ""


@contextmanager
def publish_call(network: str) -> Iterator[None]:
    """Time the adapter's publish call inside; count its error, if any, by class."""
    started = time.perf_counter()
    try:
        yield
    except BaseException as error:
        outcome, error_class = outcome_of(error)
        publish_duration.labels(network, outcome).observe(time.perf_counter() - started)
        if error_class:
            adapter_errors.labels(network, error_class).inc()
        raise
    publish_duration.labels(network, "published").observe(time.perf_counter() - started)


def published(network: str, scheduled_at: datetime | None, published_at: datetime | None) -> None:
    """Record how late a delivery went out (a missing time records nothing)."""
    if scheduled_at is None or published_at is None:
        return
    lateness.labels(network).observe((published_at - scheduled_at).total_seconds())


def dispatch_tick(dispatch: Callable[P, int]) -> Callable[P, int]:
    """Decorate dispatch_due: time each tick and record how many deliveries it claimed."""

    @functools.wraps(dispatch)
    def timed(*args: P.args, **kwargs: P.kwargs) -> int:
        with dispatch_duration.time():
            claimed = dispatch(*args, **kwargs)
        dispatch_claimed.observe(claimed)
        return claimed

    return timed

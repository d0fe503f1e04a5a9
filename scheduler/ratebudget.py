"""Each account's publish budget, so the engine waits instead of hitting 429s.

A fixed-window counter in the cache: atomic on Redis (production). The file cache
of the embedded default increments without a lock, so under heavy concurrency it
may let a call or two over; the network's own 429 (RateLimited) still holds.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.core.cache import cache
from django.utils import timezone

from channels.adapters.base import Limits


def take(
    account_id: int, limits: Limits, now: datetime | None = None, cost: int = 1
) -> datetime | None:
    """Spend `cost` posts from the account's budget; return when to retry if empty."""
    if not limits.posts_per_window:
        return None
    now = now or timezone.now()
    window = int(limits.window.total_seconds())
    slot = int(now.timestamp()) // window
    key = f"smo:budget:{account_id}:{slot}"
    cache.add(key, 0, timeout=window + 60)
    try:
        used = cache.incr(key, cost)
    except ValueError:  # expired between add and incr
        cache.set(key, cost, timeout=window + 60)
        used = cost
    if used <= limits.posts_per_window:
        return None
    return datetime.fromtimestamp((slot + 1) * window, UTC)

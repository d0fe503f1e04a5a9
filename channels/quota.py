"""The YouTube project's daily quota use, shared by every worker through Django's cache.

The adapter charges each call here before making it (channels/adapters/youtube_quota.py
has the costs and the Pacific-time quota day); keys carry the day, so a new day
starts at zero and old days expire. Atomic on Redis (production); the file cache
of the embedded default increments without a lock, so a call or two may slip
over under heavy concurrency, and Google's own quotaExceeded still stops them.
"""

from __future__ import annotations

from django.core.cache import cache

PREFIX = "smo:youtube-quota"
KEEP = 2 * 24 * 3600  # seconds: past the day's end in every time zone


class CacheQuota:
    def spend(self, day: str, bucket: str, units: int) -> int:
        key = f"{PREFIX}:{day}:{bucket}"
        cache.add(key, 0, timeout=KEEP)
        try:
            return int(cache.incr(key, units))
        except ValueError:  # expired between add and incr
            cache.set(key, units, timeout=KEEP)
            return units

    def mark_spent(self, day: str, bucket: str) -> None:
        cache.set(f"{PREFIX}:{day}:{bucket}:spent", True, timeout=KEEP)

    def is_spent(self, day: str, bucket: str) -> bool:
        return bool(cache.get(f"{PREFIX}:{day}:{bucket}:spent"))

    def used(self, day: str, bucket: str) -> int:
        return int(cache.get(f"{PREFIX}:{day}:{bucket}") or 0)

"""The YouTube Data API's daily quota: what each call costs, and when the day ends.

The quota belongs to the Google Cloud project (the app), not to a channel, so
every worker spends from one store (channels/quota.py keeps it in Django's
cache; `MemoryQuota` serves tests and scripts without Django). A day is the
quota day in Pacific time: Google resets quotas at midnight America/Los_Angeles
(platforms.md §6).

What videos.insert costs is documented two ways (platforms.md §6). Older docs,
and the cost table still printed on the current page, say 1,600 units from the
project's 10,000. The current text of developers.google.com/youtube/v3/
determine_quota_cost says videos.insert and search.list have "their own quota
buckets" of 100 calls a day, "1 per call". SMO follows the current text:
uploads count against their own bucket of `daily_uploads` (100) and the other
calls against `daily_quota` units. If a project is still charged 1,600, Google
answers quotaExceeded at step 1 of the upload, which creates nothing, and the
day is marked spent (below); counting 1,600 here instead would make SMO refuse
94 of the 100 uploads Google allows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from channels.adapters.base import RateLimited
from channels.words import Words, words

PACIFIC = ZoneInfo("America/Los_Angeles")
UNITS = "units"  # the project's shared pool (`daily_quota`, 10,000 by default)
UPLOADS = "uploads"  # videos.insert's own bucket (`daily_uploads`, 100 by default)
DAILY_UPLOADS = 100
# (bucket, cost) of each method the adapter calls (determine_quota_cost). The
# chunks and the resume probe of an upload are part of its videos.insert.
COSTS: dict[str, tuple[str, int]] = {
    "videos.insert": (UPLOADS, 1),
    "thumbnails.set": (UNITS, 50),
    "channels.list": (UNITS, 1),
    "playlistItems.list": (UNITS, 1),
    # The inbox: reading is cheap, every write costs 50.
    "commentThreads.list": (UNITS, 1),
    "comments.list": (UNITS, 1),
    "comments.insert": (UNITS, 50),
    "comments.setModerationStatus": (UNITS, 50),
    "comments.delete": (UNITS, 50),
    # Analytics: videos' statistics by up to 50 ids, and the subscriber count
    # (channels.list above).
    "videos.list": (UNITS, 1),
}
# Come back a little after midnight: with a clock a few seconds fast, a retry at
# "midnight" would meet the old day's quotaExceeded and mark the new day spent.
GRACE = timedelta(minutes=2)


def quota_day(now: datetime) -> date:
    """Return the Pacific-time day whose quota `now` spends."""
    return now.astimezone(PACIFIC).date()


def next_quota_day(now: datetime) -> datetime:
    """Return when the next quota day starts (Pacific midnight), in UTC, plus GRACE."""
    tomorrow = quota_day(now) + timedelta(days=1)
    return datetime.combine(tomorrow, time(0), tzinfo=PACIFIC).astimezone(UTC) + GRACE


class QuotaStore(Protocol):
    """Units spent per quota day and bucket, shared by every worker."""

    def spend(self, day: str, bucket: str, units: int) -> int:
        """Add `units` (negative to give back) and return the day's total."""
        ...

    def mark_spent(self, day: str, bucket: str) -> None:
        """Record that Google refused a call for quota: nothing more today."""
        ...

    def is_spent(self, day: str, bucket: str) -> bool: ...


class MemoryQuota:
    """A QuotaStore in this process's memory, for tests and runs without Django."""

    def __init__(self) -> None:
        self.used: dict[tuple[str, str], int] = {}
        self.spent: set[tuple[str, str]] = set()
        self._lock = threading.Lock()

    def spend(self, day: str, bucket: str, units: int) -> int:
        with self._lock:
            total = self.used.get((day, bucket), 0) + units
            self.used[(day, bucket)] = total
            return total

    def mark_spent(self, day: str, bucket: str) -> None:
        with self._lock:
            self.spent.add((day, bucket))

    def is_spent(self, day: str, bucket: str) -> bool:
        with self._lock:
            return (day, bucket) in self.spent


class Quota:
    """Charge each call before it is made, and refuse the call that would go over.

    Units are reserved first and given back if they don't fit, so two workers
    checking at once cannot both take the last ones. A refused call is not
    given back: Google charges invalid requests too.
    """

    def __init__(
        self, store: QuotaStore, limits: Mapping[str, int], now: Callable[[], datetime]
    ) -> None:
        self.store = store
        self.limits = dict(limits)
        self.now = now

    @classmethod
    def from_config(cls, config: Mapping[str, Any], now: Callable[[], datetime]) -> Quota:
        store = config.get("quota") or MemoryQuota()
        limits = {
            UNITS: int(config.get("daily_quota") or 10_000),
            UPLOADS: int(config.get("daily_uploads") or DAILY_UPLOADS),
        }
        return cls(store, limits, now)

    def charge(self, method: str, channel: str = "") -> None:
        """Spend what `method` costs today, or raise RateLimited until the next day."""
        bucket, cost = COSTS[method]
        now = self.now()
        day = quota_day(now).isoformat()
        if self.store.is_spent(day, bucket) or (
            bucket == UPLOADS and channel and self.store.is_spent(day, _channel(channel))
        ):
            raise self._wait(now, method, "spent")
        total = self.store.spend(day, bucket, cost)
        if total > self.limits[bucket]:
            self.store.spend(day, bucket, -cost)
            raise self._wait(now, method, "budget")

    def exhausted(
        self, method: str, reason: str, channel: str = "", status: int | None = None
    ) -> RateLimited:
        """Record Google's own "quota spent" answer to `method`; return the wait.

        uploadLimitExceeded is the channel's own daily upload cap, so only that
        channel's uploads wait; the other reasons stop the method's bucket for
        the whole project.
        """
        now = self.now()
        day = quota_day(now).isoformat()
        bucket = COSTS[method][0]
        self.store.mark_spent(day, _channel(channel) if reason == "uploadLimitExceeded" else bucket)
        return self._wait(now, method, reason, status=status)

    def _wait(
        self, now: datetime, method: str, code: str, status: int | None = None
    ) -> RateLimited:
        bucket = COSTS[method][0]
        until = next_quota_day(now)
        message: Words
        if code == "uploadLimitExceeded":
            message = words(
                "This YouTube channel has reached its daily upload limit; SMO tries again "
                "after midnight Pacific time."
            )
        elif bucket == UPLOADS:
            message = words(
                "SMO's YouTube uploads for today (%(limit)s per day) are used up; SMO tries "
                "again after midnight Pacific time, when Google resets the quota.",
                limit=self.limits[UPLOADS],
            )
        else:
            message = words(
                "SMO's YouTube API quota for today (%(limit)s units) is used up; SMO tries "
                "again after midnight Pacific time, when Google resets the quota.",
                limit=self.limits[UNITS],
            )
        return RateLimited(message, until, status=status, code=code)


def _channel(channel: str) -> str:
    return f"{UPLOADS}:{channel}"

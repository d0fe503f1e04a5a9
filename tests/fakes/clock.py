"""A clock a test moves by hand, for fakes and adapters that take `now`."""

from __future__ import annotations

from datetime import UTC, datetime

# The suite's fixed moment (tests/conftest.py NOW).
NOW = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime = NOW) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

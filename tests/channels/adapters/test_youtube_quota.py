"""The YouTube project's daily quota: charged before each call, refused before it would
go over, marked spent when Google says so, and fresh again after Pacific midnight."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from channels.adapters import base
from channels.adapters.registry import get_adapter, network_config
from channels.adapters.youtube_quota import (
    COSTS,
    GRACE,
    MemoryQuota,
    Quota,
    next_quota_day,
    quota_day,
)
from channels.quota import CacheQuota
from tests.fakes.youtube import VIDEOS
from tests.fakes.youtube_contract import ContractCase, body, contract_case, video


@pytest.fixture
def case() -> Iterator[ContractCase]:
    with contract_case() as case:
        yield case
    assert case.fake.contract_violations == []


def publish(case: ContractCase, creds: base.Credentials | None = None) -> base.Published:
    post = base.Content(
        "Fresh at 7.", media=(video(case.folder, size=900),), options={"title": "Buns"}
    )
    return case.adapter.publish(creds or case.creds, post, "k", base.Progress())


def test_the_quota_day_is_the_pacific_date_in_summer_and_winter() -> None:
    # 07:59 UTC is 00:59 PDT (UTC-7) in July, 23:59 PST (UTC-8) in January.
    assert quota_day(datetime(2026, 7, 1, 7, 59, tzinfo=UTC)).isoformat() == "2026-07-01"
    assert quota_day(datetime(2026, 1, 15, 7, 59, tzinfo=UTC)).isoformat() == "2026-01-14"


def test_the_next_quota_day_starts_at_pacific_midnight_across_dst() -> None:
    summer = next_quota_day(datetime(2026, 7, 1, 20, 0, tzinfo=UTC))
    assert summer == datetime(2026, 7, 2, 7, 0, tzinfo=UTC) + GRACE
    winter = next_quota_day(datetime(2026, 1, 15, 20, 0, tzinfo=UTC))
    assert winter == datetime(2026, 1, 16, 8, 0, tzinfo=UTC) + GRACE
    # 1 November 2026: PDT ends at 02:00 that night, so the day is 25 hours long.
    fall = next_quota_day(datetime(2026, 11, 1, 8, 0, tzinfo=UTC))
    assert fall == datetime(2026, 11, 2, 8, 0, tzinfo=UTC) + GRACE


def test_the_cost_table_covers_every_method_the_adapter_calls() -> None:
    assert COSTS == {
        "videos.insert": ("uploads", 1),
        "thumbnails.set": ("units", 50),
        "channels.list": ("units", 1),
        "playlistItems.list": ("units", 1),
        "commentThreads.list": ("units", 1),
        "comments.list": ("units", 1),
        "comments.insert": ("units", 50),
        "comments.setModerationStatus": ("units", 50),
        "comments.delete": ("units", 50),
        "videos.list": ("units", 1),
    }


def test_an_upload_over_the_days_allowance_is_refused_without_a_call(case: ContractCase) -> None:
    case.quota.spend(case.fake.quota_day(), "uploads", 100)
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert case.fake.requests == []
    assert raised.value.retry_at == next_quota_day(case.fake.clock())
    assert raised.value.detail == (
        "SMO's YouTube uploads for today (100 per day) are used up; SMO tries again after "
        "midnight Pacific time, when Google resets the quota."
    )
    assert case.quota.used[(case.fake.quota_day(), "uploads")] == 100  # given back


def test_units_are_counted_against_daily_quota() -> None:
    with contract_case(daily_quota=2) as tight:
        post = base.Content("x", media=(video(tight.folder, size=900),), options={"title": "B"})
        for _ in range(2):
            assert tight.adapter.find_published(tight.creds, post, "k", base.Progress()) is None
        with pytest.raises(base.RateLimited) as raised:
            tight.adapter.find_published(tight.creds, post, "k", base.Progress())
        assert "(2 units)" in raised.value.detail
        assert len(tight.fake.calls("GET", "/youtube/v3/playlistItems")) == 2


def test_googles_quota_exceeded_marks_the_day_and_the_next_day_uploads_again(
    case: ContractCase,
) -> None:
    case.fake.quota.uploads = 1
    publish(case)
    with pytest.raises(base.RateLimited) as raised:
        publish(case)  # Google says quotaExceeded at step 1: no session, no video
    assert (raised.value.status, raised.value.code) == (403, "quotaExceeded")
    assert raised.value.retry_at == next_quota_day(case.fake.clock())
    asked = len(case.fake.requests)
    with pytest.raises(base.RateLimited):
        publish(case)
    assert len(case.fake.requests) == asked  # the day is spent: not asked again

    case.fake.advance((raised.value.retry_at - case.fake.clock()).total_seconds())
    fresh = case.adapter.refresh(case.creds)  # the hour-long token is long gone
    assert publish(case, fresh).external_id
    assert len(case.fake.videos) == 2


def test_a_project_charged_1600_units_per_upload_is_stopped_by_google_not_by_smo(
    case: ContractCase,
) -> None:
    case.fake.legacy_insert_cost = True  # the older docs' accounting
    for _ in range(6):
        publish(case)
    with pytest.raises(base.RateLimited) as raised:
        publish(case)
    assert raised.value.code == "quotaExceeded"
    assert len(case.fake.videos) == 6
    assert case.fake.used("units") == 9600


def test_a_reservation_over_the_limit_is_given_back_so_two_workers_cannot_both_take_the_last() -> (
    None
):
    store = MemoryQuota()
    now = datetime(2026, 11, 25, 20, 0, tzinfo=UTC)
    quota = Quota(store, {"units": 100, "uploads": 1}, lambda: now)
    outcomes: list[str] = []
    barrier = threading.Barrier(8)

    def take() -> None:
        barrier.wait()
        try:
            quota.charge("videos.insert")
            outcomes.append("ok")
        except base.RateLimited:
            outcomes.append("wait")

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["ok"] + ["wait"] * 7
    assert store.used == {("2026-11-25", "uploads"): 1}


def test_the_cache_store_counts_per_day_and_remembers_a_spent_day() -> None:
    store = CacheQuota()
    assert store.spend("2030-01-01", "units", 50) == 50
    assert store.spend("2030-01-01", "units", 1) == 51
    assert store.spend("2030-01-02", "units", 1) == 1
    assert store.used("2030-01-01", "units") == 51
    assert not store.is_spent("2030-01-01", "uploads")
    store.mark_spent("2030-01-01", "uploads")
    assert store.is_spent("2030-01-01", "uploads")
    assert not store.is_spent("2030-01-02", "uploads")


def test_every_youtube_adapter_the_app_builds_shares_the_cache_quota() -> None:
    config = network_config("youtube")
    assert isinstance(config["quota"], CacheQuota)
    assert config["daily_quota"] == 10_000
    first, second = get_adapter("youtube"), get_adapter("youtube")
    now = datetime.now(UTC) + timedelta(days=400)  # a day no other test touches
    first.quota.now = second.quota.now = lambda: now  # type: ignore[attr-defined]
    first.quota.charge("thumbnails.set")  # type: ignore[attr-defined]
    second.quota.charge("thumbnails.set")  # type: ignore[attr-defined]
    assert CacheQuota().used(quota_day(now).isoformat(), "units") == 100


def test_a_quota_exceeded_on_a_lookup_spends_the_units_not_the_uploads(case: ContractCase) -> None:
    case.fake.fail_next(403, body(403, "quotaExceeded"))
    post = base.Content("x", media=(video(case.folder, size=900),), options={"title": "B"})
    with pytest.raises(base.RateLimited):
        case.adapter.find_published(case.creds, post, "k", base.Progress())
    day = case.fake.quota_day()
    assert case.quota.spent == {(day, "units")}
    assert publish(case).external_id  # uploads have their own bucket
    assert len(case.fake.calls("POST", VIDEOS)) == 1

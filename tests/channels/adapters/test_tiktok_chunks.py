"""The chunk arithmetic on TikTok's real numbers (media transfer guide; platforms.md §7):
5 to 64 MB chunks, under 5 MB whole, the last chunk up to 128 MB, 1 to 1,000 chunks,
total_chunk_count = floor(video_size / chunk_size)."""

from __future__ import annotations

from itertools import pairwise
from types import SimpleNamespace

import pytest

from channels.adapters.tiktok_upload import ChunkPlan, ChunkRules, TooBig, plan_chunks
from tests.fakes import tiktok_routes
from tests.fakes.tiktok_wire import Refusal

MB, MIB, GB = 1000 * 1000, 1024 * 1024, 1000 * 1000 * 1000
REAL = ChunkRules()
# The fake's defaults are TikTok's rules read strictly: 5 MiB up, 64 MB down.
TIKTOK = SimpleNamespace(
    min_chunk=5 * MIB, max_chunk=64 * MB, max_last_chunk=128 * MB, max_chunks=1000
)


def test_the_defaults_are_tiktoks_numbers_read_so_either_meaning_of_mb_holds() -> None:
    assert (REAL.min_chunk, REAL.max_chunk, REAL.max_last_chunk, REAL.max_chunks) == (
        5 * 1024 * 1024,  # at least 5 MB whether a MB is 10^6 or 2^20 bytes
        64_000_000,  # at most 64 MB either way
        128_000_000,
        1000,
    )
    assert REAL.chunk_bytes == 10 * MIB


@pytest.mark.parametrize(
    ("size", "plan"),
    [
        (1, ChunkPlan(1, 1, 1)),
        (3 * MB, ChunkPlan(3 * MB, 3 * MB, 1)),  # under 5 MB: whole
        (10 * MIB, ChunkPlan(10 * MIB, 10 * MIB, 1)),
        # Between one chosen chunk and two: one chunk of the whole, within 64 MB.
        (15 * MIB, ChunkPlan(15 * MIB, 15 * MIB, 1)),
        (50 * MB, ChunkPlan(50 * MB, 10 * MIB, 4)),  # 3 x 10 MiB, the last 18,542,720 bytes
        (64 * MB, ChunkPlan(64 * MB, 10 * MIB, 6)),
        (64 * MB + 1, ChunkPlan(64 * MB + 1, 10 * MIB, 6)),  # over 64 MB: several chunks
        (GB, ChunkPlan(GB, 10 * MIB, 95)),
        (4 * GB, ChunkPlan(4 * GB, 10 * MIB, 381)),
        # Past 1,000 chunks of 10 MiB the chunk grows, just enough for 1,000.
        (20 * GB, ChunkPlan(20 * GB, 19_980_020, 1000)),
    ],
)
def test_plans_on_the_real_numbers(size: int, plan: ChunkPlan) -> None:
    assert plan_chunks(size, REAL) == plan


def test_the_last_chunk_takes_the_remainder() -> None:
    plan = plan_chunks(50 * MB, REAL)
    ranges = list(plan.ranges())
    assert ranges == [
        (0, 10 * MIB - 1),
        (10 * MIB, 20 * MIB - 1),
        (20 * MIB, 30 * MIB - 1),
        (30 * MIB, 50 * MB - 1),
    ]
    assert 50 * MB - 30 * MIB == 18_542_720
    assert plan.source_info() == {
        "source": "FILE_UPLOAD",
        "video_size": 50 * MB,
        "chunk_size": 10 * MIB,
        "total_chunk_count": 4,
    }


def test_a_chosen_chunk_of_64_mb_still_splits_a_video_just_over_it() -> None:
    rules = ChunkRules(chunk_bytes=64 * MB)
    # floor(100 MB / 64 MB) would be one chunk, which TikTok refuses over 64 MB.
    assert plan_chunks(100 * MB, rules) == ChunkPlan(100 * MB, 50 * MB, 2)
    assert plan_chunks(64 * MB, rules) == ChunkPlan(64 * MB, 64 * MB, 1)


def test_too_big_and_empty_files_are_refused() -> None:
    # 1,000 chunks of 64 MB, the last 128 MB less a byte (one more would be a 1,001st).
    assert REAL.largest_video == 1001 * 64 * MB - 1
    with pytest.raises(TooBig):
        plan_chunks(REAL.largest_video + 1, REAL)
    assert plan_chunks(REAL.largest_video, REAL).total_chunk_count == 1000
    with pytest.raises(ValueError):
        plan_chunks(0, REAL)


@pytest.mark.parametrize(
    "size",
    [
        1,
        5 * MB - 1,
        5 * MB,
        5 * MIB,
        5 * MIB + 1,
        20 * MIB - 1,
        20 * MIB,
        64 * MB - 1,
        64 * MB,
        64 * MB + 1,
        64 * MIB,
        128 * MB,
        128 * MB + 1,
        999 * MB,
        4 * GB,
        10 * GB + 12345,
        63 * GB,
        REAL.largest_video,
    ],
)
def test_every_plan_keeps_the_rules_the_fake_enforces(size: int) -> None:
    plan = plan_chunks(size, REAL)
    try:
        tiktok_routes.check_chunks(
            TIKTOK,  # type: ignore[arg-type]
            plan.video_size,
            plan.chunk_size,
            plan.total_chunk_count,
        )
    except Refusal as refusal:  # pragma: no cover - the message says which rule
        pytest.fail(f"{size}: {refusal.reply.body}")
    ranges = list(plan.ranges())
    assert ranges[0][0] == 0 and ranges[-1][1] == size - 1
    assert all(a[1] + 1 == b[0] for a, b in pairwise(ranges))
    assert len(ranges) == plan.total_chunk_count


def test_the_fake_refuses_plans_that_break_the_rules() -> None:
    broken = [
        (10 * MB, 10 * MB, 2),  # count is not floor(size / chunk)
        (4 * MB, 2 * MB, 2),  # under 5 MB must go whole
        (100 * MB, 100 * MB, 1),  # over 64 MB must be chunked
        (200 * MB, 2 * MB, 100),  # chunks under 5 MB
        (200 * MB, 70 * MB, 2),  # chunks over 64 MB
        (10 * GB, 6 * MB, 1666),  # over 1,000 chunks
    ]
    for size, chunk, count in broken:
        with pytest.raises(Refusal):
            tiktok_routes.check_chunks(TIKTOK, size, chunk, count)  # type: ignore[arg-type]

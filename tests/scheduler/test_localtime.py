from __future__ import annotations

from datetime import UTC, datetime

import pytest

from scheduler import localtime

STOCKHOLM = localtime.zone("Europe/Stockholm")


def test_an_ordinary_local_time_becomes_utc() -> None:
    assert localtime.to_utc(datetime(2026, 7, 1, 9, 0), STOCKHOLM) == datetime(
        2026, 7, 1, 7, 0, tzinfo=UTC
    )
    assert localtime.to_utc(datetime(2026, 12, 1, 9, 0), STOCKHOLM) == datetime(
        2026, 12, 1, 8, 0, tzinfo=UTC
    )


def test_a_time_in_the_spring_gap_is_refused_not_shifted() -> None:
    with pytest.raises(localtime.LocalTimeError, match="does not exist in Europe/Stockholm"):
        localtime.to_utc(datetime(2026, 3, 29, 2, 30), STOCKHOLM)


def test_the_edges_of_the_gap_exist() -> None:
    assert localtime.to_utc(datetime(2026, 3, 29, 1, 59), STOCKHOLM) == datetime(
        2026, 3, 29, 0, 59, tzinfo=UTC
    )
    assert localtime.to_utc(datetime(2026, 3, 29, 3, 0), STOCKHOLM) == datetime(
        2026, 3, 29, 1, 0, tzinfo=UTC
    )


def test_a_time_in_the_autumn_overlap_is_refused_naming_both_offsets() -> None:
    with pytest.raises(localtime.LocalTimeError, match=r"happens twice .* \+0200 or \+0100"):
        localtime.to_utc(datetime(2026, 10, 25, 2, 30), STOCKHOLM)


def test_an_aware_time_is_only_converted() -> None:
    aware = datetime(2026, 10, 25, 2, 30, tzinfo=localtime.zone("UTC"))
    assert localtime.to_utc(aware, STOCKHOLM) == datetime(2026, 10, 25, 2, 30, tzinfo=UTC)


@pytest.mark.parametrize("name", ["", "Mars/Base", "../etc/passwd", "europe/stockholm"])
def test_unknown_zone_names_are_refused(name: str) -> None:
    with pytest.raises(localtime.LocalTimeError):
        localtime.zone(name)

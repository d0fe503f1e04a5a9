"""Dates and times in the active language's patterns (smo/dates.py, smo/formats/)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.utils import timezone, translation

from smo import dates
from smo.formats.en import formats as en
from smo.formats.sv import formats as sv

# Wednesday 25 November 2026, five seconds past nine in the morning in Stockholm.
AT = datetime(2026, 11, 25, 9, 0, 5, tzinfo=ZoneInfo("Europe/Stockholm"))


@pytest.mark.parametrize(
    ("name", "english", "swedish"),
    [
        ("date", "Nov 25, 2026", "25 nov 2026"),
        ("datetime", "Wed, Nov 25, 2026, 9:00\u00a0AM", "ons 25 nov 2026 09:00"),
        ("time", "9:00\u00a0AM", "09:00"),
        ("month_day", "Nov 25", "25 nov"),
        ("year_month", "November 2026", "november 2026"),
        ("day", "Wednesday, November 25", "onsdag 25 november"),
        ("short_day", "Wed, Nov 25", "ons 25 nov"),
        ("day_time", "Wed, Nov 25, 9:00\u00a0AM", "ons 25 nov 09:00"),
        ("weekday_time", "Wed 9:00\u00a0AM", "ons 09:00"),
        ("datetime_seconds", "Nov 25, 2026, 9:00:05\u00a0AM", "25 nov 2026 09:00:05"),
        ("time_seconds", "9:00:05\u00a0AM", "09:00:05"),
        ("hour", "9\u00a0AM", "09:00"),
    ],
)
def test_each_named_pattern_follows_the_active_language(
    name: str, english: str, swedish: str
) -> None:
    with translation.override("en"):
        assert dates.show(AT, name) == english
    with translation.override("sv"):
        assert dates.show(AT, name) == swedish


def test_english_and_swedish_define_the_same_names() -> None:
    """Swedish would silently fall back to English's pattern for a name it lacks."""
    names = {n for n in vars(en) if n.endswith("_FORMAT")}
    assert names == {n for n in vars(sv) if n.endswith("_FORMAT")}
    assert len(names) == 12


def test_an_afternoon_reads_12_hour_in_english_and_24_hour_in_swedish() -> None:
    afternoon = datetime(2026, 5, 1, 14, 5, tzinfo=UTC)
    with translation.override("en"):
        assert dates.show(afternoon, "day_time") == "Fri, May 1, 2:05\u00a0PM"
        assert dates.show(time(14, 5), "time") == "2:05\u00a0PM"
        assert dates.show(time(0, 30), "time") == "12:30\u00a0AM"
    with translation.override("sv"):
        assert dates.show(afternoon, "day_time") == "fre 1 maj 14:05"
        assert dates.show(time(14, 5), "time") == "14:05"
        assert dates.show(time(0, 30), "time") == "00:30"


def test_a_date_without_a_time_takes_the_date_patterns() -> None:
    with translation.override("en"):
        assert dates.show(date(2027, 1, 3), "date") == "Jan 3, 2027"
    with translation.override("sv"):
        assert dates.show(date(2027, 1, 3), "date") == "3 jan 2027"


def test_an_aware_datetime_is_shown_in_its_own_zone() -> None:
    """Callers convert to the person's zone first; show() only formats."""
    with translation.override("sv"), timezone.override("America/New_York"):
        assert dates.show(datetime(2026, 11, 25, 14, 0, tzinfo=UTC), "time") == "14:00"


def test_a_language_without_a_name_falls_back_to_english_and_then_to_django() -> None:
    """German has no SMO module: Django's `de` gives its own names, English SMO's."""
    with translation.override("de"):
        assert dates.pattern("date") == "j. F Y"
        assert dates.pattern("day_time") == en.DAY_TIME_FORMAT


def test_an_unknown_name_is_an_error_not_a_garbled_date() -> None:
    with pytest.raises(ValueError, match="No date format called 'daytime'"):
        dates.show(AT, "daytime")


TEMPLATE = Template(
    '{% load when %}{{ at|when:"day_time" }} | {{ at|when:"time" }} | {{ nothing|when:"date" }}.'
)


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("en", "Wed, Nov 25, 3:00\u00a0PM | 3:00\u00a0PM | ."),
        ("sv", "ons 25 nov 15:00 | 15:00 | ."),
    ],
)
def test_the_when_filter_shows_the_active_zone_in_the_active_language(
    language: str, expected: str
) -> None:
    """As Django's |date does, the filter gets an aware datetime in the active zone."""
    at = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
    with translation.override(language), timezone.override("Europe/Stockholm"):
        assert TEMPLATE.render(Context({"at": at, "nothing": None})) == expected

"""Repeating posts: RRULE text, occurrences in UTC across DST, series all or nothing."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from scheduler import engine, posts, recurrence
from scheduler.models import Delivery, Post
from scheduler.recurrence import RuleError, build_rule, occurrences
from tests.conftest import Cast

S = Delivery.State
TODAY = date(2026, 11, 25)  # tests.conftest.NOW
pytestmark = pytest.mark.usefixtures("frozen")


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_weekly_rule_lists_the_days_in_order() -> None:
    assert build_rule("weekly", 1, [3, 0], count=8) == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=8"


def test_rule_with_an_interval_and_an_end_date() -> None:
    rule = build_rule("daily", 2, until=date(2026, 12, 31), today=TODAY)
    assert rule == "FREQ=DAILY;INTERVAL=2;UNTIL=20261231T235959"


def test_monthly_rule() -> None:
    assert build_rule("monthly", count=3) == "FREQ=MONTHLY;COUNT=3"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"freq": "hourly", "count": 3}, "Repeat daily, weekly or monthly."),
        ({"freq": "daily", "count": 101}, "A series has 2 to 100 posts."),
        ({"freq": "daily", "count": 1}, "A series has 2 to 100 posts."),
        ({"freq": "daily"}, "End the repeat either on a date or after a number of posts."),
        (
            {"freq": "daily", "count": 3, "until": date(2026, 12, 1)},
            "End the repeat either on a date or after a number of posts.",
        ),
        ({"freq": "daily", "until": date(2027, 11, 27)}, "End the repeat within a year."),
        ({"freq": "daily", "until": date(2026, 11, 24)}, "The end date is in the past."),
        ({"freq": "daily", "weekdays": [0], "count": 3}, "Weekdays only go with weekly repeats."),
        (
            {"freq": "weekly", "interval": 0, "count": 3},
            "Repeat every 1 to 99 days, weeks or months.",
        ),
    ],
)
def test_rules_that_cannot_be_made_say_why(kwargs: dict, message: str) -> None:
    with pytest.raises(RuleError) as caught:
        build_rule(**kwargs)
    assert str(caught.value) == message


def test_until_a_year_from_today_is_allowed() -> None:
    assert build_rule("weekly", until=date(2027, 11, 26)).endswith("UNTIL=20271126T235959")


def test_weekly_occurrences_keep_local_time_across_spring_forward() -> None:
    # Stockholm moves to summer time on Sunday 28 March 2027: 09:00 is 08:00 UTC, then 07:00.
    rule = build_rule("weekly", count=4)
    assert occurrences(rule, datetime(2027, 3, 8, 9, 0), "Europe/Stockholm") == [
        utc(2027, 3, 8, 8, 0),
        utc(2027, 3, 15, 8, 0),
        utc(2027, 3, 22, 8, 0),
        utc(2027, 3, 29, 7, 0),
    ]


def test_the_first_time_counts_even_off_the_chosen_weekdays() -> None:
    # RFC 5545: DTSTART is the first occurrence. Wednesday 2 Dec, then Mondays and Thursdays.
    rule = build_rule("weekly", weekdays=[0, 3], count=4)
    assert occurrences(rule, datetime(2026, 12, 2, 10, 0), "Europe/Stockholm") == [
        utc(2026, 12, 2, 9, 0),
        utc(2026, 12, 3, 9, 0),
        utc(2026, 12, 7, 9, 0),
        utc(2026, 12, 10, 9, 0),
    ]


def test_until_includes_its_whole_last_day() -> None:
    rule = build_rule("daily", until=date(2026, 12, 3))
    assert occurrences(rule, datetime(2026, 12, 1, 23, 30), "Europe/Stockholm") == [
        utc(2026, 12, 1, 22, 30),
        utc(2026, 12, 2, 22, 30),
        utc(2026, 12, 3, 22, 30),
    ]


def test_a_time_in_the_spring_gap_posts_an_hour_later_and_says_so() -> None:
    found = recurrence.expand(
        build_rule("daily", count=3), datetime(2027, 3, 27, 2, 30), "Europe/Stockholm", 10
    )
    assert [o.utc for o in found] == [
        utc(2027, 3, 27, 1, 30),  # 02:30 CET
        utc(2027, 3, 28, 1, 30),  # 02:30 does not exist: 03:30 CEST
        utc(2027, 3, 29, 0, 30),  # 02:30 CEST
    ]
    assert [o.note for o in found] == [
        "",
        "2:30\u00a0AM does not exist that day (clocks go forward); posts at 3:30\u00a0AM.",
        "",
    ]


def test_a_time_in_the_autumn_overlap_posts_at_the_first_and_says_so() -> None:
    found = recurrence.expand(
        build_rule("daily", count=3), datetime(2027, 10, 30, 2, 30), "Europe/Stockholm", 10
    )
    assert [o.utc for o in found] == [
        utc(2027, 10, 30, 0, 30),
        utc(2027, 10, 31, 0, 30),  # 02:30 CEST, the first of the two
        utc(2027, 11, 1, 1, 30),
    ]
    assert (
        found[1].note == "2:30\u00a0AM happens twice that day (clocks go back); posts at the first."
    )


def test_occurrences_stop_at_the_limit() -> None:
    rule = build_rule("daily", until=date(2027, 11, 1))
    assert len(occurrences(rule, datetime(2026, 12, 1, 9, 0), "Europe/Stockholm", limit=5)) == 5


def test_describe_says_the_rule_in_words() -> None:
    rule = build_rule("weekly", weekdays=[0, 3], until=date(2026, 12, 31), today=TODAY)
    assert recurrence.describe(rule, today=TODAY) == "every Monday and Thursday until Dec 31"
    assert recurrence.describe("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,WE,FR;COUNT=6") == (
        "every 2 weeks on Monday, Wednesday and Friday"
    )
    assert recurrence.describe("FREQ=DAILY;COUNT=3") == "every day"
    assert recurrence.describe("FREQ=MONTHLY;UNTIL=20270115T235959", today=TODAY) == (
        "every month until Jan 15, 2027"
    )


def _data(account, when: datetime) -> posts.PostInput:  # type: ignore[no-untyped-def]
    return posts.PostInput(text="Coffee break!", accounts=[account], scheduled_at=when)


def test_create_series_makes_one_post_per_occurrence_linked_to_the_first(
    cast: Cast, account
) -> None:
    rule = build_rule("weekly", weekdays=[0, 3], count=3)
    first, *rest = recurrence.create_series(cast.editor, _data(account, utc(2026, 11, 30, 8)), rule)
    assert first.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=3"
    assert [p.scheduled_at for p in [first, *rest]] == [
        utc(2026, 11, 30, 8),
        utc(2026, 12, 3, 8),
        utc(2026, 12, 7, 8),
    ]
    assert list(Post.objects.filter(repeat_of=first).order_by("scheduled_at")) == rest
    assert list(Delivery.objects.order_by("scheduled_at").values_list("scheduled_at", "state")) == [
        (utc(2026, 11, 30, 8), S.SCHEDULED),
        (utc(2026, 12, 3, 8), S.SCHEDULED),
        (utc(2026, 12, 7, 8), S.SCHEDULED),
    ]


def test_a_contributors_series_waits_for_approval(cast: Cast, account) -> None:
    recurrence.create_series(
        cast.contributor, _data(account, utc(2026, 11, 30, 8)), build_rule("daily", count=2)
    )
    assert set(Delivery.objects.values_list("state", flat=True)) == {S.AWAITING_APPROVAL}


def test_series_creation_is_all_or_nothing_and_names_the_failing_date(
    cast: Cast, account, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = posts.check_time

    def refuse_the_third(when, now):  # type: ignore[no-untyped-def]
        if when == utc(2026, 12, 14, 8):
            return {"scheduled_at": ["The sandbox is closed that day."]}
        return real(when, now)

    monkeypatch.setattr(posts, "check_time", refuse_the_third)
    with pytest.raises(posts.PostErrors) as caught:
        recurrence.create_series(
            cast.editor, _data(account, utc(2026, 11, 30, 8)), build_rule("weekly", count=4)
        )
    assert caught.value.errors == {
        "scheduled_at": ["Dec 14, 2026: The sandbox is closed that day."]
    }
    assert Post.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_a_series_starting_in_the_past_is_refused_naming_its_first_date(
    cast: Cast, account
) -> None:
    with pytest.raises(posts.PostErrors) as caught:
        recurrence.create_series(
            cast.editor, _data(account, utc(2026, 11, 23, 8)), build_rule("weekly", count=2)
        )
    assert caught.value.errors == {
        "scheduled_at": [
            "Nov 23, 2026: This time is in the past. Pick a time from now on, or publish now."
        ]
    }
    assert Post.objects.count() == 0


def test_a_rule_making_more_than_100_posts_is_refused(cast: Cast, account) -> None:
    with pytest.raises(RuleError) as caught:
        recurrence.create_series(
            cast.editor,
            _data(account, utc(2026, 11, 30, 8)),
            build_rule("daily", until=date(2027, 6, 1)),
        )
    assert str(caught.value) == "This repeat makes more than 100 posts; end it sooner."
    assert Post.objects.count() == 0


def test_a_draft_cannot_start_a_series(cast: Cast, account) -> None:
    with pytest.raises(RuleError):
        recurrence.create_series(
            cast.editor, posts.PostInput(text="x", accounts=[account]), "FREQ=DAILY;COUNT=2"
        )


def test_repeat_post_turns_a_scheduled_post_into_the_first_of_a_series(cast: Cast, account) -> None:
    post = posts.create_post(cast.editor, _data(account, utc(2026, 12, 2, 8)))
    series = recurrence.repeat_post(cast.editor, post, build_rule("weekly", count=3))
    assert series[0] == post
    post.refresh_from_db()
    assert post.recurrence == "FREQ=WEEKLY;COUNT=3"
    assert [p.scheduled_at for p in series] == [
        utc(2026, 12, 2, 8),
        utc(2026, 12, 9, 8),
        utc(2026, 12, 16, 8),
    ]
    assert [p.text for p in series] == ["Coffee break!"] * 3
    with pytest.raises(RuleError) as caught:
        recurrence.repeat_post(cast.editor, post, build_rule("weekly", count=3))
    assert str(caught.value) == "This post already repeats."


def test_cancel_series_cancels_only_what_has_not_gone_out(cast: Cast, account) -> None:
    first, second, third = recurrence.create_series(
        cast.editor, _data(account, utc(2026, 11, 30, 8)), build_rule("daily", count=3)
    )
    delivery = first.deliveries.get()
    for target in (S.QUEUED, S.PUBLISHING, S.PUBLISHED):
        assert engine.transition(delivery.pk, delivery.state, target)
        delivery.refresh_from_db()
    assert recurrence.cancel_series(second) == 2
    assert dict(Delivery.objects.values_list("post_id", "state")) == {
        first.pk: S.PUBLISHED,
        second.pk: S.CANCELLED,
        third.pk: S.CANCELLED,
    }

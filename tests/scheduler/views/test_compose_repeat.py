"""The composer's "repeat": one post per occurrence, all or nothing."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import Client

from scheduler.models import Post
from tests.conftest import Cast

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast) -> Client:
    client = Client()
    client.force_login(cast.role("editor").user)
    return client


def compose(client: Client, account, **fields: object):  # type: ignore[no-untyped-def]
    data = {
        "text": "Fresh buns",
        "accounts": [account.pk],
        "when": "schedule",
        "date": "2026-11-26",  # a Thursday
        "time": "09:00",
        "repeat_on": "on",
        "repeat-freq": "weekly",
        "repeat-interval": "1",
        "repeat-weekdays": ["0", "3"],  # Mondays and Thursdays
        "repeat-ends": "count",
        "repeat-count": "4",
        **fields,
    }
    return client.post("/compose/", data)


def test_a_weekly_repeat_makes_one_post_per_occurrence_at_the_same_local_time(
    cast: Cast, account
) -> None:  # type: ignore[no-untyped-def]
    response = compose(signed_in(cast), account)
    first = Post.objects.get(repeat_of=None)
    assert response.status_code == 302 and response["Location"] == f"/posts/{first.pk}/"
    assert first.recurrence == "FREQ=WEEKLY;BYDAY=MO,TH;COUNT=4"
    times = list(Post.objects.order_by("scheduled_at").values_list("scheduled_at", flat=True))
    # 09:00 in Stockholm is 08:00 UTC in winter.
    assert times == [
        datetime(2026, 11, 26, 8, tzinfo=UTC),
        datetime(2026, 11, 30, 8, tzinfo=UTC),
        datetime(2026, 12, 3, 8, tzinfo=UTC),
        datetime(2026, 12, 7, 8, tzinfo=UTC),
    ]
    assert set(Post.objects.exclude(pk=first.pk).values_list("repeat_of", flat=True)) == {first.pk}


def test_a_bad_repeat_keeps_everything_typed_and_saves_nothing(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    response = compose(signed_in(cast), account, **{"repeat-count": "500"})
    assert response.status_code == 400
    assert response.context["repeat"].errors["count"]
    assert response.context["form"]["text"].value() == "Fresh buns"
    assert Post.objects.count() == 0


def test_without_the_box_ticked_the_repeat_fields_are_ignored(cast: Cast, account) -> None:  # type: ignore[no-untyped-def]
    response = compose(signed_in(cast), account, repeat_on="")
    assert response.status_code == 302
    assert Post.objects.count() == 1 and Post.objects.get().recurrence == ""

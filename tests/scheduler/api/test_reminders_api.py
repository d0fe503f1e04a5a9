"""Reminders in the API: their state in delivery JSON, and POST .../mark-posted/ and .../skip/."""

from __future__ import annotations

import pytest

from scheduler import engine
from scheduler.models import Delivery
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory
from tests.scheduler.reminding import due_to, snapchat

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


@pytest.fixture
def reminded(cast: Cast) -> Delivery:
    delivery = due_to(snapchat(cast.admin), cast.editor, NOW)
    assert engine.publish(delivery.pk) == "reminder"
    return delivery


def test_a_reminder_shows_in_the_posts_delivery_json(cast: Cast, api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    body = api.get(f"/api/v1/posts/{reminded.post_id}/").json()
    assert body["status"] == "reminder_sent"
    [delivery] = body["deliveries"]
    assert (
        delivery["state"],
        delivery["network"],
        delivery["by_reminder"],
        delivery["reminded_at"],
    ) == ("reminder_sent", "snapchat", True, "2026-11-25T14:00:00Z")


def test_open_reminders_are_listed_by_state(cast: Cast, api, reminded: Delivery, account) -> None:  # type: ignore[no-untyped-def]
    DeliveryFactory(post__workspace=cast.workspace, account=account)
    response = api.get("/api/v1/deliveries/?state=reminder_sent")
    assert response.status_code == 200
    assert [d["id"] for d in response.json()["results"]] == [reminded.pk]
    assert api.get("/api/v1/deliveries/").json()["count"] == 2


def test_an_unknown_state_filter_names_the_field(api) -> None:  # type: ignore[no-untyped-def]
    response = api.get("/api/v1/deliveries/?state=posted")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["state"]


def test_mark_posted_records_the_time_and_address(api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    url = "https://www.snapchat.com/@acmebakery/spotlight/abc"
    response = api.post(
        f"/api/v1/deliveries/{reminded.pk}/mark-posted/", {"url": url}, format="json"
    )
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["state"], body["published_at"], body["external_url"], body["by_reminder"]) == (
        "published",
        "2026-11-25T14:00:00Z",
        url,
        True,
    )
    reminded.refresh_from_db()
    assert (reminded.state, reminded.published_at, reminded.external_url) == (
        S.PUBLISHED,
        NOW,
        url,
    )


def test_mark_posted_takes_no_address_at_all(api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/deliveries/{reminded.pk}/mark-posted/", format="json")
    assert (response.status_code, response.json()["external_url"]) == (200, "")


@pytest.mark.parametrize(
    ("body", "field"),
    [({"url": "not a link"}, "url"), ({"url": 42}, "url"), ([1, 2], "body")],
)
def test_bad_input_names_the_field(api, reminded: Delivery, body: object, field: str) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/deliveries/{reminded.pk}/mark-posted/", body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert Delivery.objects.get(pk=reminded.pk).state == S.REMINDER_SENT


def test_an_address_that_is_too_long_names_the_field(api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    url = "https://acme.example/" + "a" * 1000
    response = api.post(
        f"/api/v1/deliveries/{reminded.pk}/mark-posted/", {"url": url}, format="json"
    )
    assert (response.status_code, list(response.json()["errors"])) == (400, ["url"])


def test_a_delivery_that_is_no_open_reminder_is_a_conflict(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(post__workspace=cast.workspace, account=account)
    response = api.post(f"/api/v1/deliveries/{delivery.pk}/mark-posted/", format="json")
    assert response.status_code == 409
    assert response.json() == {
        "detail": "This reminder is closed: the delivery is scheduled.",
        "errors": {},
    }
    assert Delivery.objects.get(pk=delivery.pk).state == S.SCHEDULED


def test_skip_cancels_it(api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    response = api.post(f"/api/v1/deliveries/{reminded.pk}/skip/", format="json")
    assert (response.status_code, response.json()["state"]) == (200, "cancelled")
    again = api.post(f"/api/v1/deliveries/{reminded.pk}/skip/", format="json")
    assert again.status_code == 409


def test_viewers_may_read_but_not_mark(api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    viewer = api.as_role("viewer")
    assert viewer.get(f"/api/v1/deliveries/{reminded.pk}/").status_code == 200
    response = viewer.post(f"/api/v1/deliveries/{reminded.pk}/mark-posted/", format="json")
    assert response.status_code == 403
    assert Delivery.objects.get(pk=reminded.pk).state == S.REMINDER_SENT


def test_another_workspaces_delivery_is_not_found(api, reminded: Delivery) -> None:  # type: ignore[no-untyped-def]
    outsider = api.as_role("outsider")
    assert outsider.get(f"/api/v1/deliveries/{reminded.pk}/").status_code == 404
    response = outsider.post(f"/api/v1/deliveries/{reminded.pk}/mark-posted/", format="json")
    assert response.status_code == 404
    assert Delivery.objects.get(pk=reminded.pk).state == S.REMINDER_SENT

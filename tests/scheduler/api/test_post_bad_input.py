"""Every bad input is a 400 naming the field, and nothing is saved."""

from __future__ import annotations

import pytest

from scheduler.models import Delivery, Post
from tests.conftest import Cast
from tests.factories import CampaignFactory, DeliveryFactory, SandboxAccountFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def post(api, account, **fields):  # type: ignore[no-untyped-def]
    body = {
        "text": "Hello",
        "scheduled_at": "2026-12-01T10:00:00+01:00",
        "account_ids": [account.pk],
        **fields,
    }
    return api.post("/api/v1/posts/", body, format="json")


def assert_refused(response, errors: dict[str, list[str]]) -> None:  # type: ignore[no-untyped-def]
    assert response.status_code == 400, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json()["errors"] == errors
    assert Post.objects.count() == 0
    assert Delivery.objects.count() == 0


def test_a_time_in_the_past(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, scheduled_at="2026-11-25T12:00:00Z"),
        {"scheduled_at": ["This time is in the past. Pick a time from now on, or publish now."]},
    )


def test_an_unknown_timezone(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, scheduled_at="2026-12-01T10:00", timezone="Mars/Olympus_Mons"),
        {"timezone": ["Unknown time zone: Mars/Olympus_Mons."]},
    )


def test_a_local_time_that_does_not_exist_because_clocks_move_forward(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, scheduled_at="2027-03-28T02:30", timezone="Europe/Stockholm"),
        {
            "scheduled_at": [
                "2027-03-28 02:30 does not exist in Europe/Stockholm: the clocks move forward "
                "at that time (daylight saving). Pick another time."
            ]
        },
    )


def test_a_local_time_that_happens_twice_needs_an_offset(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, scheduled_at="2027-10-31T02:30", timezone="Europe/Stockholm"),
        {
            "scheduled_at": [
                "2027-10-31 02:30 happens twice in Europe/Stockholm (the clocks go back). "
                "Give the UTC offset to say which: +0200 or +0100."
            ]
        },
    )


def test_the_same_local_time_with_an_offset_is_accepted(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = post(api, account, scheduled_at="2027-10-31T02:30:00+01:00")
    assert response.status_code == 201
    assert response.json()["scheduled_at"] == "2027-10-31T01:30:00Z"


def test_a_time_that_is_not_a_time(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, scheduled_at="next tuesday"),
        {"scheduled_at": ["Not a date and time: give ISO 8601, like 2026-05-01T09:30:00+02:00."]},
    )


def test_empty_text(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(post(api, account, text="   "), {"text": ["Write something to post."]})


def test_text_over_the_target_networks_limit(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, text="a" * 501),
        {"text": ["Acme Sandbox: Sandbox allows 500 characters; this text has 501."]},
    )


def test_an_account_of_another_workspace(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    theirs = SandboxAccountFactory(workspace=cast.outsider.workspace)
    assert_refused(
        post(api, account, account_ids=[account.pk, theirs.pk]),
        {"account_ids": [f"No such account in this workspace: {theirs.pk}."]},
    )


def test_no_accounts(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, account_ids=[]), {"account_ids": ["Choose at least one account."]}
    )


def test_a_campaign_of_another_workspace(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    theirs = CampaignFactory(workspace=cast.outsider.workspace)
    assert_refused(
        post(api, account, campaign_id=theirs.pk),
        {"campaign_id": ["No such campaign in this workspace."]},
    )


def test_both_publish_now_and_a_time(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, publish_now=True),
        {"publish_now": ["Give either publish_now or scheduled_at, not both."]},
    )


def test_a_malformed_json_body(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/", '{"text": "Hello", "account_ids": [', content_type="application/json"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"] == "The request body is not valid JSON."
    assert list(body["errors"]) == ["body"]
    assert body["errors"]["body"][0].startswith("JSON parse error")
    assert Post.objects.count() == 0


def test_a_json_body_that_is_not_an_object(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        api.post("/api/v1/posts/", [1, 2], format="json"), {"body": ["Send a JSON object."]}
    )


def test_missing_required_fields(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        api.post("/api/v1/posts/", {}, format="json"),
        {"text": ["This field is required."], "account_ids": ["This field is required."]},
    )


def test_wrong_types(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    assert_refused(
        post(api, account, account_ids="one", publish_now="maybe"),
        {
            "publish_now": ["Must be a valid boolean."],
            "account_ids": ['Expected a list of items but got type "str".'],
        },
    )


def test_a_bad_patch_changes_nothing(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    delivery = DeliveryFactory(
        post__workspace=cast.workspace, account=account, post__text="Original"
    )
    before = (delivery.post.scheduled_at, delivery.due_at)
    response = api.patch(
        f"/api/v1/posts/{delivery.post_id}/",
        {"text": "b" * 600, "scheduled_at": "2020-01-01T00:00:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"text", "scheduled_at"}
    delivery.refresh_from_db()
    delivery.post.refresh_from_db()
    assert (delivery.post.text, delivery.post.scheduled_at, delivery.due_at) == (
        "Original",
        *before,
    )

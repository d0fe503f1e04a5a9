from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from scheduler.models import Delivery, Post
from tests.conftest import NOW, Cast
from tests.factories import CampaignFactory, DeliveryFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def test_a_post_scheduled_with_an_offset_fans_out_to_one_delivery_per_account(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    second = SandboxAccountFactory(workspace=cast.workspace, name="Second")
    campaign = CampaignFactory(workspace=cast.workspace)
    response = api.post(
        "/api/v1/posts/",
        {
            "text": "Spring is here",
            "scheduled_at": "2026-12-01T09:30:00+01:00",
            "account_ids": [account.pk, second.pk],
            "campaign_id": campaign.pk,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (
        body["text"],
        body["status"],
        body["scheduled_at"],
        body["campaign_id"],
        body["author"],
    ) == (
        "Spring is here",
        "scheduled",
        "2026-12-01T08:30:00Z",
        campaign.pk,
        "editor",
    )
    assert [
        (
            d["account_id"],
            d["state"],
            d["attempts"],
            d["external_id"],
            d["published_at"],
            d["last_error"],
        )
        for d in body["deliveries"]
    ] == [
        (account.pk, "scheduled", 0, "", None, ""),
        (second.pk, "scheduled", 0, "", None, ""),
    ]
    due = set(Delivery.objects.values_list("due_at", flat=True))
    assert due == {datetime(2026, 12, 1, 8, 30, tzinfo=UTC)}


def test_a_time_without_offset_is_read_in_the_given_timezone(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/",
        {
            "text": "Hi",
            "scheduled_at": "2026-12-01T09:30",
            "timezone": "America/New_York",
            "account_ids": [account.pk],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["scheduled_at"] == "2026-12-01T14:30:00Z"


def test_a_time_without_offset_or_timezone_is_read_in_the_persons_own_zone(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/",
        {"text": "Hi", "scheduled_at": "2026-12-01T09:30", "account_ids": [account.pk]},
        format="json",
    )
    assert (
        response.json()["scheduled_at"] == "2026-12-01T08:30:00Z"
    )  # editor lives in Europe/Stockholm


def test_a_post_without_a_time_is_a_draft_that_is_never_dispatched(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/",
        {"text": "Later", "scheduled_at": None, "account_ids": [account.pk]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["status"] == "draft"
    assert [d["state"] for d in response.json()["deliveries"]] == ["draft"]


def test_publish_now_makes_the_post_due_at_once(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/",
        {"text": "Now!", "publish_now": True, "account_ids": [account.pk]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["scheduled_at"] == "2026-11-25T14:00:00Z"
    assert Delivery.objects.get().due_at == NOW


def test_a_contributors_post_waits_for_approval_then_an_editor_approves_it(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role("contributor").post(
        "/api/v1/posts/",
        {
            "text": "Please check",
            "scheduled_at": "2026-12-01T10:00:00Z",
            "account_ids": [account.pk],
        },
        format="json",
    )
    assert response.json()["status"] == "awaiting_approval"
    post_id = response.json()["id"]
    assert api.as_role("contributor").post(f"/api/v1/posts/{post_id}/approve/").status_code == 403
    approved = api.as_role("editor").post(f"/api/v1/posts/{post_id}/approve/")
    assert approved.json()["status"] == "scheduled"
    assert Delivery.objects.get().due_at == datetime(2026, 12, 1, 10, tzinfo=UTC)
    again = api.as_role("editor").post(f"/api/v1/posts/{post_id}/approve/")
    assert again.status_code == 409
    assert again.json()["detail"] == "This post is no longer awaiting approval."


def test_approving_a_post_whose_time_has_passed_asks_what_to_do(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    created = api.as_role("contributor").post(
        "/api/v1/posts/",
        {"text": "Soon", "scheduled_at": "2026-11-25T14:30:00Z", "account_ids": [account.pk]},
        format="json",
    )
    post_id = created.json()["id"]
    with time_machine.travel(datetime(2026, 11, 25, 15, tzinfo=UTC), tick=False):
        late = api.as_role("editor").post(f"/api/v1/posts/{post_id}/approve/")
        assert late.status_code == 400
        assert list(late.json()["errors"]) == ["publish_now"]
        assert Delivery.objects.get().state == S.AWAITING_APPROVAL
        now = api.as_role("editor").post(
            f"/api/v1/posts/{post_id}/approve/", {"publish_now": True}, format="json"
        )
    assert now.json()["status"] == "scheduled"
    assert Delivery.objects.get().due_at == datetime(2026, 11, 25, 15, tzinfo=UTC)


def test_a_viewer_cannot_write_posts(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.as_role("viewer").post(
        "/api/v1/posts/",
        {"text": "x", "publish_now": True, "account_ids": [account.pk]},
        format="json",
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role (Viewer) cannot do this.", "errors": {}}
    assert api.as_role("viewer").get("/api/v1/posts/").status_code == 200


def test_list_and_detail_show_this_workspace_only(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    mine = DeliveryFactory(post__workspace=cast.workspace, account=account).post
    theirs = DeliveryFactory(post__workspace=cast.outsider.workspace).post
    listed = api.get("/api/v1/posts/").json()
    assert [p["id"] for p in listed["results"]] == [mine.pk]
    assert api.get(f"/api/v1/posts/{mine.pk}/").status_code == 200
    assert api.get(f"/api/v1/posts/{theirs.pk}/").status_code == 404
    assert (
        api.patch(f"/api/v1/posts/{theirs.pk}/", {"text": "mine now"}, format="json").status_code
        == 404
    )
    assert api.delete(f"/api/v1/posts/{theirs.pk}/").status_code == 404


def test_the_post_list_makes_the_same_number_of_queries_for_1_or_20_posts(
    cast: Cast,
    api,
    account,
    django_assert_num_queries,  # type: ignore[no-untyped-def]
) -> None:
    DeliveryFactory(post__workspace=cast.workspace, account=account)
    api.get("/api/v1/posts/")  # the key's first use writes its last_used_at
    with django_assert_num_queries(5) as one:
        api.get("/api/v1/posts/")
    for _ in range(19):
        DeliveryFactory(post__workspace=cast.workspace, account=account)
    with django_assert_num_queries(len(one.captured_queries)):
        response = api.get("/api/v1/posts/")
    assert response.json()["count"] == 20


def test_patch_reschedules_the_deliveries_not_yet_published(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    other = SandboxAccountFactory(workspace=cast.workspace)
    post = DeliveryFactory(post__workspace=cast.workspace, account=account, state=S.QUEUED).post
    DeliveryFactory(post=post, account=other, state=S.PUBLISHED)
    response = api.patch(
        f"/api/v1/posts/{post.pk}/", {"scheduled_at": "2026-12-24T18:00:00+01:00"}, format="json"
    )
    assert response.status_code == 200, response.json()
    states = {
        d["account_id"]: (d["state"], d["scheduled_at"]) for d in response.json()["deliveries"]
    }
    assert states[account.pk] == ("scheduled", "2026-12-24T17:00:00Z")
    assert states[other.pk][0] == "published"
    assert Delivery.objects.get(account=account).due_at == datetime(2026, 12, 24, 17, tzinfo=UTC)


def test_patch_edits_the_text(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = DeliveryFactory(post__workspace=cast.workspace, account=account).post
    response = api.patch(f"/api/v1/posts/{post.pk}/", {"text": "Better words"}, format="json")
    assert response.status_code == 200
    assert Post.objects.get().text == "Better words"


def test_patch_to_no_time_turns_the_post_back_into_a_draft(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = DeliveryFactory(post__workspace=cast.workspace, account=account).post
    response = api.patch(f"/api/v1/posts/{post.pk}/", {"scheduled_at": None}, format="json")
    assert response.json()["status"] == "draft"
    assert Delivery.objects.get().due_at is None


def test_patch_while_publishing_refuses_a_text_change(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = DeliveryFactory(post__workspace=cast.workspace, account=account, state=S.PUBLISHING).post
    response = api.patch(f"/api/v1/posts/{post.pk}/", {"text": "too late"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "text": ["This post is being published right now; edit it when that has finished."]
    }
    assert Post.objects.get().text != "too late"


def test_delete_cancels_what_has_not_gone_out_and_keeps_what_has(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    other = SandboxAccountFactory(workspace=cast.workspace)
    post = DeliveryFactory(post__workspace=cast.workspace, account=account, state=S.SCHEDULED).post
    DeliveryFactory(post=post, account=other, state=S.PUBLISHED)
    response = api.delete(f"/api/v1/posts/{post.pk}/")
    assert response.status_code == 200
    states = {d["account_id"]: d["state"] for d in response.json()["deliveries"]}
    assert states == {account.pk: "cancelled", other.pk: "published"}
    assert Delivery.objects.get(account=account).state == S.CANCELLED


def test_delete_of_a_fully_cancelled_post_reports_it_cancelled(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    post = DeliveryFactory(post__workspace=cast.workspace, account=account).post
    assert api.delete(f"/api/v1/posts/{post.pk}/").json()["status"] == "cancelled"
    assert Post.objects.get().cancelled_at == NOW


def test_a_published_post_shows_its_delivery_details(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    published_at = NOW - timedelta(minutes=5)
    delivery = DeliveryFactory(
        post__workspace=cast.workspace,
        account=account,
        state=S.PUBLISHED,
        attempts=2,
        external_id="abc",
        external_url="http://127.0.0.1:8000/sandbox/posts/abc/",
        published_at=published_at,
    )
    body = api.get(f"/api/v1/posts/{delivery.post_id}/").json()
    assert body["status"] == "published"
    assert body["deliveries"] == [
        {
            "id": delivery.pk,
            "account_id": account.pk,
            "network": "sandbox",
            "state": "published",
            "scheduled_at": delivery.scheduled_at.isoformat().replace("+00:00", "Z"),
            "attempts": 2,
            "external_id": "abc",
            "external_url": "http://127.0.0.1:8000/sandbox/posts/abc/",
            "published_at": "2026-11-25T13:55:00Z",
            "last_error": "",
            "by_reminder": False,
            "reminded_at": None,
        }
    ]


def test_timezone_now_is_frozen_for_these_tests() -> None:
    assert timezone.now() == NOW


def test_a_post_keeps_its_link_and_says_which_field_a_network_cannot_take(
    cast: Cast, api, account
) -> None:  # type: ignore[no-untyped-def]
    body = {
        "text": "Our spring menu",
        "link": "https://cafe.example/spring",
        "scheduled_at": "2026-12-01T09:30:00+01:00",
        "account_ids": [account.pk],
    }
    created = api.post("/api/v1/posts/", body, format="json")
    assert created.status_code == 201, created.json()
    assert (created.json()["link"], created.json()["thread"], created.json()["first_comment"]) == (
        "https://cafe.example/spring",
        [],
        "",
    )
    refused = api.post(
        "/api/v1/posts/",
        {**body, "thread": ["Part two"], "first_comment": "Menu below"},
        format="json",
    )
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "thread": [f"{account.name}: Sandbox does not publish threads."],
        "first_comment": [f"{account.name}: Sandbox does not take a first comment."],
    }
    assert Post.objects.count() == 1


def test_a_link_that_is_not_a_url_is_refused_by_field(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/",
        {"text": "Hi", "link": "not a link", "account_ids": [account.pk]},
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["link"]


def test_a_network_can_get_its_own_text_and_is_checked_with_it(cast: Cast, api) -> None:  # type: ignore[no-untyped-def]
    from channels.models import SocialAccount

    x = SocialAccount.objects.create(
        workspace=cast.workspace, network="x", external_id="1", name="Acme on X"
    )
    sandbox = SandboxAccountFactory(workspace=cast.workspace, name="Acme Sandbox")
    long_text = "Our spring menu is here. " * 15  # 375: fine for the sandbox, long for X
    body = {
        "text": long_text,
        "scheduled_at": "2026-12-01T09:30:00+01:00",
        "account_ids": [x.pk, sandbox.pk],
    }
    refused = api.post("/api/v1/posts/", body, format="json")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "text": ["Acme on X: X allows 280 characters per post; this text has 375."]
    }
    overridden = api.post(
        "/api/v1/posts/",
        {**body, "overrides": {"x": {"text": "Spring menu is here!"}, "facebook": {"text": " "}}},
        format="json",
    )
    assert overridden.status_code == 201, overridden.json()
    assert overridden.json()["overrides"] == {"x": {"text": "Spring menu is here!"}}
    post = Post.objects.get(pk=overridden.json()["id"])
    from scheduler import content

    texts = {d.account.network: content.content_for(d).text for d in post.deliveries.all()}
    assert texts == {"x": "Spring menu is here!", "sandbox": long_text}
    too_long_override = api.patch(
        f"/api/v1/posts/{post.pk}/", {"overrides": {"x": {"text": "y" * 281}}}, format="json"
    )
    assert too_long_override.json()["errors"] == {
        "overrides": ["Acme on X: X allows 280 characters per post; this text has 281."]
    }


def test_overrides_for_an_unknown_network_are_refused_by_field(cast: Cast, api, account) -> None:  # type: ignore[no-untyped-def]
    response = api.post(
        "/api/v1/posts/",
        {"text": "Hi", "account_ids": [account.pk], "overrides": {"myspace": {"text": "Hi"}}},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"overrides": ["No such network: myspace."]}

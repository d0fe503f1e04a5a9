"""The "Needs a look" page, its buttons, the nav badge and the edit-and-retry form."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from scheduler.models import Delivery, DeliveryAttempt
from tests.conftest import NOW, Cast
from tests.factories import DeliveryFactory

S = Delivery.State
pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen")]


def signed_in(cast: Cast, role: str = "editor") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def failed(cast: Cast, account, **fields) -> Delivery:  # type: ignore[no-untyped-def]
    defaults = {
        "post__workspace": cast.workspace,
        "post__text": "Our winter sale starts now",
        "account": account,
        "state": S.FAILED,
        "attempts": 1,
        "last_error": "Sandbox: simulated refusal of this post.",
        "scheduled_at": NOW - timedelta(hours=1),
        "due_at": None,
    }
    delivery = DeliveryFactory(**{**defaults, **fields})
    DeliveryAttempt.objects.create(
        delivery=delivery,
        number=1,
        started_at=NOW - timedelta(hours=1),
        finished_at=NOW - timedelta(hours=1),
        outcome="permanent",
        detail=delivery.last_error,
        network_code="422",
    )
    return delivery


def shown_messages(response) -> list[str]:  # type: ignore[no-untyped-def]
    return [str(m) for m in response.context["messages"]]


def test_the_page_lists_failures_with_the_reason_and_the_raw_detail(cast: Cast, account) -> None:
    failed(cast, account)
    failed(cast, account, state=S.NEEDS_ATTENTION, post__text="Maybe out already")
    DeliveryFactory(post__workspace=cast.workspace, account=account, post__text="Fine and dandy")
    theirs = DeliveryFactory(post__workspace=cast.outsider.workspace).account
    failed(cast, theirs, post__workspace=cast.outsider.workspace)
    page = signed_in(cast).get("/needs-a-look/").content.decode()
    assert page.count('class="card failure"') == 2
    assert "Our winter sale starts now" in page and "Maybe out already" in page
    assert "Fine and dandy" not in page
    assert '<p class="why">Sandbox refused this post.</p>' in page
    assert '<p class="why">SMO could not tell whether this post went out on Sandbox.</p>' in page
    assert '<p class="raw">Sandbox: simulated refusal of this post.</p>' in page
    assert "<code>422</code>" in page
    assert ">Retry anyway</button>" in page and ">Mark done</button>" in page
    assert ">Edit and retry</a>" in page


def test_the_page_says_when_nothing_needs_a_look(cast: Cast) -> None:
    assert "Nothing needs a look." in signed_in(cast).get("/needs-a-look/").content.decode()


def test_a_viewer_sees_the_failures_but_no_buttons(cast: Cast, account) -> None:
    failed(cast, account)
    page = signed_in(cast, "viewer").get("/needs-a-look/").content.decode()
    assert "Sandbox refused this post." in page
    assert "Retry" not in page and "Mark done" not in page


@pytest.mark.parametrize("action", ["retry", "done"])
def test_a_viewer_cannot_act(cast: Cast, account, action: str) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    response = signed_in(cast, "viewer").post(f"/needs-a-look/{delivery.pk}/{action}/")
    assert response.status_code == 403
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION


@pytest.mark.parametrize("action", ["retry", "done"])
def test_another_workspaces_delivery_is_not_found(cast: Cast, account, action: str) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    response = signed_in(cast, "outsider").post(
        f"/needs-a-look/{delivery.pk}/{action}/", {"confirm": "yes"}
    )
    assert response.status_code == 404
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION


def test_retry_schedules_a_failed_delivery_and_says_so(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    response = signed_in(cast, "contributor").post(
        f"/needs-a-look/{delivery.pk}/retry/", follow=True
    )
    assert response.redirect_chain == [("/needs-a-look/", 302)]
    assert shown_messages(response) == ["Scheduled again: Acme Sandbox will get it in a moment."]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.due_at) == (S.SCHEDULED, NOW)
    assert DeliveryAttempt.objects.filter(delivery=delivery).count() == 1
    assert "Nothing needs a look." in response.content.decode()


def test_retrying_needs_attention_without_confirming_changes_nothing(cast: Cast, account) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    response = signed_in(cast).post(f"/needs-a-look/{delivery.pk}/retry/", follow=True)
    assert shown_messages(response) == [
        "This post may already be live. Check the account, then confirm that you want to "
        "post it again."
    ]
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION
    signed_in(cast).post(f"/needs-a-look/{delivery.pk}/retry/", {"confirm": "yes"})
    delivery.refresh_from_db()
    assert delivery.state == S.SCHEDULED


def test_mark_done_records_the_address_of_the_live_post(cast: Cast, account) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    response = signed_in(cast).post(
        f"/needs-a-look/{delivery.pk}/done/", {"url": "https://example.com/p/9"}, follow=True
    )
    assert shown_messages(response) == ["Marked as published on Acme Sandbox."]
    delivery.refresh_from_db()
    assert (delivery.state, delivery.external_url) == (S.PUBLISHED, "https://example.com/p/9")


def test_mark_done_with_a_bad_address_changes_nothing(cast: Cast, account) -> None:
    delivery = failed(cast, account, state=S.NEEDS_ATTENTION)
    response = signed_in(cast).post(
        f"/needs-a-look/{delivery.pk}/done/", {"url": "not a url"}, follow=True
    )
    assert shown_messages(response) == [
        "That is not a web address; paste the post's http(s) link, or leave it empty."
    ]
    delivery.refresh_from_db()
    assert delivery.state == S.NEEDS_ATTENTION


def test_retry_from_the_post_page_returns_to_it(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    post_url = f"/posts/{delivery.post_id}/"
    page = signed_in(cast).get(post_url).content.decode()
    assert '<p class="why">Sandbox refused this post.</p>' in page
    assert f'action="/needs-a-look/{delivery.pk}/retry/"' in page
    response = signed_in(cast).post(f"/needs-a-look/{delivery.pk}/retry/", {"next": post_url})
    assert response["Location"] == post_url


def test_retry_never_returns_to_another_site(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    response = signed_in(cast).post(
        f"/needs-a-look/{delivery.pk}/retry/", {"next": "https://evil.example/"}
    )
    assert response["Location"] == "/needs-a-look/"


def test_the_nav_shows_how_many_need_a_look(cast: Cast, account) -> None:
    failed(cast, account)
    failed(cast, account, state=S.NEEDS_ATTENTION)
    theirs = DeliveryFactory(post__workspace=cast.outsider.workspace).account
    failed(cast, theirs, post__workspace=cast.outsider.workspace)
    page = signed_in(cast, "viewer").get("/").content.decode()
    assert '<span class="nav-count" data-testid="needs-a-look-count">2</span>' in page
    theirs_page = signed_in(cast, "outsider").get("/").content.decode()
    assert '<span class="nav-count" data-testid="needs-a-look-count">1</span>' in theirs_page


def test_the_nav_shows_no_count_when_nothing_needs_a_look(cast: Cast) -> None:
    page = signed_in(cast).get("/").content.decode()
    assert ">Needs a look</a>" in page
    assert "needs-a-look-count" not in page


def test_the_page_makes_the_same_number_of_queries_for_3_or_30_failures(
    cast: Cast, account, django_assert_num_queries
) -> None:  # type: ignore[no-untyped-def]
    client = signed_in(cast)
    for _ in range(3):
        failed(cast, account)
    client.get("/needs-a-look/")  # warm the session
    with CaptureQueriesContext(connection) as three:
        client.get("/needs-a-look/")
    for i in range(27):
        failed(cast, account, state=S.NEEDS_ATTENTION if i % 2 else S.FAILED)
    with django_assert_num_queries(len(three.captured_queries)):
        page = client.get("/needs-a-look/").content.decode()
    assert page.count('class="card failure"') == 30


def test_edit_and_retry_saves_the_post_and_schedules_its_failed_deliveries(
    cast: Cast, account
) -> None:
    delivery = failed(cast, account)
    client = signed_in(cast)
    page = client.get(f"/posts/{delivery.post_id}/fix/").content.decode()
    assert "Our winter sale starts now</textarea>" in page
    response = client.post(
        f"/posts/{delivery.post_id}/fix/",
        {"text": "Our winter sale starts today", "link": "", "first_comment": ""},
        follow=True,
    )
    assert response.redirect_chain == [(f"/posts/{delivery.post_id}/", 302)]
    assert shown_messages(response) == ["Saved; 1 delivery scheduled again."]
    delivery.refresh_from_db()
    assert (delivery.post.text, delivery.state) == ("Our winter sale starts today", S.SCHEDULED)


def test_edit_and_retry_shows_the_networks_problems_and_saves_nothing(cast: Cast, account) -> None:
    delivery = failed(cast, account)
    response = signed_in(cast).post(
        f"/posts/{delivery.post_id}/fix/", {"text": "Hi", "first_comment": "Me first"}
    )
    assert response.status_code == 400
    assert "Acme Sandbox: Sandbox does not take a first comment." in response.content.decode()
    delivery.refresh_from_db()
    assert (delivery.post.text, delivery.state) == ("Our winter sale starts now", S.FAILED)


@pytest.mark.parametrize(
    ("role", "status"), [("viewer", 403), ("contributor", 403), ("outsider", 404)]
)
def test_edit_and_retry_is_for_people_who_schedule_in_this_workspace(
    cast: Cast, account, role: str, status: int
) -> None:
    delivery = failed(cast, account)
    response = signed_in(cast, role).post(f"/posts/{delivery.post_id}/fix/", {"text": "Changed"})
    assert response.status_code == status
    delivery.refresh_from_db()
    assert (delivery.post.text, delivery.state) == ("Our winter sale starts now", S.FAILED)

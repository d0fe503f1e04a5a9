"""The Accounts page: each account's health, last publish, and Disconnect/Reconnect."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from channels import health
from channels.models import SandboxPost, SocialAccount
from scheduler import engine
from scheduler.models import Delivery
from tests.conftest import Cast
from tests.factories import DeliveryFactory, PostFactory, SandboxAccountFactory

S = Delivery.State
pytestmark = pytest.mark.django_db


def signed_in(cast: Cast, role: str = "admin") -> Client:
    client = Client()
    client.force_login(cast.role(role).user)
    return client


def row(html: str, account: SocialAccount) -> str:
    start = html.index(f'id="account-{account.pk}"')
    return html[start : html.index("</li>", start)]


def linkedin(cast: Cast, ends_in: timedelta, **secrets: str) -> SocialAccount:
    """A LinkedIn account: without a refresh token, a person reconnects every 60 days."""
    return SandboxAccountFactory(
        workspace=cast.workspace,
        network="linkedin",
        name="Acme on LinkedIn",
        credentials={"access_token": "li-secret-token", **secrets},
        credentials_expire_at=timezone.now() + ends_in,
    )


def delivery_to(account: SocialAccount, state: str = S.SCHEDULED, **fields: Any) -> Delivery:
    post = PostFactory(workspace=account.workspace, text="Held or not")
    return DeliveryFactory(post=post, account=account, state=state, **fields)


# --- Health states --------------------------------------------------------------------


def test_a_fresh_account_is_ok(account: SocialAccount) -> None:
    assert health.health(account) == health.Health("ok")


def test_access_that_cannot_be_renewed_shows_the_days_left(cast: Cast) -> None:
    account = linkedin(cast, timedelta(days=5, hours=3))
    state = health.health(account)
    assert (state.state, state.days, state.until) == (
        "expiring",
        5,
        account.credentials_expire_at,
    )


def test_access_that_refreshes_is_ok_however_near_its_expiry(cast: Cast) -> None:
    account = linkedin(cast, timedelta(hours=1), refresh_token="li-refresh")
    assert health.health(account).state == "ok"


def test_a_refresh_token_with_its_own_end_is_when_a_person_must_reconnect(cast: Cast) -> None:
    ends = timezone.now() + timedelta(days=3, hours=1)
    account = linkedin(cast, timedelta(days=40), refresh_token="li-refresh")
    account.options = {"refresh_expires_at": ends.isoformat()}
    assert health.health(account) == health.Health("expiring", ends, 3)


def test_access_far_from_its_end_is_ok(cast: Cast) -> None:
    assert health.health(linkedin(cast, timedelta(days=50))).state == "ok"


def test_access_past_its_end_needs_reconnecting(cast: Cast) -> None:
    assert health.health(linkedin(cast, -timedelta(minutes=1))).state == "needs_reconnect"


def test_an_account_marked_so_needs_reconnecting(account: SocialAccount) -> None:
    account.status = SocialAccount.Status.NEEDS_RECONNECT
    assert health.health(account).state == "needs_reconnect"


def test_a_rate_limit_answer_shows_until_its_reset(account: SocialAccount) -> None:
    delivery = delivery_to(account, S.QUEUED)
    SocialAccount.objects.filter(pk=account.pk).update(
        options={"failure_rate": 1, "failure_kind": "rate_limited"}
    )
    assert engine.publish(delivery.pk) == "rate-limited"
    delivery.refresh_from_db()
    account.refresh_from_db()
    assert account.rate_limited_until == delivery.due_at
    assert health.health(account) == health.Health("rate_limited", delivery.due_at)
    # Once the reset has passed, the account is fine again.
    later = delivery.due_at + timedelta(seconds=1)
    assert health.health(account, now=later).state == "ok"


def test_a_rate_limit_reset_only_moves_later(account: SocialAccount) -> None:
    later = timezone.now() + timedelta(minutes=15)
    engine.note_rate_limit(account.pk, later)
    engine.note_rate_limit(account.pk, later - timedelta(minutes=10))
    account.refresh_from_db()
    assert account.rate_limited_until == later


def test_a_disconnected_account_says_so(account: SocialAccount) -> None:
    account.status = SocialAccount.Status.DISCONNECTED
    assert health.health(account).state == "disconnected"


# --- The page --------------------------------------------------------------------------


def test_the_page_shows_each_accounts_health_and_last_publish(
    cast: Cast, account: SocialAccount
) -> None:
    published = delivery_to(account, S.PUBLISHED, published_at=timezone.now())
    delivery_to(
        account, S.PUBLISHED, published_at=published.published_at - timedelta(days=2)
    )  # older: not the last
    expiring = linkedin(cast, timedelta(days=3, hours=1))
    html = signed_in(cast).get("/accounts/").content.decode()
    mine = row(html, account)
    assert 'data-health="ok"' in mine and ">OK<" in mine
    assert "Last published " in mine and "Nothing published yet" not in mine
    theirs = row(html, expiring)
    assert 'data-health="expiring"' in theirs and "Expires in 3 days" in theirs
    assert "SMO cannot renew it: reconnect before then" in theirs
    assert "Nothing published yet" in theirs
    assert "li-secret-token" not in html


def test_the_page_makes_the_same_queries_for_one_account_or_many(
    cast: Cast, django_assert_num_queries: Any
) -> None:
    client = signed_in(cast)
    first = SandboxAccountFactory(workspace=cast.workspace)
    delivery_to(first, S.PUBLISHED, published_at=timezone.now())
    client.get("/accounts/")  # warm the session and caches
    with CaptureQueriesContext(connection) as one:
        assert client.get("/accounts/").status_code == 200
    for n in range(20):
        more = SandboxAccountFactory(workspace=cast.workspace)
        delivery_to(more, S.PUBLISHED, published_at=timezone.now())
        delivery_to(more, S.SCHEDULED)
        if n % 2:
            SocialAccount.objects.filter(pk=more.pk).update(
                status=SocialAccount.Status.DISCONNECTED
            )
    with django_assert_num_queries(len(one.captured_queries)):
        html = client.get("/accounts/").content.decode()
    assert html.count('class="row account-row"') == 21


def test_editors_and_viewers_see_health_but_no_disconnect_button(
    cast: Cast, account: SocialAccount
) -> None:
    for role in ("editor", "viewer"):
        html = signed_in(cast, role).get("/accounts/").content.decode()
        assert 'data-health="ok"' in row(html, account)
        assert "/disconnect/" not in html
    assert (
        f"/accounts/{account.pk}/disconnect/"
        in signed_in(cast, "owner").get("/accounts/").content.decode()
    )


# --- Disconnect and reconnect ---------------------------------------------------------------


def test_disconnecting_wipes_credentials_keeps_history_and_counts_held_posts(
    cast: Cast, account: SocialAccount
) -> None:
    done = delivery_to(account, S.PUBLISHED, published_at=timezone.now())
    waiting = [delivery_to(account, S.SCHEDULED), delivery_to(account, S.RETRY_WAIT)]
    response = signed_in(cast).post(f"/accounts/{account.pk}/disconnect/", follow=True)
    html = response.content.decode()
    assert "Disconnected Acme Sandbox. 2 scheduled posts are held until it is reconnected." in html
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.DISCONNECTED
    assert account.credentials == {} and account.credentials_expire_at is None
    assert account.disconnected_at is not None
    assert account.status_detail == "Disconnected by admin."
    assert Delivery.objects.get(pk=done.pk).state == S.PUBLISHED  # history kept
    mine = row(html, account)
    assert 'data-health="disconnected"' in mine
    assert "2 scheduled posts are held until the account is reconnected." in mine
    assert "Last published " in mine
    # And on the post itself.
    post_html = signed_in(cast).get(f"/posts/{waiting[0].post_id}/").content.decode()
    assert "Held: Acme Sandbox is disconnected." in post_html


def test_the_engine_holds_what_a_disconnected_account_had_waiting(
    cast: Cast, account: SocialAccount
) -> None:
    due = timezone.now() - timedelta(minutes=1)
    scheduled = delivery_to(account, S.SCHEDULED, due_at=due)
    queued = delivery_to(account, S.QUEUED, due_at=due)
    signed_in(cast).post(f"/accounts/{account.pk}/disconnect/")
    assert engine.dispatch_due() == 0
    assert engine.publish(queued.pk) == "held"
    assert {d.state for d in Delivery.objects.filter(pk__in=[scheduled.pk, queued.pk])} == {
        S.SCHEDULED
    }
    assert not SandboxPost.objects.exists()


def test_reconnecting_the_same_account_releases_its_held_posts(
    cast: Cast, account: SocialAccount
) -> None:
    held = delivery_to(account, S.SCHEDULED, due_at=timezone.now() - timedelta(minutes=1))
    client = signed_in(cast)
    client.post(f"/accounts/{account.pk}/disconnect/")
    html = client.get("/accounts/").content.decode()
    assert f'action="/accounts/{account.pk}/reconnect/"' in row(html, account)
    response = client.post(f"/accounts/{account.pk}/reconnect/", follow=True)
    assert "Reconnected Acme Sandbox and released 1 held post" in response.content.decode()
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.ACTIVE and account.disconnected_at is None
    assert engine.dispatch_due() == 1
    assert engine.publish(held.pk) == "published"


def test_signing_in_again_to_a_disconnected_network_account_reactivates_it(
    cast: Cast, account: SocialAccount
) -> None:
    from channels import oauth
    from channels.adapters import base

    delivery_to(account, S.SCHEDULED)
    signed_in(cast).post(f"/accounts/{account.pk}/disconnect/")
    creds = base.Credentials(account.external_id, account.handle, {"token": "new-one"})
    [again] = oauth.save_connections(cast.admin, [base.Connection("sandbox", creds, "Acme")])
    assert again.pk == account.pk
    assert (again.status, again.disconnected_at) == (SocialAccount.Status.ACTIVE, None)
    assert not Delivery.objects.get(account=account).held_by_account


@pytest.mark.parametrize("role", ["editor", "contributor", "viewer"])
def test_only_owners_and_admins_disconnect(cast: Cast, account: SocialAccount, role: str) -> None:
    assert signed_in(cast, role).post(f"/accounts/{account.pk}/disconnect/").status_code == 403
    assert signed_in(cast, role).post(f"/accounts/{account.pk}/reconnect/").status_code == 403
    account.refresh_from_db()
    assert account.is_active and account.credentials


def test_another_workspaces_account_is_not_found(cast: Cast, account: SocialAccount) -> None:
    client = signed_in(cast, "outsider")
    assert client.post(f"/accounts/{account.pk}/disconnect/").status_code == 404
    assert client.post(f"/accounts/{account.pk}/reconnect/").status_code == 404
    account.refresh_from_db()
    assert account.is_active


def test_disconnect_answers_only_post(cast: Cast, account: SocialAccount) -> None:
    assert signed_in(cast).get(f"/accounts/{account.pk}/disconnect/").status_code == 405


def test_an_account_that_signs_in_has_no_reconnect_without_signing_in(cast: Cast) -> None:
    account = linkedin(cast, timedelta(days=30))
    SocialAccount.objects.filter(pk=account.pk).update(status=SocialAccount.Status.DISCONNECTED)
    assert signed_in(cast).post(f"/accounts/{account.pk}/reconnect/").status_code == 404


def test_an_account_added_by_hand_reconnects_with_a_button(cast: Cast) -> None:
    from channels import manual

    account = manual.add_account(cast.admin, "snapchat", "Acme Snaps", "acmesnaps")
    delivery_to(account, S.SCHEDULED)
    client = signed_in(cast)
    client.post(f"/accounts/{account.pk}/disconnect/")
    account.refresh_from_db()
    assert account.status == SocialAccount.Status.DISCONNECTED
    assert client.post(f"/accounts/{account.pk}/reconnect/").status_code == 302
    account.refresh_from_db()
    assert account.is_active and account.publishing == SocialAccount.Publishing.REMINDER


def test_the_last_hours_count_as_one_day() -> None:
    now = timezone.now()
    assert health.days_until(now + timedelta(hours=5), now) == 1
    assert health.days_until(now + timedelta(days=2, hours=23), now) == 2
    assert health.days_until(now - timedelta(hours=1), now) == 0
